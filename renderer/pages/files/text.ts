/**
 * Small wording helpers shared by the page, the dialogs and the wizard steps: store names, waits
 * ("2 minutes"), sizes, expiry, and error sentences with what to do next. Kept in one place so the
 * same thing is called the same everywhere, in both languages.
 */
import type { TFunction } from 'i18next';
import { formatDate } from '../../format';
import type { OsStoreKind, UiError } from './types';

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

/**
 * What the user can do about an error, for the codes the import can end with. A certificate file
 * (`kind` 'certificate') has its own advice where an e-ID file's would mislead (no PIN letter, no
 * order-portal download), and the e-ID file's otherwise.
 */
export function nextStepText(t: TFunction, code: string, kind: 'p12' | 'certificate' = 'p12'): string {
  const keys = kind === 'certificate' ? [`files.nextCertificate.${code}`, `files.next.${code}`] : [`files.next.${code}`];
  for (const key of keys) {
    const text = String(t(key));
    if (text !== key) return text;
  }
  return t('files.next.default');
}

/**
 * A refusal that main explains by `details.reason` ('validation' on pairing: expired,
 * not-yet-valid, ca-certificate, several-certificates, has-private-key), or a PKCS#12 handed in
 * under a certificate file's name ('malformed' with details.kind 'pkcs12'), in the user's
 * language; null when the error has no reason this file knows (then the code's translation is used).
 */
export function reasonText(t: TFunction, lang: string, err: UiError): string | null {
  const reason = typeof err.details?.reason === 'string' ? err.details.reason : err.code === 'malformed' && err.details?.kind === 'pkcs12' ? 'pkcs12-file' : null;
  if (!reason) return null;
  const key = `files.reason.${reason}`;
  const date = typeof err.details?.notBefore === 'string' ? err.details.notBefore : typeof err.details?.notAfter === 'string' ? err.details.notAfter : '';
  const text = String(t(key, { date: date ? formatDate(date, lang) : '' }));
  return text === key ? null : text;
}
