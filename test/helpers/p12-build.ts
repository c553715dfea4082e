/**
 * Builds PKCS#12 files with our own DER writer, for what real tools cannot make on demand:
 * PBMAC1, every legacy cipher, nested safeContentsBags, several pairs, BER framing, and hostile
 * variants (absurd iteration counts that are never actually run). Interoperability itself is
 * proven against OpenSSL, NSS, GnuTLS and Java in test/integration/pkcs12-interop.test.ts.
 *
 * Encryption uses the product's KDF and ciphers (their correctness is pinned separately by
 * OpenSSL-made known-answer vectors), and independent OID tables written out here.
 */
import { createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import * as der from '../../main/pki/der';
import { encrypt } from '../../main/pkcs12/ciphers';
import { bmpPassword, legacyBmpPassword, pkcs12Kdf, type HashName } from '../../main/pkcs12/kdf';
import type { CipherName } from '../../main/pkcs12/algorithms';

/** Legacy PKCS#12 PBE algorithms by short name. */
export type LegacyPbe = '3des' | '2des' | 'rc2-40' | 'rc2-128' | 'rc4-128' | 'rc4-40';

/** How to encrypt a bag or a SafeContents. `declaredIterations` is written instead of `iterations` (hostile files). */
export type EncSpec =
  | { kind: 'pbes2'; prf?: HashName; cipher?: 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc'; iterations?: number; declaredIterations?: number | Buffer }
  | { kind: 'pkcs12-pbe'; alg: LegacyPbe; iterations?: number; declaredIterations?: number | Buffer };

/** How to protect integrity. passwordForm picks the BMPString convention for the classic MAC. */
export type MacSpec =
  | { kind: 'pkcs12'; hash?: HashName; iterations?: number; declaredIterations?: number | Buffer; passwordForm?: 'bmp' | 'none' | 'legacy'; omitIterations?: boolean }
  | { kind: 'pbmac1'; prf?: HashName; hmac?: HashName; iterations?: number; keyLength?: number; declaredIterations?: number | Buffer };

/** One key to put in the file. `encrypt: null` makes a plain keyBag. */
export interface KeySpec {
  pkcs8: Buffer;
  friendlyName?: string;
  localKeyId?: Buffer;
  encrypt?: EncSpec | null;
}

/** One certificate to put in the file. */
export interface CertSpec {
  der: Buffer;
  friendlyName?: string;
  localKeyId?: Buffer;
}

/** A whole file. */
export interface P12Spec {
  password: string;
  keys?: KeySpec[];
  certs?: CertSpec[];
  /** Encryption of the certificates' SafeContents; null = plain data. Default PBES2/AES-256. */
  certEncryption?: EncSpec | null;
  /** Default: classic MAC, SHA-256, 2,048 iterations. null = no MAC. */
  mac?: MacSpec | null;
  /** Wrap the certificates in a safeContentsBag this many levels deep. */
  nestCerts?: number;
  /** Put shrouded keys inside the encrypted SafeContents with the certificates (as some Windows versions do). */
  keysInsideEncrypted?: boolean;
  /** Write the outer layers with indefinite lengths and a segmented OCTET STRING, as NSS does. */
  berFraming?: boolean;
  /** Extra bags of other kinds (secretBag, crlBag) to prove they are skipped. */
  extraBags?: boolean;
}

const O = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shrouded: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  crlBag: '1.2.840.113549.1.12.10.1.4',
  secretBag: '1.2.840.113549.1.12.10.1.5',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
};

const LEGACY: Record<LegacyPbe, { oid: string; cipher: CipherName; keyLength: number; ivLength: number; rc2Bits?: number }> = {
  'rc4-128': { oid: '1.2.840.113549.1.12.1.1', cipher: 'rc4', keyLength: 16, ivLength: 0 },
  'rc4-40': { oid: '1.2.840.113549.1.12.1.2', cipher: 'rc4', keyLength: 5, ivLength: 0 },
  '3des': { oid: '1.2.840.113549.1.12.1.3', cipher: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
  '2des': { oid: '1.2.840.113549.1.12.1.4', cipher: 'des-ede-cbc', keyLength: 16, ivLength: 8 },
  'rc2-128': { oid: '1.2.840.113549.1.12.1.5', cipher: 'rc2-cbc', keyLength: 16, ivLength: 8, rc2Bits: 128 },
  'rc2-40': { oid: '1.2.840.113549.1.12.1.6', cipher: 'rc2-cbc', keyLength: 5, ivLength: 8, rc2Bits: 40 },
};

const HMAC_OID: Record<HashName, string> = {
  sha1: '1.2.840.113549.2.7',
  sha224: '1.2.840.113549.2.8',
  sha256: '1.2.840.113549.2.9',
  sha384: '1.2.840.113549.2.10',
  sha512: '1.2.840.113549.2.11',
};

const DIGEST_OID: Record<HashName, string> = {
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

const CIPHER_OID: Record<string, { oid: string; keyLength: number; ivLength: number }> = {
  'aes-128-cbc': { oid: '2.16.840.1.101.3.4.1.2', keyLength: 16, ivLength: 16 },
  'aes-192-cbc': { oid: '2.16.840.1.101.3.4.1.22', keyLength: 24, ivLength: 16 },
  'aes-256-cbc': { oid: '2.16.840.1.101.3.4.1.42', keyLength: 32, ivLength: 16 },
  'des-ede3-cbc': { oid: '1.2.840.113549.3.7', keyLength: 24, ivLength: 8 },
};

const HASH_LEN: Record<HashName, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

const declared = (v: number | Buffer | undefined, fallback: number): Buffer => der.integer(v ?? fallback);

/** Encrypts `plain` per spec; returns the AlgorithmIdentifier and the ciphertext. */
export function encryptWith(spec: EncSpec, password: string, plain: Buffer): { alg: Buffer; data: Buffer } {
  const iterations = spec.iterations ?? 2048;
  const salt = randomBytes(8);
  if (spec.kind === 'pkcs12-pbe') {
    const l = LEGACY[spec.alg];
    const pw = bmpPassword(password);
    const key = pkcs12Kdf({ hash: 'sha1', password: pw, salt, id: 1, iterations, length: l.keyLength });
    const iv = l.ivLength ? pkcs12Kdf({ hash: 'sha1', password: pw, salt, id: 2, iterations, length: l.ivLength }) : Buffer.alloc(0);
    const alg = der.sequence(der.oid(l.oid), der.sequence(der.octetString(salt), declared(spec.declaredIterations, iterations)));
    return { alg, data: encrypt(l.cipher, key, iv, plain, l.rc2Bits) };
  }
  const prf = spec.prf ?? 'sha256';
  const cipherName = spec.cipher ?? 'aes-256-cbc';
  const c = CIPHER_OID[cipherName];
  const iv = randomBytes(c.ivLength);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, c.keyLength, prf);
  const kdfParams = der.sequence(der.octetString(salt), declared(spec.declaredIterations, iterations), ...(prf === 'sha1' ? [] : [der.sequence(der.oid(HMAC_OID[prf]), der.nul())]));
  const alg = der.sequence(der.oid(O.pbes2), der.sequence(der.sequence(der.oid(O.pbkdf2), kdfParams), der.sequence(der.oid(c.oid), der.octetString(iv))));
  return { alg, data: encrypt(cipherName, key, iv, plain) };
}

function attributes(b: { friendlyName?: string; localKeyId?: Buffer }): Buffer[] {
  const attrs: Buffer[] = [];
  if (b.friendlyName !== undefined) attrs.push(der.sequence(der.oid(O.friendlyName), der.setOf(der.bmpString(b.friendlyName))));
  if (b.localKeyId) attrs.push(der.sequence(der.oid(O.localKeyId), der.setOf(der.octetString(b.localKeyId))));
  return attrs.length ? [der.setOf(...attrs)] : [];
}

function safeBag(oid: string, value: Buffer, attrs: Buffer[]): Buffer {
  return der.sequence(der.oid(oid), der.context(0, true, value), ...attrs);
}

function keyBag(k: KeySpec, password: string): Buffer {
  if (k.encrypt === null) return safeBag(O.keyBag, k.pkcs8, attributes(k));
  const { alg, data } = encryptWith(k.encrypt ?? { kind: 'pbes2' }, password, k.pkcs8);
  return safeBag(O.shrouded, der.sequence(alg, der.octetString(data)), attributes(k));
}

function certBag(c: CertSpec): Buffer {
  return safeBag(O.certBag, der.sequence(der.oid(O.x509), der.context(0, true, der.octetString(c.der))), attributes(c));
}

function dataContentInfo(content: Buffer): Buffer {
  return der.sequence(der.oid(O.data), der.context(0, true, der.octetString(content)));
}

function encryptedContentInfo(spec: EncSpec, password: string, content: Buffer): Buffer {
  const { alg, data } = encryptWith(spec, password, content);
  return der.sequence(der.oid(O.encryptedData), der.context(0, true, der.sequence(der.integer(0), der.sequence(der.oid(O.data), alg, der.context(0, false, data)))));
}

/** Computes MacData over the AuthenticatedSafe bytes. */
export function macData(spec: MacSpec, password: string, authSafe: Buffer): Buffer {
  const iterations = spec.iterations ?? 2048;
  const salt = randomBytes(16);
  if (spec.kind === 'pbmac1') {
    const prf = spec.prf ?? 'sha256';
    const hmac = spec.hmac ?? 'sha256';
    const keyLength = spec.keyLength ?? 32;
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, keyLength, prf);
    const mac = createHmac(hmac, key).update(authSafe).digest();
    const kdf = der.sequence(der.oid(O.pbkdf2), der.sequence(der.octetString(salt), declared(spec.declaredIterations, iterations), der.integer(keyLength), der.sequence(der.oid(HMAC_OID[prf]), der.nul())));
    const alg = der.sequence(der.oid(O.pbmac1), der.sequence(kdf, der.sequence(der.oid(HMAC_OID[hmac]), der.nul())));
    // RFC 9579: the MacData salt and iteration count are not used; write something harmless.
    return der.sequence(der.sequence(alg, der.octetString(mac)), der.octetString(Buffer.from('NOT USED')), der.integer(1));
  }
  const hash = spec.hash ?? 'sha256';
  const form = spec.passwordForm ?? 'bmp';
  const pw = form === 'none' ? Buffer.alloc(0) : form === 'legacy' ? legacyBmpPassword(password) : bmpPassword(password);
  const key = pkcs12Kdf({ hash, password: pw, salt, id: 3, iterations, length: HASH_LEN[hash] });
  const mac = createHmac(hash, key).update(authSafe).digest();
  const digestInfo = der.sequence(der.sequence(der.oid(DIGEST_OID[hash]), der.nul()), der.octetString(mac));
  return der.sequence(digestInfo, der.octetString(salt), ...(spec.omitIterations ? [] : [declared(spec.declaredIterations, iterations)]));
}

/** Builds a PFX. */
export function buildP12(spec: P12Spec): Buffer {
  const pw = spec.password;
  const keyBags = (spec.keys ?? []).map((k) => keyBag(k, pw));
  let certBags = (spec.certs ?? []).map(certBag);
  for (let i = 0; i < (spec.nestCerts ?? 0); i++) certBags = [safeBag(O.safeContentsBag, der.sequence(...certBags), [])];
  if (spec.extraBags) {
    certBags.push(safeBag(O.secretBag, der.sequence(der.oid('1.2.3.4'), der.context(0, true, der.octetString(Buffer.from('secret')))), []));
    certBags.push(safeBag(O.crlBag, der.sequence(der.oid('1.2.840.113549.1.9.23.1'), der.context(0, true, der.octetString(Buffer.from([0x30, 0])))), []));
  }
  const contentInfos: Buffer[] = [];
  const certContents = spec.keysInsideEncrypted ? [...certBags, ...keyBags] : certBags;
  if (certContents.length) {
    const enc = spec.certEncryption === undefined ? ({ kind: 'pbes2' } as EncSpec) : spec.certEncryption;
    const safe = der.sequence(...certContents);
    contentInfos.push(enc ? encryptedContentInfo(enc, pw, safe) : dataContentInfo(safe));
  }
  if (!spec.keysInsideEncrypted && keyBags.length) contentInfos.push(dataContentInfo(der.sequence(...keyBags)));
  const authSafe = der.sequence(...contentInfos);
  const mac = spec.mac === undefined ? macData({ kind: 'pkcs12' }, pw, authSafe) : spec.mac ? macData(spec.mac, pw, authSafe) : null;
  if (spec.berFraming) {
    // SEQUENCE(inf) { INTEGER 3, SEQUENCE(inf) { OID data, [0](inf) { OCTET STRING(inf) { segments } } }, MacData }
    const segments: Buffer[] = [];
    for (let i = 0; i < authSafe.length; i += 1000) segments.push(der.octetString(authSafe.subarray(i, i + 1000)));
    const eoc = Buffer.from([0, 0]);
    const inf = (tag: number, ...parts: Buffer[]) => Buffer.concat([Buffer.from([tag, 0x80]), ...parts, eoc]);
    const ci = inf(0x30, der.oid(O.data), inf(0xa0, inf(0x24, ...segments)));
    return inf(0x30, der.integer(3), ci, ...(mac ? [mac] : []));
  }
  return der.sequence(der.integer(3), dataContentInfo(authSafe), ...(mac ? [mac] : []));
}
