/**
 * Choosing a keystore PIN, used by the wizard's PIN step, the change-PIN dialog and the key-request
 * dialog: the rules listed before anything is typed, each marked as met while typing, the PIN
 * twice, and messages for a broken rule or two different PINs once the user tries to go on.
 */
import { Field, Input, Spinner, mergeClasses } from '@fluentui/react-components';
import { CheckmarkCircleRegular, CircleRegular } from '@fluentui/react-icons';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { meetsRule, type PinProblem } from './pin-check';
import { useFilesStyles } from './styles';
import type { PinRuleId, PinRules } from './types';

/** A rule in words ("At least 6 characters"). */
export function ruleText(t: TFunction, id: PinRuleId | string, rules: Pick<PinRules, 'minLength' | 'maxLength'> | null): string {
  return t(`files.pin.rule.${id}`, { min: rules?.minLength ?? 6, max: rules?.maxLength ?? 128 });
}

/** The message for the first problem with a chosen PIN, or undefined. */
export function problemMessage(t: TFunction, lang: string, problems: readonly PinProblem[] | null, rules: PinRules | null): { pin?: string; confirm?: string } {
  const first = problems?.[0];
  if (!first) return {};
  if (first === 'mismatch') return { confirm: t('files.pin.mismatch') };
  if (first === 'empty') return { pin: t('files.pin.empty') };
  const rule = ruleText(t, first, rules);
  return { pin: t('files.pin.broken', { rule: rule.charAt(0).toLocaleLowerCase(lang) + rule.slice(1) }) };
}

/** The rules with a live mark for each. */
export function PinRulesList({ rules, pin }: { readonly rules: PinRules; readonly pin: string }) {
  const { t } = useTranslation();
  const s = useFilesStyles();
  const id = useId();
  return (
    <div>
      <span id={id}>{t('files.pin.rulesTitle')}</span>
      <ul className={s.rules} aria-labelledby={id} data-testid="pin-rules">
        {rules.rules.map((r) => {
          const met = pin.length > 0 && meetsRule(pin, r.id, rules);
          return (
            <li key={r.id} className={mergeClasses(s.rule, met ? s.ruleMet : s.ruleOpen)} data-met={met}>
              {met ? <CheckmarkCircleRegular aria-hidden /> : <CircleRegular aria-hidden />}
              <span>{ruleText(t, r.id, rules)}</span>
              <span className={s.visuallyHidden}>({met ? t('files.pin.met') : t('files.pin.notMet')})</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** Props of the two new-PIN fields. */
export interface NewPinFieldsProps {
  readonly pin: string;
  readonly confirm: string;
  readonly onPin: (v: string) => void;
  readonly onConfirm: (v: string) => void;
  readonly messages: { pin?: string; confirm?: string };
  /** While a request runs: the fields keep focus but cannot change. */
  readonly readOnly?: boolean;
  readonly autoFocus?: boolean;
  readonly label?: string;
  readonly confirmLabel?: string;
}

/** New PIN and the same again. */
export function NewPinFields({ pin, confirm, onPin, onConfirm, messages, readOnly, autoFocus, label, confirmLabel }: NewPinFieldsProps) {
  const { t } = useTranslation();
  return (
    <>
      <Field label={label ?? t('files.pin.label')} validationState={messages.pin ? 'error' : 'none'} validationMessage={messages.pin}>
        <Input type="password" autoComplete="new-password" autoFocus={autoFocus} value={pin} readOnly={readOnly} onChange={(_e, d) => onPin(d.value)} />
      </Field>
      <Field label={confirmLabel ?? t('files.pin.confirmLabel')} validationState={messages.confirm ? 'error' : 'none'} validationMessage={messages.confirm}>
        <Input type="password" autoComplete="new-password" value={confirm} readOnly={readOnly} onChange={(_e, d) => onConfirm(d.value)} />
      </Field>
    </>
  );
}

/** Props of the PIN chooser: the two fields, and the rules they are checked against. */
export interface ChoosePinProps extends NewPinFieldsProps {
  /** Null while they load (a spinner stands in their place). */
  readonly rules: PinRules | null;
  /** The rules could not be loaded (the error is shown elsewhere): no spinner either. */
  readonly rulesFailed?: boolean;
}

/** The rules (or that they are loading) above the new PIN and the same again. */
export function ChoosePin({ rules, rulesFailed = false, ...fields }: ChoosePinProps) {
  const { t } = useTranslation();
  return (
    <>
      {rules ? <PinRulesList rules={rules} pin={fields.pin} /> : !rulesFailed && <Spinner size="tiny" label={t('files.pin.loadingRules')} />}
      <NewPinFields {...fields} />
    </>
  );
}
