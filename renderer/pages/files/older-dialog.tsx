/**
 * "Older certificates in the certificate store" for one e-ID on file: what os-store:older finds
 * for it, each with its removal preview, removed one at a time after a confirmation (seed 003,
 * and the Firefox SEC_ERROR_REUSED_ISSUER_AND_SERIAL pain of old certificates left behind).
 */
import { Button, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bridge } from '../../bridge-client';
import { formatDate } from '../../format';
import { errorText } from '../../i18n';
import { ConfirmDialog } from './confirm-dialog';
import { FilesDialog } from './dialog-frame';
import { OlderPreview } from './older-preview';
import { useFilesStyles } from './styles';
import { storeName } from './text';
import { toUiError, type KeystoreEntry, type OlderCertificate, type UiError } from './types';

type Found = { kind: OlderCertificate['store']; location: string; available: boolean; older: OlderCertificate[] };

/** Props of the older-certificates dialog. */
export interface OlderDialogProps {
  readonly entry: KeystoreEntry;
  readonly onClose: () => void;
}

/** Lists and removes older certificates of one e-ID. */
export function OlderDialog({ entry, onClose }: OlderDialogProps) {
  const { t, i18n } = useTranslation();
  const s = useFilesStyles();
  const [found, setFound] = useState<Found | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [confirming, setConfirming] = useState<OlderCertificate | null>(null);
  const [busy, setBusy] = useState(false);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [removed, setRemoved] = useState(0);

  const load = useCallback(async () => {
    try {
      setFound(await bridge.call('os-store:older', { id: entry.id }));
      setError(null);
    } catch (err) {
      setError(toUiError(err));
    }
  }, [entry.id]);

  useEffect(() => {
    void load();
  }, [load]);

  const remove = async (o: OlderCertificate) => {
    setBusy(true);
    setRemoveError(null);
    try {
      await bridge.call('os-store:remove', { fingerprint: o.fingerprintSha256 });
      setConfirming(null);
      setRemoved((n) => n + 1);
      await load();
    } catch (err) {
      setRemoveError(errorText(t, toUiError(err)));
    } finally {
      setBusy(false);
    }
  };

  if (confirming) {
    return (
      <ConfirmDialog
        title={t('files.older.confirmTitle')}
        confirmLabel={t('files.older.confirm')}
        busy={busy}
        error={removeError}
        onConfirm={() => void remove(confirming)}
        onCancel={() => {
          setConfirming(null);
          setRemoveError(null);
        }}
        testId="older-confirm"
      >
        <Text>{confirming.summary}</Text>
        <OlderPreview older={confirming} />
      </ConfirmDialog>
    );
  }

  return (
    <FilesDialog title={t('files.older.title', { name: entry.holder })} closeLabel={t('files.older.close')} onClose={onClose} maxWidth="52rem" testId="older-dialog">
      {removed > 0 && (
        <MessageBar intent="success" role="status">
          <MessageBarBody>{t('files.older.removed')}</MessageBarBody>
        </MessageBar>
      )}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{errorText(t, error)}</MessageBarBody>
        </MessageBar>
      )}
      {!found && !error && <Spinner size="tiny" label={t('files.older.loading')} />}
      {found && !found.available && <Text>{t('files.older.unavailable')}</Text>}
      {found?.available && (
        <Text>{t('files.older.body', { store: t('files.store.at', { store: storeName(t, found.kind), location: found.location }) })}</Text>
      )}
      {found?.available && found.older.length === 0 && <Text data-testid="older-none">{t('files.older.none')}</Text>}
      {found && found.older.length > 0 && (
        <ul className={s.plainList}>
          {found.older.map((o) => (
            <li key={o.fingerprintSha256} className={s.older}>
              <OlderPreview older={o} />
              <div>
                <Button onClick={() => setConfirming(o)} aria-label={t('files.older.removeLabel', { date: formatDate(o.notAfter, i18n.language) })}>
                  {t('files.older.remove')}
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </FilesDialog>
  );
}
