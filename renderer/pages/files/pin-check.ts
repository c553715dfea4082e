/**
 * The keystore PIN rules, checked as the user types.
 *
 * Main is the authority (it refuses a weak PIN with 'pin-invalid' and the rule it broke), but
 * waiting for a round trip to say "too short" is poor feedback, and the renderer may not import
 * main/. So the same four rules are written again here, by the ids `keystore:pin-rules` sends;
 * the lengths come from that answer, so only the two pattern rules are duplicated logic. A rule id
 * this file does not know is treated as met: main still checks it on import.
 */
import type { PinRuleId, PinRules } from './types';

/** Why a PIN choice cannot go on: a broken rule, or the two fields differ / are empty. */
export type PinProblem = PinRuleId | 'mismatch' | 'empty';

/** Characters as people count them (code points after NFC), as main counts them. */
function chars(pin: string): string[] {
  return [...pin.normalize('NFC')];
}

/** Digit or letter runs up or down (digits wrap 9 -> 0 as on a keypad; letters do not wrap). */
function isSimpleSequence(cs: string[]): boolean {
  const lower = cs.map((c) => c.toLowerCase());
  const digits = lower.every((c) => c >= '0' && c <= '9');
  const letters = lower.every((c) => c >= 'a' && c <= 'z');
  if (!digits && !letters) return false;
  const mod = digits ? 10 : 26;
  const base = (digits ? '0' : 'a').charCodeAt(0);
  const codes = lower.map((c) => c.charCodeAt(0) - base);
  const step = (codes[1] - codes[0] + mod) % mod;
  if (step !== 1 && step !== mod - 1) return false;
  for (let i = 1; i < codes.length; i++) {
    if ((codes[i] - codes[i - 1] + mod) % mod !== step) return false;
    if (letters && Math.abs(codes[i] - codes[i - 1]) !== 1) return false;
  }
  return true;
}

/** Whether `pin` meets one rule. */
export function meetsRule(pin: string, id: PinRuleId, rules: Pick<PinRules, 'minLength' | 'maxLength'>): boolean {
  const cs = chars(pin);
  switch (id) {
    case 'min-length':
      return cs.length >= rules.minLength;
    case 'max-length':
      return cs.length <= rules.maxLength;
    case 'not-repeated':
      return !(cs.length > 1 && cs.every((c) => c === cs[0]));
    case 'not-sequence':
      return !(cs.length > 2 && isSimpleSequence(cs));
    default:
      return true;
  }
}

/** The rules `pin` breaks, in the order main lists them. */
export function brokenRules(pin: string, rules: PinRules): PinRuleId[] {
  return rules.rules.filter((r) => !meetsRule(pin, r.id, rules)).map((r) => r.id);
}

/**
 * Everything wrong with a new PIN typed twice: empty first, then broken rules, then a mismatch
 * (telling someone their PINs differ while the first one is refused anyway is noise).
 */
export function pinProblems(pin: string, confirm: string, rules: PinRules): PinProblem[] {
  if (pin.length === 0) return ['empty'];
  const broken = brokenRules(pin, rules);
  if (broken.length > 0) return broken;
  return pin.normalize('NFC') === confirm.normalize('NFC') ? [] : ['mismatch'];
}
