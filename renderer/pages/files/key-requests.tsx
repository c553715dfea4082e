/**
 * "Key requests waiting for a certificate" on the E-IDs on file page: every key made here for an
 * order with a CSR whose certificate has not been paired yet, with what identifies it (label,
 * subject, key type, when it was made, wrong-PIN state), its CSR to copy, save or look at again
 * (a CSR may be sent to the issuer again), and deletion after a confirmation that says the key
 * is then gone for good. Requests that cannot be read are listed so they can be deleted.
 */
import { Button, Card, MessageBar, MessageBarBody, MessageBarTitle, Text, Title3 } from '@fluentui/react-components';
import { DeleteRegular, KeyRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bridge } from '../../bridge-client';
import { errorText } from '../../i18n';
import { ConfirmDialog } from './confirm-dialog';
import { CsrActions } from './csr-actions';
import { RequestSummary } from './key-holder';
import { useFilesStyles } from './styles';
import { toUiError, type KeyRequest, type KeyRequestList, type UiError } from './types';

/** Props of the section. */
export interface KeyRequestsProps {
  readonly requests: KeyRequestList | null;
  readonly error: UiError | null;
  /** A request was deleted: the page reloads and says so. */
  readonly onDeleted: (label: string) => void;
}

type Deleting = { id: string; label: string; damaged: boolean } | null;

/** The key requests section. */
export function KeyRequests({ requests, error, onDeleted }: KeyRequestsProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const [deleting, setDeleting] = useState<Deleting>(null);
  const [busy, setBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [shown, setShown] = useState<string | null>(null);

  const remove = async (d: NonNullable<Deleting>) => {
    setBusy(true);
    setDeleteError(null);
    try {
      await bridge.call('keystore:delete-request', { id: d.id });
      setDeleting(null);
      onDeleted(d.label);
    } catch (err) {
      setDeleteError(errorText(t, toUiError(err)));
    } finally {
      setBusy(false);
    }
  };

  const list: readonly KeyRequest[] = requests?.requests ?? [];
  return (
    <section aria-labelledby="key-requests-heading" className={s.section} data-testid="key-requests">
      <Title3 as="h2" id="key-requests-heading" className={s.heading}>
        {t('files.requests.title')}
      </Title3>
      <Text className={s.muted}>{t('files.requests.intro')}</Text>
      {error && (
        <MessageBar intent="warning">
          <MessageBarBody>{t('files.requests.loadError', { reason: errorText(t, error) })}</MessageBarBody>
        </MessageBar>
      )}
      {requests && list.length === 0 && requests.damaged.length === 0 && <Text data-testid="key-requests-none">{t('files.requests.none')}</Text>}
      {requests?.damaged.map((d) => (
        <MessageBar intent="warning" key={d.id} data-testid="damaged-request">
          <MessageBarBody>
            <MessageBarTitle>{t('files.requests.damagedTitle')}</MessageBarTitle>
            {t('files.requests.damagedBody', { id: d.id })}{' '}
            <Button size="small" onClick={() => setDeleting({ id: d.id, label: d.id, damaged: true })} aria-label={t('files.requests.deleteLabel', { name: d.id })}>
              {t('files.requests.delete')}
            </Button>
          </MessageBarBody>
        </MessageBar>
      ))}
      {list.map((r) => {
        const headingId = `request-${r.id}`;
        const open = shown === r.id;
        return (
          <Card key={r.id} className={s.card} role="region" aria-labelledby={headingId} data-testid="key-request" data-id={r.id}>
            <div className={s.cardHead}>
              <KeyRegular fontSize={24} aria-hidden />
              <Text className={s.muted}>{t('files.requests.kind')}</Text>
            </div>
            <RequestSummary request={r} as="h3" headingId={headingId} />
            <div className={s.actions}>
              <CsrActions pem={r.csrPem} label={r.label} />
              <Button aria-expanded={open} onClick={() => setShown(open ? null : r.id)} aria-label={t(open ? 'files.requests.hideLabel' : 'files.requests.showLabel', { name: r.label })}>
                {open ? t('files.requests.hide') : t('files.requests.show')}
              </Button>
              <Button icon={<DeleteRegular />} onClick={() => setDeleting({ id: r.id, label: r.label, damaged: false })} aria-label={t('files.requests.deleteLabel', { name: r.label })}>
                {t('files.requests.delete')}
              </Button>
            </div>
            {open && (
              <pre className={s.mono} data-testid="request-csr" aria-label={t('files.requests.csrLabel', { name: r.label })} tabIndex={0}>
                {r.csrPem}
              </pre>
            )}
          </Card>
        );
      })}
      {deleting && (
        <ConfirmDialog
          title={t('files.requests.deleteTitle', { name: deleting.label })}
          confirmLabel={t('files.requests.deleteConfirm')}
          busy={busy}
          busyLabel={t('files.requests.deleting')}
          error={deleteError}
          onConfirm={() => void remove(deleting)}
          onCancel={() => {
            setDeleting(null);
            setDeleteError(null);
          }}
          testId="delete-request-confirm"
        >
          <Text>{deleting.damaged ? t('files.requests.deleteDamagedBody') : t('files.requests.deleteBody')}</Text>
        </ConfirmDialog>
      )}
    </section>
  );
}
