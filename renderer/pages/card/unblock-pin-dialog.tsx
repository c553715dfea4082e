/**
 * Unblock PIN: the PUK (SO PIN on SoftHSM2: the report names it) and a new PIN twice against the
 * card's rules. The PUK's own state is shown first: its final try is the last chance before the
 * card needs its issuer.
 */
import { Button, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bridge } from '../../bridge-client';
import { CardDialog, type CardDialogBaseProps } from './card-dialog';
import { cardErrorText, codeOf, type Failure, isCardGone, NEW_PIN_CODES, secretLabel, secretThe, secretAtStart } from './card-text';
import { NewPinFields } from './new-pin-fields';
import { RemovedNotice } from './operation-notices';
import { checkNewPin, pinRules } from './pin-rules';
import { PinStatusSummary } from './pin-status';
import { SecretField } from './secret-field';
import { useCardOperation } from './use-card-operation';
import { usePinReport } from './use-pin-report';

/** The unblock dialog. */
export function UnblockPinDialog({ token, current, onClose }: CardDialogBaseProps) {
  const { t } = useTranslation();
  const present = current !== null;
  const tokenKey = current?.key ?? token.key;
  const status = usePinReport(present ? tokenKey : null);
  const op = useCardOperation('pin-unblock');
  const [puk, setPuk] = useState('');
  const [newPin, setNewPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [done, setDone] = useState(false);
  const pukRef = useRef<HTMLInputElement>(null);
  const newRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  const report = status.report;
  const rules = report ? pinRules(report.pin, report.digitsOnly) : null;
  const check = rules ? checkNewPin(rules, newPin, confirm) : null;
  const secret = report?.unblock.secretName ?? 'PUK';
  const code = failure ? codeOf(failure.error) : undefined;
  const running = op.view.running;
  const canSubmit = !!report && report.unblock.possible && present && !done;

  const focusedFirst = useRef(false);
  useEffect(() => {
    if (!report || focusedFirst.current) return;
    focusedFirst.current = true;
    pukRef.current?.focus();
  }, [report]);
  useEffect(() => {
    if (done) closeRef.current?.focus();
  }, [done]);
  useEffect(() => {
    if (!failure) return;
    const c = codeOf(failure.error);
    (c && NEW_PIN_CODES.has(c) ? newRef : pukRef).current?.focus();
  }, [failure]);

  const submit = async () => {
    if (!canSubmit || !rules || !check || running) return;
    setSubmitted(true);
    if (puk === '') return pukRef.current?.focus();
    if (!check.ok) return (check.newPin.length ? newRef : confirmRef).current?.focus();
    const request = { tokenKey, puk, newPin };
    setPuk('');
    setNewPin('');
    setConfirm('');
    setSubmitted(false);
    setFailure(null);
    const out = await op.run(tokenKey, () => bridge.call('pin:unblock', request));
    if (!out) return;
    if (out.ok) {
      status.accept(out.value);
      setDone(true);
    } else {
      setFailure({ error: out.error, reachedCritical: out.reachedCritical });
      status.reload();
    }
  };

  const ctx = { secret, rules } as const;
  const pukError = submitted && puk === '' ? t('card.rules.secretRequired', { secret: secretThe(t, secret) }) : code === 'puk-incorrect' ? cardErrorText(t, failure?.error, ctx) : null;
  const newCardError = code && NEW_PIN_CODES.has(code) ? cardErrorText(t, failure?.error, ctx) : null;
  const generalError = failure && code !== 'puk-incorrect' && !isCardGone(code) && !(code && NEW_PIN_CODES.has(code)) ? cardErrorText(t, failure.error, ctx) : null;
  const blocked = report && !report.unblock.possible ? report.unblock.blockedBy : null;

  return (
    <CardDialog
      title={t('card.unblock.title')}
      token={token}
      present={present}
      busy={op.view}
      onClose={onClose}
      onSubmit={() => void submit()}
      testId="unblock-pin-dialog"
      actions={
        done ? (
          <Button appearance="primary" ref={closeRef} onClick={onClose}>
            {t('card.dialog.close')}
          </Button>
        ) : (
          <>
            <Button appearance="primary" type="submit" disabledFocusable={running || !canSubmit}>
              {t('card.unblock.submit')}
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
        <MessageBar intent="success" data-testid="unblock-done">
          <MessageBarBody>{t('card.unblock.done')}</MessageBarBody>
        </MessageBar>
      )}
      {report && !done && blocked && (
        <MessageBar intent="error" data-testid="unblock-blocked">
          <MessageBarBody>{t(`card.actions.unblockBlocked.${blocked}`, { secret: secretThe(t, secret) })}</MessageBarBody>
        </MessageBar>
      )}
      {report && !done && !blocked && <Text>{t(secret === 'SO PIN' ? 'card.unblock.introSoPin' : 'card.unblock.introPuk')}</Text>}
      {report && !done && !blocked && report.puk.finalTry && (
        <MessageBar intent="error" data-testid="final-try">
          <MessageBarBody>{t('card.unblock.finalTry', { secret: secretThe(t, secret) })}</MessageBarBody>
        </MessageBar>
      )}
      {report && !done && !blocked && !report.puk.finalTry && report.puk.countLow && (
        <MessageBar intent="warning">
          <MessageBarBody>{t('card.unblock.countLow', { secret: secretThe(t, secret) })}</MessageBarBody>
        </MessageBar>
      )}
      {failure && isCardGone(code) && <RemovedNotice operation="pin-unblock" reachedCritical={failure.reachedCritical} present={present} />}
      {generalError && (
        <MessageBar intent="error" data-testid="dialog-error">
          <MessageBarBody>{code === 'puk-locked' ? t('card.unblock.pukLocked', { secret: secretAtStart(t, secret) }) : generalError}</MessageBarBody>
        </MessageBar>
      )}
      {report && rules && check && !done && !blocked && (
        <>
          <SecretField label={secretLabel(t, secret)} value={puk} onChange={setPuk} digitsOnly={report.digitsOnly} error={pukError} readOnly={running} inputRef={pukRef} testId="puk" />
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
