/**
 * The subject of a key request, from the few fields a user fills in to the DN string main takes
 * (`keystore:create-request` parses it with main/pki/csr.ts parseDn and checks it in
 * main/keystore/requests.ts requestSubject).
 *
 * Main is the authority, but a round trip that makes a key pair only to say "the country must be
 * two letters" is poor feedback, so the same rules are checked here first: a CN is required, C is
 * two letters, and CN, O and serialNumber stay within the X.520 upper bounds (64 characters,
 * counted as code points as main counts them). The organisation or business ID goes into
 * serialNumber (OID 2.5.4.5), where Swedish e-IDs carry the organisation number and the HSA-id
 * (seed 000); issuers that want it elsewhere (Vero wants the business ID as CN, seed 002) say so,
 * and the user types it there.
 *
 * The DN is written in RFC 4514 order, most specific first ("CN=...,serialNumber=...,O=...,C=SE"),
 * with every character RFC 4514 reserves escaped, so a name such as "Åkerö, Berg & Co" reaches
 * the CA as typed.
 */

/** What the user typed. */
export interface SubjectFields {
  readonly cn: string;
  readonly o: string;
  readonly serialNumber: string;
  readonly c: string;
}

/** The fields a user starts with: Sweden as the country, the rest empty. */
export const EMPTY_SUBJECT: SubjectFields = Object.freeze({ cn: '', o: '', serialNumber: '', c: 'SE' });

/** X.520 upper bounds main enforces for the fields offered here. */
export const SUBJECT_LIMITS = Object.freeze({ cn: 64, o: 64, serialNumber: 64 });

/** What is wrong with one field. */
export type SubjectProblem = { readonly problem: 'required' } | { readonly problem: 'too-long'; readonly max: number } | { readonly problem: 'country' };

/** Problems per field; an empty object means the subject can be sent. */
export type SubjectProblems = Partial<Record<keyof SubjectFields, SubjectProblem>>;

const length = (v: string): number => [...v.trim()].length;

/** Everything wrong with the fields, per field. */
export function subjectProblems(f: SubjectFields): SubjectProblems {
  const out: Record<string, SubjectProblem> = {};
  if (!f.cn.trim()) out.cn = { problem: 'required' };
  for (const key of ['cn', 'o', 'serialNumber'] as const) {
    const max = SUBJECT_LIMITS[key];
    if (!out[key] && length(f[key]) > max) out[key] = { problem: 'too-long', max };
  }
  const c = f.c.trim();
  if (c && !/^[A-Za-z]{2}$/.test(c)) out.c = { problem: 'country' };
  return out;
}

/** Escapes one attribute value for an RFC 4514 string (the value is already trimmed). */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\",+;<>=]/g, (ch) => `\\${ch}`);
  if (out.startsWith('#')) out = `\\${out}`;
  return out;
}

/** The DN main takes, from fields that passed `subjectProblems`; empty fields are left out. */
export function subjectDn(f: SubjectFields): string {
  const parts: string[] = [`CN=${escapeDnValue(f.cn.trim())}`];
  if (f.serialNumber.trim()) parts.push(`serialNumber=${escapeDnValue(f.serialNumber.trim())}`);
  if (f.o.trim()) parts.push(`O=${escapeDnValue(f.o.trim())}`);
  if (f.c.trim()) parts.push(`C=${f.c.trim().toUpperCase()}`);
  return parts.join(',');
}

/**
 * The field main named when it refused a subject ('validation' with details.attribute), so its
 * answer lands on the right field; null for an attribute these fields do not offer.
 */
export function fieldOfAttribute(attribute: unknown): keyof SubjectFields | null {
  switch (attribute) {
    case 'CN':
      return 'cn';
    case 'O':
      return 'o';
    case 'serialNumber':
      return 'serialNumber';
    case 'C':
      return 'c';
    default:
      return null;
  }
}
