/**
 * "E-IDs on file": every e-ID in the keystore, damaged entries with a way to delete them, the key
 * requests waiting for a certificate (with "Create key request (CSR)"), and the import wizard. The
 * wizard opens in place of the list (one page entry in the registry), and "Show my e-ID" at its
 * end returns here with the imported or paired e-ID scrolled to and focused.
 */
import { Button, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text, Title2, Title3, Card } from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, KeyMultipleRegular } from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bridge } from '../../bridge-client';
import { errorText } from '../../i18n';
import { PageError } from '../../components/page-error';
import { ChangePinDialog } from './change-pin-dialog';
import { ConfirmDialog } from './confirm-dialog';
import { CreateRequestDialog } from './create-request-dialog';
import { DeleteDialog, type DeleteOutcome } from './delete-dialog';
import { EntryCard, type EntryAction } from './entry-card';
import { EntryDetailsDialog } from './entry-details-dialog';
import { ImportWizard } from './import-wizard';
import { KeyRequests } from './key-requests';
import { OlderDialog } from './older-dialog';
import { useFilesStyles } from './styles';
import { storeName } from './text';
import { toUiError, type DamagedEntry, type KeystoreEntry } from './types';
import { useKeystore } from './use-keystore';

type Open = { action: EntryAction; entry: KeystoreEntry } | null;
type Notice = { intent: 'success' | 'info' | 'warning'; text: string; detail?: string } | null;

/** The list of e-IDs on file, with its dialogs. */
function EidsOnFile({ onImport, focusId }: { readonly onImport: () => void; readonly focusId: string | null }) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const { list, requests, requestsError, store, loading, error, refresh } = useKeystore();
  const [open, setOpen] = useState<Open>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [damaged, setDamaged] = useState<DamagedEntry | null>(null);
  const [damagedBusy, setDamagedBusy] = useState(false);
  const [damagedError, setDamagedError] = useState<string | null>(null);
  const cards = useRef(new Map<string, HTMLDivElement>());
  const focused = useRef(false);

  // After "Show my e-ID": bring the imported e-ID into view and focus it, once.
  useEffect(() => {
    if (!focusId || focused.current || !list) return;
    const el = cards.current.get(focusId);
    if (!el) return;
    focused.current = true;
    el.scrollIntoView?.({ block: 'center' });
    el.focus();
  }, [focusId, list]);

  const deleted = (o: DeleteOutcome) => {
    setOpen(null);
    const where = o.stillInstalledIn.map((r) => t('files.store.at', { store: storeName(t, r.kind), location: r.location })).join('; ');
    setNotice({
      intent: 'success',
      text: o.removedFromStore ? t('files.delete.doneRemoved', { name: o.name }) : t('files.delete.done', { name: o.name }),
      ...(where ? { detail: t('files.delete.stillInstalled', { where }) } : {}),
    });
    void refresh();
  };

  const deleteDamaged = async (d: DamagedEntry) => {
    setDamagedBusy(true);
    setDamagedError(null);
    try {
      await bridge.call('keystore:delete', { id: d.id });
      setDamaged(null);
      void refresh();
    } catch (err) {
      setDamagedError(`${errorText(t, toUiError(err))} ${t('files.damaged.failed', { id: d.id, dir: list?.dir ?? '' })}`);
    } finally {
      setDamagedBusy(false);
    }
  };

  const entries = list?.entries ?? [];
  return (
    <div className={s.page}>
      <div className={s.toolbar}>
        <Title2 as="h1" className={s.grow}>
          {t('files.title')}
        </Title2>
        <Button icon={<ArrowClockwiseRegular />} onClick={() => void refresh()} disabled={loading}>
          {t('files.refresh')}
        </Button>
        <Button
          icon={<KeyMultipleRegular />}
          onClick={() => {
            setNotice(null);
            setCreating(true);
          }}
        >
          {t('files.requests.create')}
        </Button>
        <Button appearance="primary" icon={<AddRegular />} onClick={onImport}>
          {t('files.import')}
        </Button>
      </div>
      <Text className={s.muted}>{t('files.intro')}</Text>
      <div role="status" aria-live="polite">
        {notice && (
          <MessageBar intent={notice.intent} data-testid="files-notice">
            <MessageBarBody>
              <MessageBarTitle>{notice.text}</MessageBarTitle>
              {notice.detail}
            </MessageBarBody>
          </MessageBar>
        )}
      </div>
      {loading && !list && <Spinner label={t('files.loading')} />}
      <PageError error={error} />
      {list?.damaged.map((d) => (
        <MessageBar intent="warning" key={d.id} data-testid="damaged">
          <MessageBarBody>
            <MessageBarTitle>{t('files.damaged.title')}</MessageBarTitle>
            {t('files.damaged.body', { id: d.id })}{' '}
            <Button size="small" onClick={() => setDamaged(d)} aria-label={t('files.damaged.deleteLabel', { id: d.id })}>
              {t('files.damaged.delete')}
            </Button>
          </MessageBarBody>
        </MessageBar>
      ))}
      {list && entries.length === 0 && (
        <Card className={s.card} data-testid="files-empty">
          <Title3 as="h2" className={s.heading}>
            {t('files.empty.title')}
          </Title3>
          <Text>{t('files.empty.body')}</Text>
          <ol className={s.list}>
            <li>{t('files.empty.step1')}</li>
            <li>{t('files.empty.step2')}</li>
            <li>{t('files.empty.step3')}</li>
          </ol>
          <div>
            <Button appearance="primary" icon={<AddRegular />} onClick={onImport}>
              {t('files.import')}
            </Button>
          </div>
        </Card>
      )}
      {entries.map((e) => (
        <EntryCard
          key={e.id}
          entry={e}
          ref={(el) => {
            if (el) cards.current.set(e.id, el);
            else cards.current.delete(e.id);
          }}
          onAction={(action, entry) => {
            setNotice(null);
            setOpen({ action, entry });
          }}
        />
      ))}
      {(requests || requestsError) && (
        <KeyRequests
          requests={requests}
          error={requestsError}
          onDeleted={(label) => {
            setNotice({ intent: 'success', text: t('files.requests.deleted', { name: label }) });
            void refresh();
          }}
        />
      )}
      {list && (
        <Text size={200} className={s.muted}>
          {t('files.keystoreDir', { dir: list.dir })}
        </Text>
      )}
      {creating && <CreateRequestDialog onClose={() => setCreating(false)} onCreated={() => void refresh()} />}

      {open?.action === 'details' && <EntryDetailsDialog entry={open.entry} onClose={() => setOpen(null)} />}
      {open?.action === 'change-pin' && (
        <ChangePinDialog
          entry={open.entry}
          onClose={() => setOpen(null)}
          onAttempt={() => void refresh()}
          onChanged={() => {
            setNotice({ intent: 'success', text: t('files.changePin.done', { name: open.entry.holder }) });
            setOpen(null);
            void refresh();
          }}
        />
      )}
      {open?.action === 'older' && (
        <OlderDialog
          entry={open.entry}
          onClose={() => {
            setOpen(null);
            void refresh();
          }}
        />
      )}
      {open?.action === 'delete' && <DeleteDialog entry={open.entry} store={store} onClose={() => setOpen(null)} onDeleted={deleted} />}
      {damaged && (
        <ConfirmDialog
          title={t('files.damaged.confirmTitle')}
          confirmLabel={t('files.delete.confirm')}
          busy={damagedBusy}
          error={damagedError}
          onConfirm={() => void deleteDamaged(damaged)}
          onCancel={() => {
            setDamaged(null);
            setDamagedError(null);
          }}
        >
          <Text>{t('files.damaged.confirmBody', { id: damaged.id })}</Text>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** The "E-IDs on file" page: the list, or the import wizard in its place. */
export function FilesPage() {
  const [mode, setMode] = useState<'list' | 'import'>('list');
  const [focusId, setFocusId] = useState<string | null>(null);
  if (mode === 'import') {
    return (
      <ImportWizard
        onClose={() => setMode('list')}
        onShow={(id) => {
          setFocusId(id);
          setMode('list');
        }}
      />
    );
  }
  return <EidsOnFile key={focusId ?? 'list'} onImport={() => setMode('import')} focusId={focusId} />;
}
