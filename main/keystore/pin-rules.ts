/**
 * Rules for the keystore PIN a user chooses for an e-ID on file.
 *
 * The PIN is the only secret between a copied keystore file and the private key (the OS layer is
 * a bonus that is not always there), so it must not be one of the PINs an attacker tries first.
 * Kept short and explainable: the wizard shows PIN_RULES before the user types, and a violation
 * names the rule it broke so the message can be specific. The KDF cost (see keystore.ts) is what
 * makes each guess expensive; these rules only remove the handful of guesses tried first.
 */
import { EidError } from '../errors';

/** One rule as data, so the UI can list it (by `id`, translated) and mark it as met or not. */
export interface PinRule {
  readonly id: 'min-length' | 'max-length' | 'not-repeated' | 'not-sequence';
  /** English text for the CLI and logs; the renderer translates by id. */
  readonly text: string;
}

/** Shortest accepted PIN, in characters (Unicode code points). */
export const PIN_MIN_LENGTH = 6;
/** Longest accepted PIN: generous for passphrases, bounded so nothing absurd reaches the KDF. */
export const PIN_MAX_LENGTH = 128;

/** The rules, in the order they are shown to users. */
export const PIN_RULES: readonly PinRule[] = [
  { id: 'min-length', text: `At least ${PIN_MIN_LENGTH} characters.` },
  { id: 'max-length', text: `At most ${PIN_MAX_LENGTH} characters.` },
  { id: 'not-repeated', text: 'Not the same character repeated (such as 111111).' },
  { id: 'not-sequence', text: 'Not a simple sequence (such as 123456, 654321 or abcdef).' },
];

/**
 * PINs are compared after Unicode NFC normalisation, so "Å" typed as one code point or as A plus
 * a combining ring opens the same e-ID on every keyboard and OS.
 */
export function normalisePin(pin: string): string {
  return pin.normalize('NFC');
}

/** The ids of the rules a PIN breaks; empty when it is acceptable. */
export function checkPin(pin: string): PinRule['id'][] {
  const chars = [...normalisePin(pin)];
  const broken: PinRule['id'][] = [];
  if (chars.length < PIN_MIN_LENGTH) broken.push('min-length');
  if (chars.length > PIN_MAX_LENGTH) broken.push('max-length');
  if (chars.length > 1 && chars.every((c) => c === chars[0])) broken.push('not-repeated');
  else if (chars.length > 2 && isSimpleSequence(chars)) broken.push('not-sequence');
  return broken;
}

/** Throws 'pin-invalid' naming the first rule broken (details.rule), for the UI to highlight. */
export function assertPinAcceptable(pin: string): void {
  const broken = checkPin(pin);
  if (broken.length === 0) return;
  const rule = PIN_RULES.find((r) => r.id === broken[0]);
  throw new EidError('pin-invalid', `The new PIN is not accepted: ${rule?.text ?? broken[0]} Choose another PIN.`, {
    rule: broken[0],
    rules: broken.join(','),
  });
}

/**
 * Ascending or descending runs of digits (wrapping 9 -> 0, as on a keypad: 890123) or of letters
 * (case-insensitive). Mixed classes are not a sequence.
 */
function isSimpleSequence(chars: string[]): boolean {
  const lower = chars.map((c) => c.toLowerCase());
  const allDigits = lower.every((c) => c >= '0' && c <= '9');
  const allLetters = lower.every((c) => c >= 'a' && c <= 'z');
  if (!allDigits && !allLetters) return false;
  const mod = allDigits ? 10 : 26;
  const base = allDigits ? '0'.charCodeAt(0) : 'a'.charCodeAt(0);
  const codes = lower.map((c) => c.charCodeAt(0) - base);
  const step = (codes[1] - codes[0] + mod) % mod;
  if (step !== 1 && step !== mod - 1) return false;
  for (let i = 1; i < codes.length; i++) {
    const d = (codes[i] - codes[i - 1] + mod) % mod;
    if (d !== step) return false;
    // Letters do not wrap (yzabcd is not something people type as a sequence).
    if (allLetters && Math.abs(codes[i] - codes[i - 1]) !== 1) return false;
  }
  return true;
}
