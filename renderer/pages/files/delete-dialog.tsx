/**
 * Delete an e-ID from the keystore, after saying what that means: the key in the keystore is gone
 * for good, and the installs in OS stores stay unless the user also asks to remove it from this
 * computer's store (then that happens first, so a failure there deletes nothing).
 */
import { Checkbox, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bridge } from '../../bridge-client';
import { errorText } from '../../i18n';
import { ConfirmDialog } from './confirm-dialog';
import { useFilesStyles } from './styles';
import { storeName } from './text';
import { toUiError, type InstallRecord, type KeystoreEntry, type OsStoreInfo } from './types';

/** What the page says after a delete. */
export interface DeleteOutcome {
  readonly name: string;
  readonly removedFromStore: boolean;
  readonly stillInstalledIn: readonly InstallRecord[];
}

/** Props of the delete dialog. */
export interface DeleteDialogProps {
  readonly entry: KeystoreEntry;
  readonly store: OsStoreInfo | null;
  readonly onClose: () => void;
  readonly onDeleted: (outcome: DeleteOutcome) => void;
}

const sameStore = (r: InstallRecord, s: OsStoreInfo | null) => !!s && r.kind === s.kind && r.location === s.location;

/** The delete confirmation. */
export function DeleteDialog({ entry, store, onClose, onDeleted }: DeleteDialogProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const [alsoRemove, setAlsoRemove] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const canRemove = !!store?.available && entry.installs.some((r) => sameStore(r, store));

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      if (alsoRemove && canRemove) {
        try {
          await bridge.call('os-store:remove', { fingerprint: entry.fingerprintSha256 });
        } catch (err) {
          const e = toUiError(err);
          // Already gone from the store (removed in the browser): nothing to stop for.
          if (e.code !== 'not-found') {
            setError(t('files.delete.removeFailed', { reason: errorText(t, e) }));
            return;
          }
        }
      }
      const r = await bridge.call('keystore:delete', { id: entry.id });
      const removed = alsoRemove && canRemove;
      onDeleted({ name: entry.holder, removedFromStore: removed, stillInstalledIn: r.stillInstalledIn.filter((x) => !(removed && sameStore(x, store))) });
    } catch (err) {
      setError(errorText(t, toUiError(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <ConfirmDialog
      title={t('files.delete.title', { name: entry.holder })}
      confirmLabel={t('files.delete.confirm')}
      busy={busy}
      busyLabel={t('files.delete.working')}
      error={error}
      onConfirm={() => void confirm()}
      onCancel={onClose}
      testId="delete-dialog"
    >
      <Text>{t('files.delete.body')}</Text>
      {entry.installs.length > 0 ? (
        <div>
          <Text weight="semibold">{t('files.delete.stays')}</Text>
          <ul className={s.list} data-testid="stays-installed">
            {entry.installs.map((r) => (
              <li key={`${r.kind}:${r.location}`}>{t('files.store.at', { store: storeName(t, r.kind), location: r.location })}</li>
            ))}
          </ul>
        </div>
      ) : (
        <Text>{t('files.delete.staysNothing')}</Text>
      )}
      {canRemove && (
        <div>
          <Checkbox checked={alsoRemove} disabled={busy} label={t('files.delete.alsoRemove')} onChange={(_e, d) => setAlsoRemove(d.checked === true)} />
          <Text block className={s.checkHint}>
            {t('files.delete.alsoRemoveHint')}
          </Text>
        </div>
      )}
    </ConfirmDialog>
  );
}
