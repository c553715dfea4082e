/**
 * PKCS#10 certificate requests (RFC 2986), built from parts so that the private key never has to
 * be in this process: the caller passes the subject, the SubjectPublicKeyInfo and a signing
 * callback (the card signs the exact CertificationRequestInfo bytes). Also a parser for our own
 * and other CSRs, a local verification with node:crypto, and a distinguished-name parser for the
 * `--subject` the user types.
 *
 * Only main/pki/der.ts is used: the request's bytes must be exactly the ones that were signed.
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import * as der from './der';
import { EidError, isEidError } from '../errors';
import { readPublicKeyInfo, type PublicKeyInfo } from './certificate';

/** Signature algorithms we produce (the ones every CA accepts for card keys). */
export type CsrSignatureAlgorithm = 'sha256WithRSAEncryption' | 'ecdsaWithSHA256';

const SIG_OIDS: Readonly<Record<CsrSignatureAlgorithm, string>> = {
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
};

/** AlgorithmIdentifier: RSA signature algorithms carry NULL parameters, ECDSA ones none (RFC 5758). */
function algorithmIdentifier(alg: CsrSignatureAlgorithm): Buffer {
  return alg === 'sha256WithRSAEncryption' ? der.sequence(der.oid(SIG_OIDS[alg]), der.nul()) : der.sequence(der.oid(SIG_OIDS[alg]));
}

/** Attribute short names accepted in a DN string, with their OIDs. Case-insensitive on input. */
const DN_ATTRIBUTES: ReadonlyArray<readonly [string[], string]> = [
  [['CN', 'commonName'], '2.5.4.3'],
  [['SN', 'surname'], '2.5.4.4'],
  [['serialNumber'], '2.5.4.5'],
  [['C', 'countryName'], '2.5.4.6'],
  [['L', 'localityName'], '2.5.4.7'],
  [['ST', 'S', 'stateOrProvinceName'], '2.5.4.8'],
  [['street', 'streetAddress'], '2.5.4.9'],
  [['O', 'organizationName'], '2.5.4.10'],
  [['OU', 'organizationalUnitName'], '2.5.4.11'],
  [['title'], '2.5.4.12'],
  [['GN', 'G', 'givenName'], '2.5.4.42'],
  [['organizationIdentifier'], '2.5.4.97'],
  [['E', 'emailAddress'], '1.2.840.113549.1.9.1'],
  [['DC', 'domainComponent'], '0.9.2342.19200300.100.1.25'],
  [['UID', 'userId'], '0.9.2342.19200300.100.1.1'],
];

const NAME_TO_OID = new Map<string, string>(DN_ATTRIBUTES.flatMap(([names, o]) => names.map((n) => [n.toLowerCase(), o] as const)));

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * Encodes one attribute value the way issuers expect: countryName as PrintableString (X.520
 * requires it), serialNumber as PrintableString when it fits (the HSA-id always does), e-mail and
 * domain components as IA5String, everything else as UTF8String so Å, Ä and Ö survive.
 */
function encodeValue(oidStr: string, value: string): Buffer {
  if (oidStr === '2.5.4.6') {
    if (!/^[A-Za-z]{2}$/.test(value)) throw new EidError('validation', `The country (C) must be two letters, like SE; got "${value}".`);
    return der.printableString(value.toUpperCase());
  }
  if (oidStr === '2.5.4.5' && PRINTABLE.test(value)) return der.printableString(value);
  if (oidStr === '1.2.840.113549.1.9.1' || oidStr === '0.9.2342.19200300.100.1.25') {
    // eslint-disable-next-line no-control-regex
    if (!/^[\x00-\x7f]*$/.test(value)) throw new EidError('validation', `An e-mail address or domain component must be plain ASCII; got "${value}".`);
    return der.tlv(der.Tag.IA5_STRING, Buffer.from(value, 'ascii'));
  }
  return der.utf8String(value);
}

/** Splits on an unescaped separator, keeping backslash escapes and quoted strings intact. */
function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + s[++i];
    } else if (ch === '"') {
      quoted = !quoted;
      cur += ch;
    } else if (ch === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (quoted) throw new EidError('validation', 'The subject has an unterminated quote.');
  out.push(cur);
  return out;
}

/** Undoes RFC 4514 escaping: `\,` `\+` `\\` `\"`, `\XX` hex pairs (UTF-8), and surrounding quotes. */
function unescapeValue(raw: string): string {
  let s = raw.trim();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      const hex = s.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(s[++i], 'utf8'));
      }
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Parses a distinguished name typed by a user into a DER Name.
 *
 * Two spellings are accepted, because both circulate in issuers' instructions:
 * - RFC 4514, most specific first: `CN=Åsa Öberg,O=Västra Götalandsregionen,serialNumber=SE2321000156-10XX,C=SE`
 *   (stored in reverse, so C comes first in the DER as in every certificate);
 * - OpenSSL's slash form, in DER order: `/C=SE/O=Västra Götalandsregionen/CN=Åsa Öberg`.
 * Multi-valued RDNs use `+`. Values are UTF8String except where X.520 wants otherwise.
 */
export function parseDn(dn: string): Buffer {
  const text = dn.trim();
  if (!text) throw new EidError('validation', 'The subject is empty. Give it like "CN=Name,O=Organisation,C=SE".');
  const slashForm = text.startsWith('/');
  const rdnTexts = slashForm ? splitUnescaped(text.slice(1), '/') : splitUnescaped(text, ',');
  const rdns = rdnTexts.map((rdnText) => {
    const atvs = splitUnescaped(rdnText, '+').map((atv) => {
      const eq = atv.indexOf('=');
      if (eq <= 0) throw new EidError('validation', `"${atv.trim()}" in the subject is not NAME=value.`);
      const name = atv.slice(0, eq).trim();
      const value = unescapeValue(atv.slice(eq + 1));
      const oidStr = /^\d+(\.\d+)+$/.test(name) ? name : NAME_TO_OID.get(name.toLowerCase());
      if (!oidStr) throw new EidError('validation', `Unknown attribute "${name}" in the subject. Use CN, O, OU, C, L, ST, serialNumber, GN, SN, E, title or a dotted OID.`);
      if (!value) throw new EidError('validation', `The attribute ${name} in the subject has no value.`);
      return der.sequence(der.oid(oidStr), encodeValue(oidStr, value));
    });
    return der.setOf(...atvs);
  });
  return der.sequence(...(slashForm ? rdns : rdns.reverse()));
}

/** Encodes the CertificationRequestInfo: the exact bytes the card signs. */
export function certificationRequestInfo(subject: Buffer, spki: Buffer, attributes: readonly Buffer[] = []): Buffer {
  // attributes [0] IMPLICIT SET OF Attribute: present even when empty (RFC 2986).
  return der.sequence(der.integer(0), subject, spki, der.context(0, true, ...[...attributes].sort(Buffer.compare)));
}

/** What a CSR is made of. */
export interface CsrParts {
  /** DER Name (from parseDn, or copied from a certificate). */
  subject: Buffer;
  /** DER SubjectPublicKeyInfo of the key that signs. */
  spki: Buffer;
  signatureAlgorithm: CsrSignatureAlgorithm;
  /** Already-encoded Attribute SEQUENCEs (e.g. an extensionRequest). */
  attributes?: readonly Buffer[];
}

/**
 * Builds a CSR. `sign` gets the CertificationRequestInfo bytes and returns the signature value as
 * X.509 wants it: PKCS#1 v1.5 bytes for RSA, a DER ECDSA-Sig-Value for ECDSA (see ecdsaRawToDer).
 */
export async function buildCsr(parts: CsrParts, sign: (tbs: Buffer) => Buffer | Promise<Buffer>): Promise<Buffer> {
  const info = certificationRequestInfo(parts.subject, parts.spki, parts.attributes);
  const signature = await sign(info);
  return der.sequence(info, algorithmIdentifier(parts.signatureAlgorithm), der.bitString(signature));
}

/** A parsed CSR. */
export interface ParsedCsr {
  der: Buffer;
  /** CertificationRequestInfo, as signed. */
  info: Buffer;
  version: number;
  subjectRaw: Buffer;
  /** Attribute short name -> value, decoded to Unicode. */
  subject: Record<string, string>;
  /** RFC 4514 form, most specific first. */
  subjectDn: string;
  spki: Buffer;
  publicKey: PublicKeyInfo;
  /** Raw Attribute elements. */
  attributes: Buffer[];
  signatureAlgorithm: string;
  signature: Buffer;
}

const OID_TO_NAME = new Map<string, string>(DN_ATTRIBUTES.map(([names, o]) => [o, names[0]] as const));

/** Parses a DER or PEM CSR. Throws EidError('malformed') with the reason on bad input. */
export function parseCsr(input: Buffer | string): ParsedCsr {
  const bytes = typeof input === 'string' || input.subarray(0, 11).toString('latin1') === '-----BEGIN ' ? fromPem(input.toString(), 'CERTIFICATE REQUEST') : Buffer.from(input);
  try {
    const [infoNode, algNode, sigNode] = der.seq(der.decode(bytes), 'CertificationRequest');
    const [versionNode, subjectNode, spkiNode, attrsNode] = der.seq(infoNode, 'CertificationRequestInfo');
    const subject: Record<string, string> = {};
    const rdns: string[] = [];
    for (const rdn of der.seq(subjectNode, 'subject')) {
      const parts: string[] = [];
      for (const atv of der.children(der.expectTag(rdn, der.Tag.SET, 'rdn'))) {
        const [t, v] = der.seq(atv, 'attribute');
        const o = der.readOid(t, 'attribute type');
        const name = OID_TO_NAME.get(o) ?? o;
        const value = der.readString(v);
        subject[name] = subject[name] ? `${subject[name]}, ${value}` : value;
        parts.push(`${name}=${value.replace(/([,+"\\<>;])/g, '\\$1')}`);
      }
      rdns.push(parts.join('+'));
    }
    if (!attrsNode || attrsNode.tag !== 0xa0) throw new der.DerError('attributes [0] missing');
    const sig = der.expectTag(sigNode, der.Tag.BIT_STRING, 'signature').value;
    if (sig[0] !== 0) throw new der.DerError('signature has unused bits');
    return {
      der: bytes,
      info: infoNode.raw,
      version: der.readSmallInt(versionNode, 'version'),
      subjectRaw: subjectNode.raw,
      subject,
      subjectDn: rdns.reverse().join(', '),
      spki: der.expectTag(spkiNode, der.Tag.SEQUENCE, 'spki').raw,
      publicKey: readPublicKeyInfo(spkiNode.raw),
      attributes: der.children(attrsNode).map((n) => Buffer.from(n.raw)),
      signatureAlgorithm: der.readOid(der.seq(algNode, 'signatureAlgorithm')[0], 'signature algorithm'),
      signature: sig.subarray(1),
    };
  } catch (err) {
    if (isEidError(err)) throw err;
    throw new EidError('malformed', `The certificate request is not valid DER: ${(err as Error).message}.`);
  }
}

/** Checks a CSR's self-signature with its own public key (node:crypto). */
export function verifyCsr(csr: ParsedCsr | Buffer | string): boolean {
  const parsed = Buffer.isBuffer(csr) || typeof csr === 'string' ? parseCsr(csr) : csr;
  const hash = parsed.signatureAlgorithm === SIG_OIDS.sha256WithRSAEncryption || parsed.signatureAlgorithm === SIG_OIDS.ecdsaWithSHA256 ? 'sha256' : undefined;
  if (!hash) return false;
  try {
    const key = createPublicKey({ key: parsed.spki, format: 'der', type: 'spki' });
    return cryptoVerify(hash, parsed.info, { key, dsaEncoding: 'der' }, parsed.signature);
  } catch {
    return false;
  }
}

/** PEM armour with 64-character lines. */
export function toPem(derBytes: Buffer, label: string): string {
  const b64 = derBytes.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Extracts the first PEM block with `label` (NEW CERTIFICATE REQUEST is accepted for requests). */
export function fromPem(text: string, label: string): Buffer {
  const labels = label === 'CERTIFICATE REQUEST' ? '(?:NEW )?CERTIFICATE REQUEST' : label;
  const m = text.match(new RegExp(`-----BEGIN ${labels}-----([\\s\\S]*?)-----END ${labels}-----`));
  if (!m) throw new EidError('malformed', `No "${label}" PEM block found.`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

/**
 * Converts a PKCS#11 ECDSA signature (r || s, each half the length) to the DER ECDSA-Sig-Value
 * that X.509, CSRs and node:crypto expect.
 */
export function ecdsaRawToDer(raw: Buffer): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new EidError('malformed', `An ECDSA signature from the card has an odd length (${raw.length} bytes).`);
  const half = raw.length / 2;
  return der.sequence(der.integer(raw.subarray(0, half)), der.integer(raw.subarray(half)));
}

/** The reverse of ecdsaRawToDer, padding r and s to `size` bytes each (32 for P-256). */
export function ecdsaDerToRaw(sig: Buffer, size: number): Buffer {
  const [r, s] = der.seq(der.decode(sig), 'ECDSA-Sig-Value').map((n) => der.expectTag(n, der.Tag.INTEGER, 'r/s').value);
  const fit = (v: Buffer) => {
    let x = v;
    while (x.length > size && x[0] === 0) x = x.subarray(1);
    if (x.length > size) throw new EidError('malformed', 'ECDSA value longer than the curve size.');
    return Buffer.concat([Buffer.alloc(size - x.length), x]);
  };
  return Buffer.concat([fit(r), fit(s)]);
}
