/**
 * Step 5: where to install. The keystore of eID Desk and this computer's certificate store (kind
 * and place from os-store:older / os-store:info; not choosable, with the reason, when its tools are
 * missing). Older certificates of the same identity already in the store are listed with a
 * preview and a checkbox each, to be removed after the new one is in (seed 003).
 *
 * The same step serves pairing: there the keystore is always on (the key is in it already, and the
 * certificate joins it), the certificate store stays optional, and the button says "Pair".
 */
import { Button, Checkbox, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../i18n';
import { formatDate } from '../../../format';
import { canChooseOlder, installBlocker, type ImportState } from '../import-machine';
import { OlderPreview } from '../older-preview';
import { useFilesStyles } from '../styles';
import { storeName } from '../text';
import { StepFrame } from './step-frame';

/** Props of the targets step (also rendered, frozen, while installing). */
export interface TargetsStepProps {
  readonly state: ImportState;
  readonly onTarget: (target: 'keystore' | 'osStore', on: boolean) => void;
  readonly onRemoveOlder: (fingerprint: string, on: boolean) => void;
  readonly onInstall: () => void;
  readonly onBack: () => void;
}

/** Choose the keystore and/or the certificate store. */
export function TargetsStep({ state, onTarget, onRemoveOlder, onInstall, onBack }: TargetsStepProps) {
  const { t, i18n } = useTranslation();
  const s = useFilesStyles();
  const busy = state.pending !== null;
  const store = state.store;
  const pairing = state.pairMode;
  const inKeystore = !pairing && !!state.report?.inKeystore;
  const blocker = installBlocker(state);
  const olderChoosable = canChooseOlder(state);
  const loading = !store && !state.storeError;

  return (
    <StepFrame
      id="targets"
      heading={t('files.targets.heading')}
      onSubmit={onInstall}
      start={
        <Button onClick={onBack} disabled={busy}>
          {t('files.wizard.back')}
        </Button>
      }
      actions={
        <>
          {blocker && blocker !== 'busy' && (
            <Text size={200} className={s.muted} id="install-blocker">
              {t(`files.targets.blocked.${blocker}`)}
            </Text>
          )}
          <Button appearance="primary" type="submit" disabled={blocker !== null} aria-describedby={blocker ? 'install-blocker' : undefined}>
            {pairing ? t('files.targets.pair') : t('files.targets.install')}
          </Button>
        </>
      }
    >
      <div>
        <Checkbox
          checked={state.targets.keystore}
          disabled={busy || inKeystore || pairing}
          label={t('files.targets.keystore')}
          onChange={(_e, d) => onTarget('keystore', d.checked === true)}
        />
        <Text block className={s.checkHint}>
          {pairing ? t('files.targets.keystorePairHint') : inKeystore ? t('files.targets.keystoreAlready') : t('files.targets.keystoreHint')}
        </Text>
      </div>
      <div>
        <Checkbox
          checked={state.targets.osStore}
          disabled={busy || !store?.available}
          label={t('files.targets.osStore')}
          onChange={(_e, d) => onTarget('osStore', d.checked === true)}
        />
        <Text block className={s.checkHint} data-testid="os-store-hint">
          {loading && <Spinner size="extra-tiny" label={t('files.targets.loadingStore')} />}
          {store?.available && t('files.targets.osStoreHint', { store: storeName(t, store.kind), location: store.location })}
          {store && !store.available && t('files.targets.osStoreUnavailable', { reason: t('files.targets.osStoreMissingTools', { store: storeName(t, store.kind) }) })}
        </Text>
        {state.storeError && (
          <MessageBar intent="warning">
            <MessageBarBody>{t('files.targets.storeError', { reason: errorText(t, state.storeError) })}</MessageBarBody>
          </MessageBar>
        )}
      </div>
      {state.older.length > 0 && (
        <section aria-labelledby="older-heading" data-testid="older-list" className={s.section}>
          <Text as="h3" weight="semibold" id="older-heading" block className={s.heading}>
            {t('files.targets.olderTitle')}
          </Text>
          <Text size={200} className={s.muted}>
            {t('files.targets.olderBody')}
          </Text>
          <ul className={s.plainList}>
            {state.older.map((o) => (
              <li key={o.fingerprintSha256} className={s.older}>
                <Checkbox
                  checked={state.removeOlder.includes(o.fingerprintSha256)}
                  disabled={busy || !olderChoosable}
                  label={t('files.targets.olderRemove', { date: formatDate(o.notAfter, i18n.language) })}
                  onChange={(_e, d) => onRemoveOlder(o.fingerprintSha256, d.checked === true)}
                />
                <OlderPreview older={o} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </StepFrame>
  );
}
