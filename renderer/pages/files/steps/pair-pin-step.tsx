/**
 * Pairing: the PIN of the key the certificate is paired with, which is the PIN chosen when the key
 * request was made (or the PIN of the e-ID whose key a renewal reuses). It is asked once, not
 * twice and not against the rules: it already exists, and main checks it when pairing.
 *
 * The key is always known here: inspection named it (a certificates-only .p12, or a certificate
 * file inspected as soon as it was picked), and it is shown with its wrong-PIN state, so the user
 * sees which PIN is meant. Wrong and throttled PINs come back here, with what happens next or how
 * long to wait, counting down, and the button off until then.
 */
import { Button, Field, Input, MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../i18n';
import type { ImportState } from '../import-machine';
import { waitText } from '../text';
import { useCountdown } from '../use-countdown';
import { PairableKey } from './certificates-only-step';
import { StepFrame } from './step-frame';

/** Props of the key-PIN step. */
export interface PairPinStepProps {
  readonly state: ImportState;
  readonly onSubmit: (pin: string) => void;
  readonly onBack: () => void;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Type the PIN of the key. */
export function PairPinStep({ state, onSubmit, onBack }: PairPinStepProps) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const { pairWith, keyHolders: holders, keyHoldersError, pairPinError: error, pinProblems } = state;
  const target =
    pairWith?.kind === 'request' ? holders?.requests.find((r) => r.id === pairWith.id) : pairWith?.kind === 'entry' ? holders?.entries.find((e) => e.id === pairWith.id) : undefined;
  const wait = useCountdown(num(error?.details?.retryAfterSeconds));
  // The key's own wrong-PIN state arrives with the keystore list, after the step opened.
  const targetWait = target?.pin.retryAfterSeconds ?? 0;
  const startWait = wait.start;
  useEffect(() => {
    if (!error && targetWait > 0) startWait(targetWait);
  }, [error, targetWait, startWait]);

  const blocked = state.pending !== null || !pairWith || wait.left > 0;
  const submit = () => {
    if (blocked) return;
    const typed = pin;
    setPin('');
    onSubmit(typed);
    input.current?.focus();
  };

  let message: string | null = null;
  if (error?.code === 'pin-incorrect') {
    message = wait.left > 0 ? t('files.pairPin.wrongWait', { time: waitText(t, wait.left) }) : t('files.pairPin.wrong', { count: num(error.details?.attemptsBeforeDelay) });
  } else if (error && error.code !== 'throttled') {
    message = errorText(t, error);
  }
  const throttled = wait.left > 0 && error?.code !== 'pin-incorrect';
  const empty = pinProblems?.[0] === 'empty';
  const body = pairWith?.kind === 'entry' ? t('files.pairPin.bodyEntry', { label: pairWith.label }) : t('files.pairPin.bodyRequest', { label: pairWith?.label ?? '' });

  return (
    <StepFrame
      id="pair-pin"
      heading={t('files.pairPin.heading')}
      focusHeading={false}
      onSubmit={submit}
      start={<Button onClick={onBack}>{t('files.wizard.back')}</Button>}
      actions={
        <Button appearance="primary" type="submit" disabled={blocked}>
          {t('files.pairPin.submit')}
        </Button>
      }
    >
      <Text>{body}</Text>
      {pairWith && <PairableKey pairable={pairWith} holders={holders} />}
      {throttled && (
        <MessageBar intent="warning" data-testid="throttled">
          <MessageBarBody>{t('files.pairPin.throttled', { time: waitText(t, wait.left) })}</MessageBarBody>
        </MessageBar>
      )}
      {message && (
        <MessageBar intent="error" data-testid="pair-pin-error" data-code={error?.code}>
          <MessageBarBody>{message}</MessageBarBody>
        </MessageBar>
      )}
      {keyHoldersError && (
        <MessageBar intent="warning">
          <MessageBarBody>{t('files.pairPin.keysError', { reason: errorText(t, keyHoldersError) })}</MessageBarBody>
        </MessageBar>
      )}
      <Field
        label={pairWith?.kind === 'entry' ? t('files.pairPin.labelEntry') : t('files.pairPin.label')}
        hint={t('files.pairPin.hint')}
        validationState={empty ? 'error' : 'none'}
        validationMessage={empty ? t('files.pin.empty') : undefined}
      >
        <Input ref={input} type="password" autoFocus autoComplete="current-password" value={pin} onChange={(_e, d) => setPin(d.value)} />
      </Field>
    </StepFrame>
  );
}
