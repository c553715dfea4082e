/**
 * PIN and PUK state from CK_TOKEN_INFO flags, PIN length rules, and the errors a wrong or blocked
 * secret produces.
 *
 * Pure functions with the flag values from the PKCS#11 standard written out, so they can be unit
 * tested on synthetic flags: SoftHSM2 never sets FINAL_TRY or LOCKED (it has no retry counter),
 * real cards do, and the messages for those states must be right before a user meets them.
 */
import { EidError } from '../errors';

/** CK_TOKEN_INFO flag bits (PKCS#11 v2.40 section 3.2). */
export const TOKEN_FLAGS = {
  USER_PIN_INITIALIZED: 0x0000_0008,
  PROTECTED_AUTHENTICATION_PATH: 0x0000_0100,
  TOKEN_INITIALIZED: 0x0000_0400,
  USER_PIN_COUNT_LOW: 0x0001_0000,
  USER_PIN_FINAL_TRY: 0x0002_0000,
  USER_PIN_LOCKED: 0x0004_0000,
  USER_PIN_TO_BE_CHANGED: 0x0008_0000,
  SO_PIN_COUNT_LOW: 0x0010_0000,
  SO_PIN_FINAL_TRY: 0x0020_0000,
  SO_PIN_LOCKED: 0x0040_0000,
  SO_PIN_TO_BE_CHANGED: 0x0080_0000,
} as const;

/** State of one secret (user PIN or SO PIN / PUK) as the flags tell it. */
export interface SecretState {
  countLow: boolean;
  finalTry: boolean;
  locked: boolean;
  toBeChanged: boolean;
  /** Exactly known only in the final-try (1) and locked (0) states; null otherwise. */
  triesLeft: number | null;
}

/** Decodes the SO PIN (PUK) bits. The user PIN bits are decoded by pinStatusFromFlags in tokens.ts. */
export function soPinStateFromFlags(flags: number): SecretState {
  const locked = (flags & TOKEN_FLAGS.SO_PIN_LOCKED) !== 0;
  const finalTry = (flags & TOKEN_FLAGS.SO_PIN_FINAL_TRY) !== 0;
  return {
    countLow: (flags & TOKEN_FLAGS.SO_PIN_COUNT_LOW) !== 0,
    finalTry,
    locked,
    toBeChanged: (flags & TOKEN_FLAGS.SO_PIN_TO_BE_CHANGED) !== 0,
    triesLeft: locked ? 0 : finalTry ? 1 : null,
  };
}

/** The user PIN bits as a SecretState (same decoding as pinStatusFromFlags, without pkcs11js). */
export function userPinStateFromFlags(flags: number): SecretState {
  const locked = (flags & TOKEN_FLAGS.USER_PIN_LOCKED) !== 0;
  const finalTry = (flags & TOKEN_FLAGS.USER_PIN_FINAL_TRY) !== 0;
  return {
    countLow: (flags & TOKEN_FLAGS.USER_PIN_COUNT_LOW) !== 0,
    finalTry,
    locked,
    toBeChanged: (flags & TOKEN_FLAGS.USER_PIN_TO_BE_CHANGED) !== 0,
    triesLeft: locked ? 0 : finalTry ? 1 : null,
  };
}

/**
 * A PIN length limit is unknown when the module reports 0 (no rule) or CK_UNAVAILABLE_INFORMATION
 * (all bits set; pkcs11js gives it as 2^32-1 or 2^64-1 depending on the platform's CK_ULONG).
 */
function known(n: number): boolean {
  return Number.isFinite(n) && n > 0 && n < 0xffff_ffff;
}

/**
 * Checks a new PIN against the token's min/max before the card sees it: a card may count a
 * malformed PIN as a wrong try, and the user deserves the rule, not "failed". Lengths are in bytes
 * (PKCS#11 measures PINs in bytes of UTF-8).
 */
export function checkPinLength(pin: string, minLength: number, maxLength: number, what = 'The new PIN'): void {
  const len = Buffer.byteLength(pin, 'utf8');
  const min = known(minLength) ? minLength : 1;
  const max = known(maxLength) ? maxLength : null;
  if (len < min || (max !== null && len > max)) {
    const rule = max === null ? `at least ${min}` : min === max ? `exactly ${min}` : `${min} to ${max}`;
    throw new EidError('pin-len-range', `${what} must be ${rule} characters long for this card.`, { min, max, length: len });
  }
}

/** "1 try left" phrasing shared by the PIN and PUK messages. */
function triesText(state: SecretState, noun: string): string {
  if (state.triesLeft === 1 || state.finalTry) return ` One try is left before the ${noun} is blocked.`;
  if (state.countLow) return ` Only a few tries are left before the ${noun} is blocked.`;
  return '';
}

/**
 * The error for a wrong PIN or PUK, with the tries left read from the flags right after the
 * failure. `name` is what this card calls the secret ("PIN", "PUK", "SO PIN").
 */
export function wrongSecretError(kind: 'pin' | 'puk', state: SecretState, name: string): EidError {
  if (state.locked) return blockedSecretError(kind, name);
  const code = kind === 'pin' ? 'pin-incorrect' : 'puk-incorrect';
  return new EidError(code, `The ${name} is incorrect.${triesText(state, name)}`, {
    triesLeft: state.triesLeft,
    countLow: state.countLow,
    finalTry: state.finalTry,
  });
}

/** The error for a blocked PIN (unblock with the PUK) or a blocked PUK (the issuer must help). */
export function blockedSecretError(kind: 'pin' | 'puk', name: string, pukName = 'PUK'): EidError {
  if (kind === 'pin') return new EidError('pin-locked', `The ${name} is blocked after too many wrong tries. Unblock it with the ${pukName}.`, { triesLeft: 0 });
  return new EidError('puk-locked', `The ${name} is blocked too. The card cannot be unblocked here: contact the card issuer.`, { triesLeft: 0 });
}
