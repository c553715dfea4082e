/**
 * Change the PIN of an e-ID on file: the current PIN, the new one twice with the rules shown, and
 * what main says about wrong PINs (how many more before a wait, or how long to wait, counting
 * down). The three values live in this dialog only and are emptied after every attempt and when
 * it closes.
 */
import { Field, Input, MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bridge } from '../../bridge-client';
import { errorText } from '../../i18n';
import { FilesDialog } from './dialog-frame';
import { pinProblems, type PinProblem } from './pin-check';
import { ChoosePin, problemMessage } from './pin-fields';
import { waitText } from './text';
import { toUiError, type KeystoreEntry, type UiError } from './types';
import { useCountdown } from './use-countdown';
import { usePinRules } from './use-pin-rules';

/** Props of the change-PIN dialog. */
export interface ChangePinDialogProps {
  readonly entry: KeystoreEntry;
  readonly onClose: () => void;
  /** The PIN was changed. */
  readonly onChanged: () => void;
  /** Wrong-PIN counters changed: the page reloads the list. */
  readonly onAttempt: () => void;
}

/** The change-PIN dialog. */
export function ChangePinDialog({ entry, onClose, onChanged, onAttempt }: ChangePinDialogProps) {
  const { t, i18n } = useTranslation();
  const [oldPin, setOldPin] = useState('');
  const [pin, setPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problems, setProblems] = useState<readonly PinProblem[] | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [oldMissing, setOldMissing] = useState(false);
  const [same, setSame] = useState(false);
  const [busy, setBusy] = useState(false);
  const wait = useCountdown(entry.pin.retryAfterSeconds);
  const oldInput = useRef<HTMLInputElement>(null);
  const rules = usePinRules(setError);

  const clear = () => {
    setOldPin('');
    setPin('');
    setConfirm('');
  };
  const close = () => {
    clear();
    onClose();
  };

  const submit = async () => {
    if (busy || !rules || wait.left > 0) return;
    setOldMissing(oldPin.length === 0);
    const found = pinProblems(pin, confirm, rules);
    const sameAsOld = found.length === 0 && pin.normalize('NFC') === oldPin.normalize('NFC');
    setSame(sameAsOld);
    if (oldPin.length === 0 || found.length > 0 || sameAsOld) {
      setProblems(found.length > 0 ? found : null);
      return;
    }
    setProblems(null);
    setError(null);
    setBusy(true);
    const request = { id: entry.id, oldPin, newPin: pin };
    clear();
    try {
      await bridge.call('keystore:change-pin', request);
      onChanged();
    } catch (err) {
      const e = toUiError(err);
      setError(e);
      const retry = typeof e.details?.retryAfterSeconds === 'number' ? e.details.retryAfterSeconds : 0;
      if (retry > 0) wait.start(retry);
      onAttempt();
      oldInput.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const problemMessages = problemMessage(t, i18n.language, problems, rules);
  const messages = same ? { ...problemMessages, pin: t('files.changePin.samePin') } : problemMessages;
  let errorMessage: string | null = null;
  if (error?.code === 'pin-incorrect') {
    const retry = Number(error.details?.retryAfterSeconds ?? 0);
    errorMessage =
      retry > 0 && wait.left > 0 ? t('files.changePin.wrongWait', { time: waitText(t, wait.left) }) : t('files.changePin.wrong', { count: Number(error.details?.attemptsBeforeDelay ?? 0) });
  } else if (error && error.code !== 'throttled') {
    const rule = typeof error.details?.rule === 'string' ? error.details.rule : null;
    errorMessage = error.code === 'pin-invalid' && rule ? problemMessage(t, i18n.language, [rule as PinProblem], rules).pin ?? errorText(t, error) : errorText(t, error);
  }
  const throttled = wait.left > 0 && error?.code !== 'pin-incorrect';

  return (
    <FilesDialog
      title={t('files.changePin.title', { name: entry.holder })}
      onClose={close}
      form={{
        busy,
        busyLabel: t('files.changePin.working'),
        cancelLabel: t('files.changePin.cancel'),
        submitLabel: t('files.changePin.submit'),
        submitDisabled: !rules || wait.left > 0,
        onSubmit: () => void submit(),
      }}
    >
      <Text>{t('files.changePin.body')}</Text>
      {throttled && (
        <MessageBar intent="warning" data-testid="throttled">
          <MessageBarBody>{t('files.changePin.throttled', { time: waitText(t, wait.left) })}</MessageBarBody>
        </MessageBar>
      )}
      {errorMessage && (
        <MessageBar intent="error" data-testid="change-pin-error">
          <MessageBarBody>{errorMessage}</MessageBarBody>
        </MessageBar>
      )}
      <Field label={t('files.changePin.old')} validationState={oldMissing ? 'error' : 'none'} validationMessage={oldMissing ? t('files.pin.empty') : undefined}>
        <Input ref={oldInput} type="password" autoComplete="current-password" autoFocus value={oldPin} readOnly={busy} onChange={(_e, d) => setOldPin(d.value)} />
      </Field>
      <ChoosePin
        rules={rules}
        pin={pin}
        confirm={confirm}
        onPin={setPin}
        onConfirm={setConfirm}
        messages={messages}
        readOnly={busy}
        label={t('files.changePin.new')}
        confirmLabel={t('files.changePin.confirm')}
      />
    </FilesDialog>
  );
}
