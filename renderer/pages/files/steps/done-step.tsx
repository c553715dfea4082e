/**
 * Step 7: what was installed where, which older certificates were removed (or could not be), and
 * the way on. "Show my e-ID" opens the e-ID on the E-IDs on file page; the installation checks
 * will hang off that page when they exist, so the button says what it does today.
 */
import { Button, MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { CheckmarkCircleRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../i18n';
import { IdentityNumber } from '../eid-summary';
import { useFilesStyles } from '../styles';
import { storeName } from '../text';
import type { ImportResult } from '../types';
import { StepFrame } from './step-frame';

/** Props of the done step. */
export interface DoneStepProps {
  readonly result: ImportResult;
  readonly onShow: (keystoreId: string | null) => void;
  readonly onAnother: () => void;
}

/** The e-ID is installed. */
export function DoneStep({ result, onShow, onAnother }: DoneStepProps) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const first = result.imported[0];
  return (
    <StepFrame
      id="done"
      heading={t('files.done.heading')}
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
