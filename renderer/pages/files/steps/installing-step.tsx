/**
 * Step 6: the import runs. Progress is announced (aria-live), the Install button is shown disabled
 * and nothing on this step can start a second import (the machine refuses it too).
 */
import { Button, ProgressBar, Spinner, Text } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { StepFrame } from './step-frame';

/** Installing… (or pairing a certificate with its key: the same wait, in its own words). */
export function InstallingStep({ pairing = false }: { readonly pairing?: boolean }) {
  const { t } = useTranslation();
  return (
    <StepFrame
      id="installing"
      heading={pairing ? t('files.installing.pairHeading') : t('files.installing.heading')}
      start={<Button disabled>{t('files.wizard.back')}</Button>}
      actions={
        <Button appearance="primary" disabled icon={<Spinner size="tiny" />}>
          {pairing ? t('files.targets.pair') : t('files.targets.install')}
        </Button>
      }
    >
      <div role="status" aria-live="polite" aria-busy="true" data-testid="installing">
        <Text block>{pairing ? t('files.installing.pairBody') : t('files.installing.body')}</Text>
        <ProgressBar aria-label={pairing ? t('files.installing.pairProgress') : t('files.installing.progress')} thickness="large" />
      </div>
    </StepFrame>
  );
}
