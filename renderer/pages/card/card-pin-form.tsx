/**
 * The PIN part the key dialogs share (key generation, writing a certificate): the PIN state read
 * before typing, the PIN field, one running operation with its progress, and what went wrong in
 * plain words (at the field for a wrong PIN, the card-out notice when the card was pulled, a
 * message above the buttons otherwise). The PIN is cleared as soon as it has been sent.
 */
import { Button, MessageBar, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import type { TFunction } from 'i18next';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TokenViewData } from '../my-eids/types';
import { CardDialog } from './card-dialog';
import { cardErrorText, codeOf, type Failure, isCardGone } from './card-text';
import { RemovedNotice } from './operation-notices';
import { PinStatusSummary } from './pin-status';
import { SecretField } from './secret-field';
import { useCardOperation, type CardOperation } from './use-card-operation';
import { useFocusOnce } from './use-focus-once';
import { usePinReport } from './use-pin-report';

/** Codes the key dialogs explain in their own words (the shell's text is about files). */
const KEY_ERRORS: Readonly<Record<string, string>> = {
  'key-mismatch': 'card.errors.noMatchingKey',
  'already-exists': 'card.errors.certAlreadyThere',
  malformed: 'card.errors.notCertificate',
  validation: 'card.errors.badSubject',
};

/** A key operation's error in plain words. */
export function keyErrorText(t: TFunction, err: unknown, secret: 'PUK' | 'SO PIN'): string {
  const key = KEY_ERRORS[codeOf(err) ?? ''];
  return key ? t(key) : cardErrorText(t, err, { secret });
}

/** The form state of one key dialog. */
export function useCardPinForm(operation: CardOperation, token: TokenViewData, current: TokenViewData | null) {
  const present = current !== null;
  const tokenKey = (current ?? token).key;
  const status = usePinReport(present ? tokenKey : null);
  const op = useCardOperation(operation);
  const [pin, setPin] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const pinRef = useRef<HTMLInputElement>(null);
  const report = status.report;
  const code = failure ? codeOf(failure.error) : undefined;

  useFocusOnce(report !== null, () => pinRef.current);
  useEffect(() => {
    if (code === 'pin-incorrect') pinRef.current?.focus();
  }, [failure, code]);

  /** Sends `call` with the PIN typed (none typed: says so at the field); the value, or null. */
  const submit = async <T,>(call: (pin: string) => Promise<T>): Promise<T | null> => {
    setSubmitted(true);
    if (pin === '') {
      pinRef.current?.focus();
      return null;
    }
    const typed = pin;
    setPin('');
    setSubmitted(false);
    setFailure(null);
    const out = await op.run(tokenKey, () => call(typed));
    status.reload();
    if (!out) return null;
    if (out.ok) return out.value;
    setFailure({ error: out.error, reachedCritical: out.reachedCritical });
    return null;
  };

  return {
    operation,
    present,
    tokenKey,
    report,
    loading: status.loading,
    op,
    pin,
    setPin,
    submitted,
    failure,
    code,
    pinRef,
    canSubmit: present && !(report?.pin.locked ?? false),
    submit,
  };
}

/** The form a key dialog holds. */
export type CardPinForm = ReturnType<typeof useCardPinForm>;

/** PIN state, PIN field, and the failure of the last try. */
export function PinField({ form }: { readonly form: CardPinForm }) {
  const { t } = useTranslation();
  const secret = form.report?.unblock.secretName ?? 'PUK';
  const pinError = form.submitted && form.pin === '' ? t('card.rules.pinRequired') : form.code === 'pin-incorrect' ? cardErrorText(t, form.failure?.error, { secret }) : null;
  const generalError = form.failure && form.code !== 'pin-incorrect' && !isCardGone(form.code) ? keyErrorText(t, form.failure.error, secret) : null;
  return (
    <>
      {form.report && form.present && <PinStatusSummary report={form.report} compact />}
      <SecretField
        label={t('card.status.pin')}
        value={form.pin}
        onChange={form.setPin}
        digitsOnly={form.report?.digitsOnly ?? false}
        error={pinError}
        readOnly={form.op.view.running}
        inputRef={form.pinRef}
        testId="pin"
      />
      {form.failure && isCardGone(form.code) && <RemovedNotice operation={form.operation} reachedCritical={form.failure.reachedCritical} present={form.present} />}
      {generalError && (
        <MessageBar intent="error" data-testid="dialog-error">
          <MessageBarBody>{generalError}</MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}

/** The term / definition lists the key dialogs show a key or a certificate in. */
export const useKeyListStyles = makeStyles({
  list: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalXS, margin: 0 },
  term: { fontWeight: tokens.fontWeightSemibold },
  def: { margin: 0, overflowWrap: 'anywhere' },
});

/** Props of a key dialog's frame. */
export interface KeyDialogProps {
  readonly title: string;
  readonly token: TokenViewData;
  readonly form: CardPinForm;
  readonly submitLabel: string;
  /** Besides the PIN form's own conditions (card present, PIN not blocked). */
  readonly ready: boolean;
  /** The operation is done: only Close is left. */
  readonly done: boolean;
  readonly onSubmit: () => void;
  readonly onClose: () => void;
  readonly testId: string;
  readonly children: ReactNode;
}

/** The card dialog frame with the key dialogs' buttons: submit and Close, then Close alone. */
export function KeyDialog({ title, token, form, submitLabel, ready, done, onSubmit, onClose, testId, children }: KeyDialogProps) {
  const { t } = useTranslation();
  const running = form.op.view.running;
  const close = (
    <Button disabledFocusable={running} onClick={onClose}>
      {t('card.dialog.close')}
    </Button>
  );
  return (
    <CardDialog
      title={title}
      token={token}
      present={form.present}
      busy={form.op.view}
      onClose={onClose}
      onSubmit={() => {
        if (!done && ready && form.canSubmit) onSubmit();
      }}
      testId={testId}
      actions={
        done ? (
          close
        ) : (
          <>
            <Button appearance="primary" type="submit" disabledFocusable={running || !ready || !form.canSubmit}>
              {submitLabel}
            </Button>
            {close}
          </>
        )
      }
    >
      {children}
    </CardDialog>
  );
}
