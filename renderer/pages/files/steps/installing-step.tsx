/**
 * Step 6: the import runs. Progress is announced (aria-live), the Install button is shown disabled
 * and nothing on this step can start a second import (the machine refuses it too).
 */
import { Button, ProgressBar, Spinner, Text } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { StepFrame } from './step-frame';

/** Installing… */
export function InstallingStep() {
  const { t } = useTranslation();
  return (
    <StepFrame
      id="installing"
      heading={t('files.installing.heading')}
      start={<Button disabled>{t('files.wizard.back')}</Button>}
      actions={
        <Button appearance="primary" disabled icon={<Spinner size="tiny" />}>
          {t('files.targets.install')}
        </Button>
      }
    >
      <div role="status" aria-live="polite" aria-busy="true" data-testid="installing">
        <Text block>{t('files.installing.body')}</Text>
        <ProgressBar aria-label={t('files.installing.progress')} thickness="large" />
      </div>
    </StepFrame>
  );
}
