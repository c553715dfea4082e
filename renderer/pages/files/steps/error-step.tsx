/**
 * The error step: what failed in plain words, what to do next, and the one button that leads back
 * to the step where it can be fixed. For a failed import it says that nothing was left half
 * installed (main undoes everything; if even that failed, it says that instead). A refused
 * pairing says why in the words of its reason (expired, not yet valid, a CA certificate...) and,
 * for 'no-matching-key', where the key may be instead. A certificate file that could not be read
 * gets the advice for a certificate (download it again from the issuer), not for an e-ID file.
 */
import { Button, MessageBar, MessageBarBody, MessageBarTitle, Text } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../i18n';
import type { WizardError } from '../import-machine';
import { nextStepText, reasonText } from '../text';
import { StepFrame } from './step-frame';

/** Props of the error step. */
export interface ErrorStepProps {
  readonly error: WizardError;
  /** The file is a certificate file (.cer/.pem/.p7b), not a .p12. */
  readonly certificateFile?: boolean;
  readonly onRecover: () => void;
}

/** Something went wrong. */
export function ErrorStep({ error, certificateFile = false, onRecover }: ErrorStepProps) {
  const { t, i18n } = useTranslation();
  const incomplete = error.details?.rollback === 'incomplete';
  let state: string;
  if (error.phase === 'inspect') state = t('files.error.nothingStored');
  else if (incomplete) state = t('files.error.rollbackIncomplete');
  else state = error.phase === 'pair' ? t('files.error.nothingPaired') : t('files.error.nothingInstalled');
  const heading = error.phase === 'inspect' ? t('files.error.headingInspect') : error.phase === 'pair' ? t('files.error.headingPair') : t('files.error.heading');
  return (
    <StepFrame
      id="error"
      heading={heading}
      onSubmit={onRecover}
      actions={
        <Button appearance="primary" type="submit">
          {t(`files.error.back.${error.returnTo}`)}
        </Button>
      }
    >
      <MessageBar intent="error" data-testid="wizard-error" data-code={error.code}>
        <MessageBarBody>
          <MessageBarTitle>{reasonText(t, i18n.language, error) ?? errorText(t, error)}</MessageBarTitle>
          {nextStepText(t, error.code, certificateFile ? 'certificate' : 'p12')}
        </MessageBarBody>
      </MessageBar>
      <Text weight="semibold" data-testid="rollback-state">
        {state}
      </Text>
    </StepFrame>
  );
}
