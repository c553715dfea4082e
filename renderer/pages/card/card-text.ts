/**
 * Sentences the card dialogs build from a report or an error: the unblock secret's name in the
 * form a sentence needs, the length rule, and errors translated with their tries left.
 *
 * The shell's errorText translates a code alone; a wrong PIN needs more (which PIN, how many tries
 * are left when the card tells, never a count the card did not give), so card errors go through
 * cardErrorText, which falls back to errorText for codes it has nothing to add to.
 */
import type { TFunction } from 'i18next';
import { errorText } from '../../i18n';
import { lengthRuleKey, type PinRules } from './pin-rules';

/** The unblock secret as the report names it. */
export type SecretName = 'PUK' | 'SO PIN';

/** The string key of a secret name. */
function secretKey(name: SecretName): 'puk' | 'soPin' {
  return name === 'SO PIN' ? 'soPin' : 'puk';
}

/** "PUK" / "PUK-kod" (a field label). */
export function secretLabel(t: TFunction, name: SecretName): string {
  return t(`card.secret.${secretKey(name)}.label`);
}

/** "the PUK" / "PUK-koden" (inside a sentence). */
export function secretThe(t: TFunction, name: SecretName): string {
  return t(`card.secret.${secretKey(name)}.the`);
}

/** "The PUK" / "PUK-koden" (at the start of a sentence). */
export function secretAtStart(t: TFunction, name: SecretName): string {
  return t(`card.secret.${secretKey(name)}.The`);
}

/** "6–8 digits", "at least 4 characters"... */
export function ruleText(t: TFunction, rules: PinRules): string {
  const r = lengthRuleKey(rules);
  return t(`card.rules.${r.key}`, { min: r.min, max: r.max });
}

/** A bridge error as the dialogs see it. */
interface ErrorLike {
  readonly code?: string;
  readonly message?: string;
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * "3 tries left", "One more wrong try blocks it", "Only a few tries are left", or that the card
 * did not say. A count is shown only when the card reported one (SoftHSM2 never does).
 */
export function triesSentence(t: TFunction, details: ErrorLike['details']): string {
  const tries = typeof details?.triesLeft === 'number' ? details.triesLeft : null;
  if (details?.finalTry === true || tries === 1) return t('card.errors.finalTry');
  if (tries !== null && tries > 1) return t('card.errors.triesLeft', { count: tries });
  if (details?.countLow === true) return t('card.errors.countLow');
  return t('card.errors.triesUnknown');
}

/** What the error is about, so a wrong PIN says which one. */
export interface ErrorContext {
  /** The unblock secret's name on this card. */
  readonly secret: SecretName;
  /** The rules of a new PIN, to restate on a length refusal. */
  readonly rules?: PinRules | null;
  /** The PIN typed was the current PIN of a change ("The current PIN is wrong"). */
  readonly oldPin?: boolean;
}

/** A user-facing sentence for a card operation's error. */
export function cardErrorText(t: TFunction, err: unknown, ctx: ErrorContext): string {
  const e = (err ?? {}) as ErrorLike;
  const the = secretThe(t, ctx.secret);
  switch (e.code) {
    case 'pin-incorrect':
      return `${t(ctx.oldPin ? 'card.errors.oldPinIncorrect' : 'card.errors.pinIncorrect')} ${triesSentence(t, e.details)}`;
    case 'puk-incorrect':
      return `${t('card.errors.pukIncorrect', { secret: secretAtStart(t, ctx.secret) })} ${triesSentence(t, e.details)}`;
    case 'pin-locked':
      return t('card.errors.pinLocked', { secret: the });
    case 'puk-locked':
      return t('card.errors.pukLocked', { secret: secretAtStart(t, ctx.secret) });
    case 'pin-len-range': {
      const min = typeof e.details?.min === 'number' ? e.details.min : ctx.rules?.min;
      const max = typeof e.details?.max === 'number' ? e.details.max : e.details?.max === null ? null : (ctx.rules?.max ?? null);
      if (min === undefined) return errorText(t, err);
      return t('card.errors.pinLenRange', { rule: ruleText(t, { min, max, digitsOnly: ctx.rules?.digitsOnly ?? false }) });
    }
    case 'pin-invalid':
      return t('card.errors.pinInvalid');
    case 'unblock-unsupported':
      return t('card.errors.unblockUnsupported');
    case 'token-not-present':
      return t('card.errors.tokenNotPresent');
    case 'pkcs11':
      return t('card.errors.pkcs11');
    case 'no-private-key':
      return t('card.errors.noPrivateKey');
    case 'no-certificate':
      return t('card.errors.noCertificate');
    case 'unsupported':
      return t('card.errors.unsupported');
    default:
      return errorText(t, err);
  }
}

/** The code of an error, if it has one. */
export function codeOf(err: unknown): string | undefined {
  return (err as ErrorLike | null)?.code;
}

/** A failed request and whether a step that changes the card had begun. */
export interface Failure {
  readonly error: unknown;
  readonly reachedCritical: boolean;
}

/** Codes the change and unblock dialogs show at the new-PIN field rather than above the form. */
export const NEW_PIN_CODES: ReadonlySet<string> = new Set(['pin-len-range', 'pin-invalid']);

/**
 * The card went away: pulled during the operation (token-removed), or already gone when main
 * looked for it (token-not-present, and then nothing at all was done). Both get the plain
 * "the card was taken out" notice with what state the card is in.
 */
export function isCardGone(code: string | undefined): boolean {
  return code === 'token-removed' || code === 'token-not-present';
}
