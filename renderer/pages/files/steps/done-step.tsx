/**
 * Step 7: what was installed where, which older certificates were removed (or could not be), and
 * the way on. "Show my e-ID" opens the e-ID on the E-IDs on file page; the installation checks
 * will hang off that page when they exist, so the button says what it does today.
 *
 * After a pairing it also says what the certificate was paired with: the key request that has
 * now become this e-ID (and left the list of requests), or the e-ID it renews with the same key.
 */
import { Button, MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { CheckmarkCircleRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../i18n';
import { IdentityNumber } from '../eid-summary';
import { useFilesStyles } from '../styles';
import { storeName } from '../text';
import type { KeyHolders, PairedInfo } from '../import-machine';
import type { ImportResult } from '../types';
import { StepFrame } from './step-frame';

/** Props of the done step. */
export interface DoneStepProps {
  readonly result: ImportResult;
  readonly onShow: (keystoreId: string | null) => void;
  readonly onAnother: () => void;
  /** Set after a pairing. */
  readonly paired?: PairedInfo | null;
  /** The keystore as read before pairing, to name the e-ID a renewal is for. */
  readonly holders?: KeyHolders | null;
}

/** What a pairing did with the key, in one sentence. */
function PairedNote({ paired, holders }: { readonly paired: PairedInfo; readonly holders: KeyHolders | null }) {
  const { t } = useTranslation();
  if (paired.renewalOf) {
    const renewed = holders?.entries.find((e) => e.id === paired.renewalOf);
    return (
      <MessageBar intent="info" data-testid="paired-renewal">
        <MessageBarBody>{renewed ? t('files.done.renewal', { name: renewed.label }) : t('files.done.renewalUnknown')}</MessageBarBody>
      </MessageBar>
    );
  }
  if (!paired.replacedRequest) return null;
  const label = paired.with?.kind === 'request' ? paired.with.label : null;
  return (
    <MessageBar intent="success" data-testid="paired-request">
      <MessageBarBody>{label ? t('files.done.pairedRequest', { label }) : t('files.done.pairedRequestAny')}</MessageBarBody>
    </MessageBar>
  );
}

/** The e-ID is installed. */
export function DoneStep({ result, onShow, onAnother, paired = null, holders = null }: DoneStepProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const first = result.imported[0];
  return (
    <StepFrame
      id="done"
      heading={paired ? t('files.done.pairHeading') : t('files.done.heading')}
      onSubmit={() => onShow(first?.keystoreId ?? null)}
      start={<Button onClick={onAnother}>{t('files.done.another')}</Button>}
      actions={
        <Button appearance="primary" type="submit">
          {t('files.done.show')}
        </Button>
      }
    >
      {result.imported.map((e) => (
        <div key={e.fingerprintSha256} data-testid="imported">
          <Text size={500} weight="semibold" block>
            <CheckmarkCircleRegular aria-hidden /> {e.holder}
          </Text>
          {e.identity && <IdentityNumber identity={e.identity} />}
          <ul className={s.list}>
            {e.keystoreId && <li data-testid="installed-keystore">{t('files.done.keystore')}</li>}
            {e.osStore && (
              <li data-testid="installed-os-store">{t('files.done.osStore', { store: storeName(t, e.osStore.kind), location: e.osStore.location })}</li>
            )}
          </ul>
        </div>
      ))}
      {paired && <PairedNote paired={paired} holders={holders} />}
      {result.removed.length > 0 && (
        <MessageBar intent="success" data-testid="removed">
          <MessageBarBody>{t('files.done.removed', { count: result.removed.length })}</MessageBarBody>
        </MessageBar>
      )}
      {result.removeFailed.map((f) => (
        <MessageBar intent="warning" key={f.fingerprintSha256}>
          <MessageBarBody>{t('files.done.removeFailed', { fingerprint: f.fingerprintSha256.slice(0, 11), reason: errorText(t, f) })}</MessageBarBody>
        </MessageBar>
      ))}
      {result.older.length > 0 && (
        <Text size={200} className={s.muted}>
          {t('files.done.olderLeft', { count: result.older.length })}
        </Text>
      )}
    </StepFrame>
  );
}
