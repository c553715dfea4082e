/**
 * New PIN and its repetition, with the card's rules shown and checked live. Shared by the change
 * and unblock dialogs. Errors at the fields appear once the user has left a field or submitted;
 * the rule list updates on every keystroke.
 */
import { Text, makeStyles, tokens } from '@fluentui/react-components';
import { CheckmarkCircleFilled, CircleRegular, DismissCircleFilled } from '@fluentui/react-icons';
import { useId, useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ruleText } from './card-text';
import type { PinCheck, PinProblem, PinRules, RuleState } from './pin-rules';
import { SecretField } from './secret-field';

const useStyles = makeStyles({
  rules: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  item: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  met: { color: tokens.colorPaletteGreenForeground1 },
  broken: { color: tokens.colorPaletteRedForeground1 },
  pending: { color: tokens.colorNeutralForeground3 },
  hidden: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' },
});

/** The message for a new-PIN problem. */
export function problemText(t: TFunction, rules: PinRules, p: PinProblem): string {
  switch (p) {
    case 'new-required':
      return t('card.rules.newRequired');
    case 'too-short':
      return t('card.rules.tooShort', { rule: ruleText(t, rules) });
    case 'too-long':
      return t('card.rules.tooLong', { rule: ruleText(t, rules) });
    case 'not-digits':
      return t('card.rules.notDigits');
    case 'confirm-required':
      return t('card.rules.confirmRequired');
    case 'mismatch':
      return t('card.rules.mismatch');
  }
}

function RuleItem({ state, text }: { readonly state: RuleState; readonly text: string }) {
  const { t } = useTranslation();
  const s = useStyles();
  const icon = state === 'met' ? <CheckmarkCircleFilled className={s.met} aria-hidden /> : state === 'broken' ? <DismissCircleFilled className={s.broken} aria-hidden /> : <CircleRegular className={s.pending} aria-hidden />;
  return (
    <li className={s.item} data-state={state}>
      {icon}
      <Text>{text}</Text>
      <span className={s.hidden}>{state === 'met' ? t('card.rules.met') : state === 'broken' ? t('card.rules.broken') : t('card.rules.notMet')}</span>
    </li>
  );
}

/** Props of the new-PIN pair. */
export interface NewPinFieldsProps {
  readonly rules: PinRules;
  readonly check: PinCheck;
  readonly newPin: string;
  readonly confirm: string;
  readonly onNewPin: (v: string) => void;
  readonly onConfirm: (v: string) => void;
  /** A submit was tried: show every problem. */
  readonly submitted: boolean;
  readonly readOnly: boolean;
  /** An error from the card about the new PIN (length or characters refused). */
  readonly cardError?: string | null;
  readonly newRef?: Ref<HTMLInputElement>;
  readonly confirmRef?: Ref<HTMLInputElement>;
}

/** The two fields and the live rule list. */
export function NewPinFields(p: NewPinFieldsProps) {
  const { t } = useTranslation();
  const s = useStyles();
  const rulesId = useId();
  const [leftNew, setLeftNew] = useState(false);
  const [leftConfirm, setLeftConfirm] = useState(false);
  // Letters in a digits-only PIN and "too long" are wrong at once; "too short" only once the user moved on.
  const immediate = p.check.newPin.filter((x) => x === 'not-digits' || x === 'too-long');
  const newProblems = p.submitted || (leftNew && p.newPin !== '') ? p.check.newPin : immediate;
  const showConfirm = p.submitted || (p.confirm !== '' && (leftConfirm || p.check.rules.match === 'broken'));
  const confirmProblems = showConfirm ? p.check.confirm : [];
  const newError = p.cardError ?? (newProblems[0] ? problemText(t, p.rules, newProblems[0]) : null);
  return (
    <>
      <SecretField
        label={t('card.change.new')}
        value={p.newPin}
        onChange={p.onNewPin}
        digitsOnly={p.rules.digitsOnly}
        hint={t('card.rules.length', { rule: ruleText(t, p.rules) })}
        error={newError}
        readOnly={p.readOnly}
        inputRef={p.newRef}
        onBlur={() => p.newPin !== '' && setLeftNew(true)}
        testId="new-pin"
      />
      <SecretField
        label={t('card.change.confirm')}
        value={p.confirm}
        onChange={p.onConfirm}
        digitsOnly={p.rules.digitsOnly}
        error={confirmProblems[0] ? problemText(t, p.rules, confirmProblems[0]) : null}
        readOnly={p.readOnly}
        inputRef={p.confirmRef}
        onBlur={() => p.confirm !== '' && setLeftConfirm(true)}
        testId="confirm-pin"
      />
      <div className={s.rules} role="group" aria-labelledby={rulesId} data-testid="pin-rules">
        <Text id={rulesId} weight="semibold">
          {t('card.rules.heading')}
        </Text>
        <ul className={s.list}>
          <RuleItem state={p.check.rules.length} text={t('card.rules.length', { rule: ruleText(t, p.rules) })} />
          {p.check.rules.digits && <RuleItem state={p.check.rules.digits} text={t('card.rules.digits')} />}
          <RuleItem state={p.check.rules.match} text={t('card.rules.match')} />
        </ul>
      </div>
    </>
  );
}
