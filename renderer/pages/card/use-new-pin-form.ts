/**
 * What the change-PIN and unblock dialogs share: one secret that proves the user may set a PIN
 * (the current PIN, or the PUK / SO PIN), a new PIN twice against the card's rules, the focus
 * (the first field once the status is read, the field in error after a failure, Close when done)
 * and a submit that clears every secret before the request leaves. The dialogs differ only in
 * which secret they ask, the channel and the notices, so those come in as a spec.
 *
 * The secrets live in this hook's state for one request: cleared when it is sent, and gone with
 * the dialog when it closes (the page unmounts it).
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { CardDialogBaseProps } from './card-dialog';
import { cardErrorText, codeOf, type ErrorContext, type Failure, isCardGone, NEW_PIN_CODES, type SecretName } from './card-text';
import { checkNewPin, pinRules } from './pin-rules';
import { useCardOperation } from './use-card-operation';
import { useFocusOnce } from './use-focus-once';
import { usePinReport, type PinReport } from './use-pin-report';

/** What one new-PIN dialog does differently. */
export interface NewPinFormSpec {
  /** The operation whose progress this dialog follows (and names after a pulled card). */
  readonly operation: 'pin-change' | 'pin-unblock';
  /** Whether the report lets this operation run now. */
  readonly possible: (report: PinReport) => boolean;
  /** The code meaning the first secret was wrong: said at that field, not above the form. */
  readonly wrongCode: 'pin-incorrect' | 'puk-incorrect';
  /** The first secret is the current PIN ("The current PIN is wrong" rather than "Wrong PIN"). */
  readonly oldPin?: boolean;
  /** The message at the first field when the user submits it empty. */
  readonly requiredText: (t: TFunction, secret: SecretName) => string;
  /** Sends the request; called after the fields are cleared, with the values that were typed. */
  readonly send: (tokenKey: string, first: string, newPin: string) => Promise<PinReport>;
}

/** The shared state and logic of a dialog that sets a new PIN. */
export function useNewPinForm({ token, current }: Pick<CardDialogBaseProps, 'token' | 'current'>, spec: NewPinFormSpec) {
  const { t } = useTranslation();
  const present = current !== null;
  const tokenKey = current?.key ?? token.key;
  const status = usePinReport(present ? tokenKey : null);
  const op = useCardOperation(spec.operation);
  const [first, setFirst] = useState('');
  const [newPin, setNewPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [done, setDone] = useState(false);
  const firstRef = useRef<HTMLInputElement>(null);
  const newRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  const report = status.report;
  const rules = report ? pinRules(report.pin, report.digitsOnly) : null;
  const check = rules ? checkNewPin(rules, newPin, confirm) : null;
  const secret = report?.unblock.secretName ?? 'PUK';
  const code = failure ? codeOf(failure.error) : undefined;
  const running = op.view.running;
  const canSubmit = !!report && spec.possible(report) && present && !done;

  useFocusOnce(report !== null, () => firstRef.current);
  useEffect(() => {
    if (done) closeRef.current?.focus();
  }, [done]);
  useEffect(() => {
    if (!failure) return;
    const c = codeOf(failure.error);
    (c && NEW_PIN_CODES.has(c) ? newRef : firstRef).current?.focus();
  }, [failure]);

  const submit = async () => {
    if (!canSubmit || !rules || !check || running) return;
    setSubmitted(true);
    if (first === '') return firstRef.current?.focus();
    if (!check.ok) return (check.newPin.length ? newRef : confirmRef).current?.focus();
    // This render's values go out with the one request; the state holding them is cleared first.
    setFirst('');
    setNewPin('');
    setConfirm('');
    setSubmitted(false);
    setFailure(null);
    const out = await op.run(tokenKey, () => spec.send(tokenKey, first, newPin));
    if (!out) return;
    if (out.ok) {
      status.accept(out.value);
      setDone(true);
    } else {
      setFailure({ error: out.error, reachedCritical: out.reachedCritical });
      status.reload();
    }
  };

  const ctx: ErrorContext = { secret, rules, oldPin: spec.oldPin };
  const atNewPin = !!code && NEW_PIN_CODES.has(code);
  // Where each error is said: at the first field, at the new PIN, above the form, or instead of the status.
  const errors = {
    first: submitted && first === '' ? spec.requiredText(t, secret) : code === spec.wrongCode ? cardErrorText(t, failure?.error, ctx) : null,
    newPin: atNewPin ? cardErrorText(t, failure?.error, ctx) : null,
    general: failure && code !== spec.wrongCode && !isCardGone(code) && !atNewPin ? cardErrorText(t, failure.error, ctx) : null,
    status: status.error !== null ? cardErrorText(t, status.error, ctx) : null,
  };
  return {
    operation: spec.operation, present, status, report, rules, check, secret, busy: op.view, running, canSubmit, done, failure, code, errors, submit,
    first, setFirst, newPin, setNewPin, confirm, setConfirm, submitted, firstRef, newRef, confirmRef, closeRef,
  };
}

/** Everything a new-PIN dialog renders from (`secret`: the unblock secret's name on this card). */
export type NewPinForm = ReturnType<typeof useNewPinForm>;
