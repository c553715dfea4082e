/**
 * Small wording helpers shared by the page, the dialogs and the wizard steps: store names, waits
 * ("2 minutes"), sizes, expiry, and error sentences with what to do next. Kept in one place so the
 * same thing is called the same everywhere, in both languages.
 */
import type { TFunction } from 'i18next';
import type { OsStoreKind } from './types';

/** Days before expiry from which an e-ID is flagged: renewal opens two months ahead (seed 003). */
export const EXPIRES_SOON_DAYS = 60;

/** The user-facing name of an OS certificate store kind. */
export function storeName(t: TFunction, kind: OsStoreKind): string {
  return t(`files.store.${kind}`);
}

/** A wait in words: seconds under two minutes, else whole minutes (rounded up). */
export function waitText(t: TFunction, seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return s < 120 ? t('files.time.seconds', { count: s }) : t('files.time.minutes', { count: Math.ceil(s / 60) });
}

/** A size limit in words (1 MB rather than 1048576). */
export function sizeText(bytes: number, lang: string): string {
  const mb = bytes / (1024 * 1024);
  return `${mb.toLocaleString(lang === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: 1 })} MB`;
}

/** Whole days until `iso` (negative once passed). */
export function daysUntil(iso: string, now = new Date()): number {
  return Math.floor((new Date(iso).getTime() - now.getTime()) / 86_400_000);
}

/** What the user can do about an error, for the codes the import can end with. */
export function nextStepText(t: TFunction, code: string): string {
  const key = `files.next.${code}`;
  const text = String(t(key));
  return text === key ? t('files.next.default') : text;
}
