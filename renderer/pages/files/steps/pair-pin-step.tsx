/**
 * Pairing: the PIN of the key the certificate is paired with, which is the PIN chosen when the key
 * request was made (or the PIN of the e-ID whose key a renewal reuses). It is asked once, not
 * twice and not against the rules: it already exists, and main checks it when pairing.
 *
 * After a certificates-only .p12 the key is known (inspection named it) and shown with its
 * wrong-PIN state. A certificate file (.cer/.pem/.p7b) is not inspected, so the key it belongs to
 * is only found while pairing: the step lists the keystore's key requests (and the e-IDs a renewal
 * could be for) so the user sees which PIN is meant. Wrong and throttled PINs come back here, with
 * what happens next or how long to wait, counting down, and the button off until then.
 */
import { Button, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Text } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../i18n';
import { pairPinBlocker, type ImportState } from '../import-machine';
import { EntryKeySummary, RequestSummary } from '../key-holder';
import { useFilesStyles } from '../styles';
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
  const s = useFilesStyles();
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

  const blocker = pairPinBlocker(state);
  const blocked = blocker !== null || wait.left > 0;
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
  const certificateFile = !pairWith;
  const requests = holders?.requests ?? [];
  const entries = holders?.entries ?? [];
  const empty = pinProblems?.[0] === 'empty';

  let body: string;
  if (pairWith?.kind === 'request') body = t('files.pairPin.bodyRequest', { label: pairWith.label });
  else if (pairWith?.kind === 'entry') body = t('files.pairPin.bodyEntry', { label: pairWith.label });
  else body = t('files.pairPin.bodyCertificate', { file: state.file?.name ?? '' });

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
      {blocker === 'no-key-here' && (
        <MessageBar intent="warning" data-testid="no-key-here">
          <MessageBarBody>
            <MessageBarTitle>{t('files.pairPin.noKeyHereTitle')}</MessageBarTitle>
            {t('files.pairPin.noKeyHere')}
          </MessageBarBody>
        </MessageBar>
      )}
      {keyHoldersError && (
        <MessageBar intent="warning">
          <MessageBarBody>{t('files.pairPin.keysError', { reason: errorText(t, keyHoldersError) })}</MessageBarBody>
        </MessageBar>
      )}
      {certificateFile && !holders && !keyHoldersError && <Spinner size="tiny" label={t('files.pairPin.loadingKeys')} />}
      {certificateFile && holders && blocker !== 'no-key-here' && (
        <section aria-labelledby="pair-keys-heading" className={s.section} data-testid="pair-keys">
          <h3 id="pair-keys-heading" className={s.subheading}>
            {t('files.pairPin.listTitle')}
          </h3>
          {requests.length === 0 && <Text>{t('files.pairPin.noRequests')}</Text>}
          <ul className={s.plainList}>
            {requests.map((r) => (
              <li key={r.id} className={s.keyBox} data-testid="pair-key-request">
                <RequestSummary request={r} as="h4" />
              </li>
            ))}
          </ul>
          {entries.length > 0 && (
            <details>
              <summary>{t('files.pairPin.entriesTitle', { count: entries.length })}</summary>
              <ul className={s.plainList}>
                {entries.map((e) => (
                  <li key={e.id} className={s.keyBox}>
                    <EntryKeySummary entry={e} as="h4" />
                  </li>
                ))}
              </ul>
            </details>
          )}
        </section>
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
