/**
 * Key objects on a token: reading what they are (type, size, curve, public part), building the
 * SubjectPublicKeyInfo a CSR needs from PKCS#11 attributes, and matching a certificate to the key
 * it was issued for.
 *
 * Matching compares the public numbers (RSA modulus and exponent, EC curve and point), never key
 * handles or labels: after a failed enrolment, labels are whatever the old software wrote.
 */
import { createHash } from 'node:crypto';
import * as der from '../pki/der';
import { pkcs11js } from './pkcs11';
import { findAll } from './tokens';
import { attrBool, attrUlong, readAttributes, type TokenSession } from './session';

/** The three key kinds we generate. */
export type KeyAlgorithm = 'rsa2048' | 'rsa3072' | 'ec-p256';

/** All of them, for argument checking and the UI's choice. */
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['rsa2048', 'rsa3072', 'ec-p256'];

const RSA_OID = '1.2.840.113549.1.1.1';
const EC_OID = '1.2.840.10045.2.1';

/** Named curves by the DER of their OID (the form CKA_EC_PARAMS holds). */
export const CURVES: ReadonlyArray<{ name: string; oid: string; params: Buffer; bits: number }> = [
  { name: 'P-256', oid: '1.2.840.10045.3.1.7', params: der.oid('1.2.840.10045.3.1.7'), bits: 256 },
  { name: 'P-384', oid: '1.3.132.0.34', params: der.oid('1.3.132.0.34'), bits: 384 },
  { name: 'P-521', oid: '1.3.132.0.35', params: der.oid('1.3.132.0.35'), bits: 521 },
];

/** The public part of a key, normalised for comparison. */
export type PublicNumbers = { kind: 'rsa'; modulus: Buffer; exponent: Buffer } | { kind: 'ec'; params: Buffer; point: Buffer };

/** What a key object on the card is. */
export interface KeyObjectInfo {
  handle: Buffer;
  cls: 'private' | 'public';
  /** CKA_ID, upper-case hex ('' when the object has none). */
  id: string;
  label: string;
  keyType: 'rsa' | 'ec' | 'other';
  bits: number | null;
  curve: string | null;
  /** Public numbers when the object exposes them (RSA private keys do, EC private keys do not). */
  publicNumbers: PublicNumbers | null;
  /** CKA_LOCAL: generated on the card. */
  local: boolean | null;
  sensitive: boolean | null;
  extractable: boolean | null;
  neverExtractable: boolean | null;
  alwaysAuthenticate: boolean | null;
}

/** Strips leading zero bytes so 00 01 00 01 and 01 00 01 compare equal. */
export function unsignedBytes(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** Bit length of an unsigned big-endian integer. */
export function bitLength(b: Buffer): number {
  const v = unsignedBytes(b);
  if (v.length === 0 || (v.length === 1 && v[0] === 0)) return 0;
  return (v.length - 1) * 8 + (32 - Math.clz32(v[0]));
}

/** The curve for CKA_EC_PARAMS (a namedCurve OID), if we know it. */
export function curveOfParams(params: Buffer | null): (typeof CURVES)[number] | undefined {
  return params ? CURVES.find((c) => c.params.equals(params)) : undefined;
}

/**
 * CKA_EC_POINT to the raw point. PKCS#11 says it is a DER OCTET STRING, but some modules give the
 * raw point: an uncompressed point is 04 || X || Y, 2n+1 bytes, which can look like a DER header,
 * so the curve's size decides.
 */
export function decodeEcPoint(value: Buffer, curveBits: number | null): Buffer {
  const n = curveBits ? Math.ceil(curveBits / 8) : null;
  if (n !== null && value.length === 2 * n + 1 && value[0] === 0x04) return value;
  try {
    const node = der.decode(value);
    if (node.tag === der.Tag.OCTET_STRING) return Buffer.from(node.value);
  } catch {
    /* not DER: raw */
  }
  return value;
}

/** RSA SubjectPublicKeyInfo. */
export function rsaSpki(modulus: Buffer, exponent: Buffer): Buffer {
  return der.sequence(der.sequence(der.oid(RSA_OID), der.nul()), der.bitString(der.sequence(der.integer(unsignedBytes(modulus)), der.integer(unsignedBytes(exponent)))));
}

/** EC SubjectPublicKeyInfo for a named curve (params = DER OID) and a raw point. */
export function ecSpki(params: Buffer, point: Buffer): Buffer {
  return der.sequence(der.sequence(der.oid(EC_OID), params), der.bitString(point));
}

/** The SPKI of public numbers. */
export function spkiOf(n: PublicNumbers): Buffer {
  return n.kind === 'rsa' ? rsaSpki(n.modulus, n.exponent) : ecSpki(n.params, n.point);
}

/** Public numbers from an SPKI (a certificate's or a CSR's); null for other key types. */
export function publicNumbersFromSpki(spki: Buffer): PublicNumbers | null {
  const [alg, bits] = der.seq(der.decode(spki), 'spki');
  const [algOid, params] = der.seq(alg, 'algorithm');
  const o = der.readOid(algOid, 'algorithm');
  const key = der.expectTag(bits, der.Tag.BIT_STRING, 'subjectPublicKey').value.subarray(1);
  if (o === RSA_OID) {
    const [n, e] = der.seq(der.decode(key), 'RSAPublicKey');
    return { kind: 'rsa', modulus: Buffer.from(unsignedBytes(n.value)), exponent: Buffer.from(unsignedBytes(e.value)) };
  }
  if (o === EC_OID && params) return { kind: 'ec', params: Buffer.from(params.raw), point: Buffer.from(key) };
  return null;
}

/** Do two sets of public numbers describe the same key? */
export function samePublicKey(a: PublicNumbers | null, b: PublicNumbers | null): boolean {
  if (!a || !b || a.kind !== b.kind) return false;
  if (a.kind === 'rsa' && b.kind === 'rsa') return unsignedBytes(a.modulus).equals(unsignedBytes(b.modulus)) && unsignedBytes(a.exponent).equals(unsignedBytes(b.exponent));
  if (a.kind === 'ec' && b.kind === 'ec') return a.params.equals(b.params) && a.point.equals(b.point);
  return false;
}

/** SHA-256 of the SPKI, hex: a key fingerprint that survives relabelling (shown in previews). */
export function spkiSha256(spki: Buffer): string {
  return createHash('sha256').update(spki).digest('hex').toUpperCase();
}

/** Reads one key object's description. */
export function describeKey(ts: Pick<TokenSession, 'api' | 'session'>, handle: Buffer, cls: 'private' | 'public'): KeyObjectInfo {
  const p = pkcs11js();
  const a = readAttributes(ts, handle, [p.CKA_ID, p.CKA_LABEL, p.CKA_KEY_TYPE, p.CKA_LOCAL]);
  const typeNum = attrUlong(a.get(p.CKA_KEY_TYPE));
  const keyType = typeNum === p.CKK_RSA ? 'rsa' : typeNum === p.CKK_EC ? 'ec' : 'other';
  let bits: number | null = null;
  let curve: string | null = null;
  let publicNumbers: PublicNumbers | null = null;
  if (keyType === 'rsa') {
    const r = readAttributes(ts, handle, [p.CKA_MODULUS, p.CKA_PUBLIC_EXPONENT, p.CKA_MODULUS_BITS]);
    const modulus = r.get(p.CKA_MODULUS);
    const exponent = r.get(p.CKA_PUBLIC_EXPONENT);
    bits = modulus?.length ? bitLength(modulus) : attrUlong(r.get(p.CKA_MODULUS_BITS));
    if (modulus?.length && exponent?.length) publicNumbers = { kind: 'rsa', modulus: Buffer.from(unsignedBytes(modulus)), exponent: Buffer.from(unsignedBytes(exponent)) };
  } else if (keyType === 'ec') {
    const r = readAttributes(ts, handle, cls === 'public' ? [p.CKA_EC_PARAMS, p.CKA_EC_POINT] : [p.CKA_EC_PARAMS]);
    const params = r.get(p.CKA_EC_PARAMS) ?? null;
    const c = curveOfParams(params);
    bits = c?.bits ?? null;
    curve = c?.name ?? (params ? params.toString('hex') : null);
    const point = r.get(p.CKA_EC_POINT);
    if (params && point?.length) publicNumbers = { kind: 'ec', params: Buffer.from(params), point: decodeEcPoint(point, bits) };
  }
  const priv =
    cls === 'private'
      ? readAttributes(ts, handle, [p.CKA_SENSITIVE, p.CKA_EXTRACTABLE, p.CKA_NEVER_EXTRACTABLE, p.CKA_ALWAYS_AUTHENTICATE])
      : new Map<number, Buffer | null>();
  const id = a.get(p.CKA_ID);
  const label = a.get(p.CKA_LABEL);
  return {
    handle,
    cls,
    id: id ? id.toString('hex').toUpperCase() : '',
    label: label ? label.toString('utf8') : '',
    keyType,
    bits,
    curve,
    publicNumbers,
    local: attrBool(a.get(p.CKA_LOCAL)),
    sensitive: attrBool(priv.get(p.CKA_SENSITIVE)),
    extractable: attrBool(priv.get(p.CKA_EXTRACTABLE)),
    neverExtractable: attrBool(priv.get(p.CKA_NEVER_EXTRACTABLE)),
    alwaysAuthenticate: attrBool(priv.get(p.CKA_ALWAYS_AUTHENTICATE)),
  };
}

/** Every private (needs login) or public key object, optionally only those with CKA_ID `idHex`. */
export function listKeys(ts: TokenSession, cls: 'private' | 'public', idHex?: string): KeyObjectInfo[] {
  const p = pkcs11js();
  const template: Array<{ type: number; value: number | Buffer }> = [{ type: p.CKA_CLASS, value: cls === 'private' ? p.CKO_PRIVATE_KEY : p.CKO_PUBLIC_KEY }];
  if (idHex !== undefined) template.push({ type: p.CKA_ID, value: Buffer.from(idHex, 'hex') });
  return findAll(ts.ref.module, ts.session, template).map((h) => describeKey(ts, h, cls));
}
