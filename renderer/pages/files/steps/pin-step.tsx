/**
 * Step 4: the PIN the keystore will encrypt the e-ID under. The rules (from keystore:pin-rules)
 * are on screen before the first keystroke and marked as met while typing; the PIN is typed twice.
 * Both values stay in this component until the step is left (they go to the wizard host once, when
 * the machine accepts them).
 */
import { Button, MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../i18n';
import type { PinProblem } from '../pin-check';
import { ChoosePin, problemMessage, ruleText } from '../pin-fields';
import type { PinRules, UiError } from '../types';
import { StepFrame } from './step-frame';

/** Props of the PIN step. */
export interface PinStepProps {
  readonly rules: PinRules | null;
  readonly rulesError: UiError | null;
  readonly problems: readonly PinProblem[] | null;
  /** Main refused the PIN on import (pin-invalid with details.rule). */
  readonly refused: UiError | null;
  readonly onSubmit: (pin: string, confirm: string) => void;
  readonly onBack: () => void;
}

/** Choose a keystore PIN. */
export function PinStep({ rules, rulesError, problems, refused, onSubmit, onBack }: PinStepProps) {
  const { t, i18n } = useTranslation();
  const [pin, setPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const messages = problemMessage(t, i18n.language, problems, rules);
  const refusedRule = typeof refused?.details?.rule === 'string' ? refused.details.rule : null;

  return (
    <StepFrame
      id="pin"
      heading={t('files.pin.heading')}
      focusHeading={false}
      onSubmit={() => rules && onSubmit(pin, confirm)}
      start={<Button onClick={onBack}>{t('files.wizard.back')}</Button>}
      actions={
        <Button appearance="primary" type="submit" disabled={!rules}>
          {t('files.pin.submit')}
        </Button>
      }
    >
      <Text>{t('files.pin.body')}</Text>
      {refused && (
        <MessageBar intent="error" data-testid="pin-refused">
          <MessageBarBody>
            {t('files.pin.refused')} {refusedRule ? ruleText(t, refusedRule, rules) : errorText(t, refused)}
          </MessageBarBody>
        </MessageBar>
      )}
      {rulesError && (
        <MessageBar intent="error">
          <MessageBarBody>{errorText(t, rulesError)}</MessageBarBody>
        </MessageBar>
      )}
      <ChoosePin rules={rules} rulesFailed={!!rulesError} pin={pin} confirm={confirm} onPin={setPin} onConfirm={setConfirm} messages={messages} autoFocus />
    </StepFrame>
  );
}
