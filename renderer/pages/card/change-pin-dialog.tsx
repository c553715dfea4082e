/**
 * Change PIN: the status first (tries left, final-try warning), then the current PIN and the new
 * one twice against the card's rules. A wrong current PIN is said at its field with the tries
 * left when the card tells. Secrets are cleared the moment the request is made.
 */
import { Button, MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bridge } from '../../bridge-client';
import { CardDialog, type CardDialogBaseProps } from './card-dialog';
import { cardErrorText, codeOf, type Failure, isCardGone, NEW_PIN_CODES, secretThe } from './card-text';
import { NewPinFields } from './new-pin-fields';
import { RemovedNotice } from './operation-notices';
import { checkNewPin, pinRules } from './pin-rules';
import { PinStatusSummary } from './pin-status';
import { SecretField } from './secret-field';
import { useCardOperation } from './use-card-operation';
import { usePinReport } from './use-pin-report';

/** The change-PIN dialog. */
export function ChangePinDialog({ token, current, onClose }: CardDialogBaseProps) {
  const { t } = useTranslation();
  const present = current !== null;
  const tokenKey = current?.key ?? token.key;
  const status = usePinReport(present ? tokenKey : null);
  const op = useCardOperation('pin-change');
  const [oldPin, setOldPin] = useState('');
  const [newPin, setNewPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [done, setDone] = useState(false);
  const oldRef = useRef<HTMLInputElement>(null);
  const newRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  const report = status.report;
  const rules = report ? pinRules(report.pin, report.digitsOnly) : null;
  const check = rules ? checkNewPin(rules, newPin, confirm) : null;
  const secret = report?.unblock.secretName ?? 'PUK';
  const code = failure ? codeOf(failure.error) : undefined;
  const running = op.view.running;
  const canSubmit = !!report && report.change.possible && present && !done;

  // Focus the first field once the status is there (the dialog opens before the card answered).
  const focusedFirst = useRef(false);
  useEffect(() => {
    if (!report || focusedFirst.current) return;
    focusedFirst.current = true;
    oldRef.current?.focus();
  }, [report]);
  useEffect(() => {
    if (done) closeRef.current?.focus();
  }, [done]);
  useEffect(() => {
    if (!failure) return;
    const c = codeOf(failure.error);
    (c && NEW_PIN_CODES.has(c) ? newRef : oldRef).current?.focus();
  }, [failure]);

  const submit = async () => {
    if (!canSubmit || !rules || !check || running) return;
    setSubmitted(true);
    if (oldPin === '') return oldRef.current?.focus();
    if (!check.ok) return (check.newPin.length ? newRef : confirmRef).current?.focus();
    const request = { tokenKey, oldPin, newPin };
    setOldPin('');
    setNewPin('');
    setConfirm('');
    setSubmitted(false);
    setFailure(null);
    const out = await op.run(tokenKey, () => bridge.call('pin:change', request));
    if (!out) return;
    if (out.ok) {
      status.accept(out.value);
      setDone(true);
    } else {
      setFailure({ error: out.error, reachedCritical: out.reachedCritical });
      status.reload();
    }
  };

  const ctx = { secret, rules, oldPin: true } as const;
  const oldError = submitted && oldPin === '' ? t('card.rules.oldRequired') : code === 'pin-incorrect' ? cardErrorText(t, failure?.error, ctx) : null;
  const newCardError = code && NEW_PIN_CODES.has(code) ? cardErrorText(t, failure?.error, ctx) : null;
  const generalError = failure && code !== 'pin-incorrect' && !isCardGone(code) && !(code && NEW_PIN_CODES.has(code)) ? cardErrorText(t, failure.error, ctx) : null;

  return (
    <CardDialog
      title={t('card.change.title')}
      token={token}
      present={present}
      busy={op.view}
      onClose={onClose}
      onSubmit={() => void submit()}
      testId="change-pin-dialog"
      actions={
        done ? (
          <Button appearance="primary" ref={closeRef} onClick={onClose}>
            {t('card.dialog.close')}
          </Button>
        ) : (
          <>
            <Button appearance="primary" type="submit" disabledFocusable={running || !canSubmit}>
              {t('card.change.submit')}
            </Button>
            <Button disabledFocusable={running} onClick={onClose}>
              {t('card.dialog.cancel')}
            </Button>
          </>
        )
      }
    >
      {!report && status.loading && <Spinner size="tiny" label={t('card.status.loading')} />}
      {!report && status.error !== null && (
        <MessageBar intent="error">
          <MessageBarBody>{cardErrorText(t, status.error, ctx)}</MessageBarBody>
        </MessageBar>
      )}
      {report && present && <PinStatusSummary report={report} compact />}
      {done && (
        <MessageBar intent="success" data-testid="change-done">
          <MessageBarBody>{t('card.change.done')}</MessageBarBody>
        </MessageBar>
      )}
      {report && !done && !report.change.possible && report.change.blockedBy && report.change.blockedBy !== 'puk-locked' && report.change.blockedBy !== 'unsupported' && (
        <MessageBar intent="error">
          <MessageBarBody>{t(`card.actions.changeBlocked.${report.change.blockedBy}`)}</MessageBarBody>
        </MessageBar>
      )}
      {report && !done && report.change.possible && report.pin.finalTry && (
        <MessageBar intent="error" data-testid="final-try">
          <MessageBarBody>{t('card.change.finalTry', { secret: secretThe(t, secret) })}</MessageBarBody>
        </MessageBar>
      )}
      {failure && isCardGone(code) && <RemovedNotice operation="pin-change" reachedCritical={failure.reachedCritical} present={present} />}
      {generalError && (
        <MessageBar intent="error" data-testid="dialog-error">
          <MessageBarBody>{generalError}</MessageBarBody>
        </MessageBar>
      )}
      {report && rules && check && !done && report.change.possible && (
        <>
          <SecretField label={t('card.change.old')} value={oldPin} onChange={setOldPin} digitsOnly={report.digitsOnly} error={oldError} readOnly={running} inputRef={oldRef} testId="old-pin" />
          <NewPinFields
            rules={rules}
            check={check}
            newPin={newPin}
            confirm={confirm}
            onNewPin={setNewPin}
            onConfirm={setConfirm}
            submitted={submitted}
            readOnly={running}
            cardError={newCardError}
            newRef={newRef}
            confirmRef={confirmRef}
          />
        </>
      )}
    </CardDialog>
  );
}
