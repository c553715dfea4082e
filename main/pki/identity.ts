/**
 * Identity numbers carried in the subject serialNumber (OID 2.5.4.5) of Swedish e-IDs.
 *
 * Service owners register these numbers (HSA-id for SITHS, tjänsteidentitetsnummer for
 * e-tjänstelegitimation, organisation number for seals), so the app shows them prominently with a
 * copy button. Classification is by format; the raw value is always kept exactly as issued.
 */

/** The kinds we recognise; 'other' keeps the value without claiming what it is. */
export type IdentityKind = 'hsa-id' | 'organisation-number' | 'personal-number' | 'other';

/** A classified identity number. */
export interface IdentityNumber {
  kind: IdentityKind;
  value: string;
  /** Organisation number embedded in an HSA-id, when there is one. */
  organisationNumber?: string;
}

/** Luhn check digit validation as used by Swedish personal and organisation numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Classifies a subject serialNumber. Returns null for a missing or empty value. */
export function classifyIdentity(raw: string | null): IdentityNumber | null {
  if (!raw) return null;
  const value = raw.trim();
  if (!value) return null;
  // HSA-id: country code (or a test prefix such as TSTNMT) + 10-digit organisation number + '-' + suffix.
  const hsa = value.match(/^([A-Z]{2,6})(\d{10})-([A-Za-z0-9]+)$/);
  if (hsa) return { kind: 'hsa-id', value, organisationNumber: `${hsa[2].slice(0, 6)}-${hsa[2].slice(6)}` };
  const digits = value.replace(/^16/, '').replace(/-/g, '');
  if (/^\d{10}$/.test(digits) && /^(16)?\d{6}-?\d{4}$/.test(value) && luhnValid(digits)) {
    // Organisation numbers have a month part of 20 or more; personal numbers a real month.
    return Number(digits.slice(2, 4)) >= 20 ? { kind: 'organisation-number', value } : { kind: 'personal-number', value };
  }
  if (/^(19|20)\d{10}$/.test(value) && luhnValid(value.slice(2))) return { kind: 'personal-number', value };
  return { kind: 'other', value };
}
