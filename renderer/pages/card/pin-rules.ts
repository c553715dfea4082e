/**
 * The rules a new PIN must meet, as the card states them (CK_TOKEN_INFO min/max length) plus
 * whether its PINs are digits, and the live check the dialogs run on every keystroke.
 *
 * Pure (no React, no i18n) so it is unit-tested directly. The card is the authority: main checks
 * the length again before the card sees the PIN, and the card may still refuse (pin-invalid). We
 * check first because a card may count a malformed PIN as a wrong try, and because a rule shown
 * while typing beats an error after submitting.
 */

/** What a new PIN must look like on one card. `max` null: the card states no upper limit. */
export interface PinRules {
  readonly min: number;
  readonly max: number | null;
  readonly digitsOnly: boolean;
}

/**
 * A length from the token info is a rule only when it is a real number: 0 means "no rule" and
 * CK_UNAVAILABLE_INFORMATION arrives as 2^32-1 or 2^64-1 (the same test as main/card/pin-flags.ts).
 */
function known(n: number): boolean {
  return Number.isFinite(n) && n > 0 && n < 0xffff_ffff;
}

/** The rules from a PIN status (token info lengths) and the report's digitsOnly. */
export function pinRules(pin: { readonly minLength: number; readonly maxLength: number }, digitsOnly: boolean): PinRules {
  const min = known(pin.minLength) ? pin.minLength : 1;
  const max = known(pin.maxLength) && pin.maxLength >= min ? pin.maxLength : null;
  return { min, max, digitsOnly };
}

/** PKCS#11 counts PIN lengths in bytes of UTF-8, not characters. */
export function pinLength(pin: string): number {
  return new TextEncoder().encode(pin).length;
}

/** One reason a new PIN is not accepted yet. */
export type PinProblem = 'new-required' | 'too-short' | 'too-long' | 'not-digits' | 'confirm-required' | 'mismatch';

/** The live state of each rule: met, not met yet (nothing typed), or broken. */
export type RuleState = 'met' | 'pending' | 'broken';

/** The outcome of checking a new PIN and its repetition. */
export interface PinCheck {
  readonly ok: boolean;
  /** Problems with the new PIN itself (first one is shown at the field). */
  readonly newPin: readonly PinProblem[];
  /** Problems with the repetition. */
  readonly confirm: readonly PinProblem[];
  /** For the live rule list. `digits` is null when the card takes any characters. */
  readonly rules: { readonly length: RuleState; readonly digits: RuleState | null; readonly match: RuleState };
}

/** Checks a new PIN and its repetition against the rules. */
export function checkNewPin(rules: PinRules, newPin: string, confirm: string): PinCheck {
  const len = pinLength(newPin);
  const newProblems: PinProblem[] = [];
  if (newPin === '') newProblems.push('new-required');
  else {
    if (rules.digitsOnly && !/^[0-9]+$/.test(newPin)) newProblems.push('not-digits');
    if (len < rules.min) newProblems.push('too-short');
    if (rules.max !== null && len > rules.max) newProblems.push('too-long');
  }
  const confirmProblems: PinProblem[] = [];
  if (confirm === '') confirmProblems.push('confirm-required');
  else if (confirm !== newPin) confirmProblems.push('mismatch');

  const lengthOk = newPin !== '' && len >= rules.min && (rules.max === null || len <= rules.max);
  // Too short is only "broken" once it cannot be fixed by typing on; too long is broken at once.
  const lengthState: RuleState = lengthOk ? 'met' : rules.max !== null && len > rules.max ? 'broken' : 'pending';
  const digitsState: RuleState | null = !rules.digitsOnly ? null : newPin === '' ? 'pending' : /^[0-9]+$/.test(newPin) ? 'met' : 'broken';
  const matchState: RuleState = confirm === '' ? 'pending' : confirm === newPin ? 'met' : confirm.length >= newPin.length || !newPin.startsWith(confirm) ? 'broken' : 'pending';
  return {
    ok: newProblems.length === 0 && confirmProblems.length === 0,
    newPin: newProblems,
    confirm: confirmProblems,
    rules: { length: lengthState, digits: digitsState, match: matchState },
  };
}

/** Which sentence states the length rule (the i18n key under card.rules) and its values. */
export function lengthRuleKey(rules: PinRules): { key: string; min: number; max: number | null } {
  const unit = rules.digitsOnly ? 'Digits' : 'Chars';
  if (rules.max === null) return { key: `min${unit}`, min: rules.min, max: null };
  if (rules.max === rules.min) return { key: `exact${unit}`, min: rules.min, max: rules.max };
  return { key: `range${unit}`, min: rules.min, max: rules.max };
}
