/**
 * The algorithm identifiers PKCS#12 files use, parsed into plain plans before any work is done,
 * so limits (iteration counts) and support (unknown algorithms) are decided up front.
 */
import { DerError, Tag, oidToString, readSmallInt, type DerNode } from '../pki/der';
import { EidError } from '../errors';
import { berSeq, octets } from './ber';
import type { HashName } from './kdf';

/** Block ciphers we decrypt with. RC2 and RC4 are ours (see rc2.ts); the rest are Node's. */
export type CipherName = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc' | 'des-ede-cbc' | 'rc2-cbc' | 'rc4';

/** How to derive a key (and IV) and decrypt one encrypted item. */
export type EncryptionPlan =
  | {
      kind: 'pbes2';
      /** Display name, e.g. 'pbes2-pbkdf2-hmac-sha256-aes-256-cbc'. */
      name: string;
      salt: Buffer;
      iterations: number;
      prf: HashName;
      keyLength: number;
      cipher: CipherName;
      iv: Buffer;
      rc2Bits?: number;
    }
  | {
      kind: 'pkcs12-pbe';
      name: string;
      salt: Buffer;
      iterations: number;
      cipher: CipherName;
      keyLength: number;
      ivLength: number;
      rc2Bits?: number;
    };

/** How to verify the integrity MAC. */
export type MacPlan =
  | { kind: 'pkcs12'; name: string; hash: HashName; salt: Buffer; iterations: number; expected: Buffer }
  | { kind: 'pbmac1'; name: string; prf: HashName; salt: Buffer; iterations: number; keyLength: number; hmac: HashName; expected: Buffer };

const DIGESTS: Readonly<Record<string, HashName>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const HMACS: Readonly<Record<string, HashName>> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

/** Names of algorithms we recognise but do not support, so the error message can name them. */
const KNOWN_UNSUPPORTED: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.5': 'MD5',
  '1.2.840.113549.2.2': 'MD2',
  '1.2.840.113549.1.5.1': 'pbeWithMD2AndDES-CBC',
  '1.2.840.113549.1.5.3': 'pbeWithMD5AndDES-CBC',
  '1.2.840.113549.1.5.4': 'pbeWithMD2AndRC2-CBC',
  '1.2.840.113549.1.5.6': 'pbeWithMD5AndRC2-CBC',
  '1.2.840.113549.1.5.10': 'pbeWithSHA1AndDES-CBC',
  '1.2.840.113549.1.5.11': 'pbeWithSHA1AndRC2-CBC',
  '1.3.14.3.2.7': 'DES-CBC (single DES)',
  '1.2.840.113549.2.12': 'hmacWithSHA512-224',
  '1.2.840.113549.2.13': 'hmacWithSHA512-256',
  '2.16.840.1.101.3.4.1.6': 'AES-128-GCM',
  '2.16.840.1.101.3.4.1.26': 'AES-192-GCM',
  '2.16.840.1.101.3.4.1.46': 'AES-256-GCM',
  '1.2.643.7.1.1.2.2': 'GOST R 34.11-2012 (256)',
  '1.2.643.7.1.1.2.3': 'GOST R 34.11-2012 (512)',
  '1.2.156.10197.1.401': 'SM3',
  '1.3.6.1.4.1.11591.4.11': 'scrypt',
  '1.2.840.113549.1.7.2': 'public-key integrity mode (signedData)',
  '1.2.840.113549.1.7.3': 'public-key privacy mode (envelopedData)',
};

/**
 * Reads an iteration count. Counts beyond what a number holds come back as Infinity rather than
 * as a structure error: an absurd count is a cost problem ('too-costly'), not a broken file.
 */
export function readCount(node: DerNode | undefined, what: string): number {
  if (!node || node.tag !== Tag.INTEGER || node.value.length === 0) throw new DerError(`${what}: expected an INTEGER`);
  if (node.value[0] & 0x80) throw new DerError(`${what}: negative`);
  if (node.value.length > 7) return Number.POSITIVE_INFINITY;
  const n = readSmallInt(node, what);
  if (n < 1) throw new DerError(`${what} must be at least 1`);
  return n;
}

/** The error for an algorithm we do not handle: names it, by name where we know one. */
export function unsupported(what: string, oid: string): EidError {
  const name = KNOWN_UNSUPPORTED[oid];
  return new EidError(
    'unsupported',
    `The file uses ${name ? `${name} (${oid})` : `an algorithm this version does not support (${oid})`} for its ${what}. Export it again from the issuing program with AES (PBES2) encryption.`,
    { algorithm: name ?? oid, part: what },
  );
}

/** An AlgorithmIdentifier: its OID and optional parameters. */
export function readAlgorithm(node: DerNode | undefined, what: string): { oid: string; params: DerNode | undefined } {
  const items = berSeq(node, what);
  if (items.length < 1 || items[0].tag !== Tag.OID) throw new DerError(`${what}: missing algorithm OID`);
  return { oid: oidToString(items[0].value), params: items[1] };
}

const LEGACY_PBE: Readonly<Record<string, { name: string; cipher: CipherName; keyLength: number; ivLength: number; rc2Bits?: number }>> = {
  '1.2.840.113549.1.12.1.1': { name: 'pbe-sha1-rc4-128', cipher: 'rc4', keyLength: 16, ivLength: 0 },
  '1.2.840.113549.1.12.1.2': { name: 'pbe-sha1-rc4-40', cipher: 'rc4', keyLength: 5, ivLength: 0 },
  '1.2.840.113549.1.12.1.3': { name: 'pbe-sha1-3des', cipher: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
  '1.2.840.113549.1.12.1.4': { name: 'pbe-sha1-2des', cipher: 'des-ede-cbc', keyLength: 16, ivLength: 8 },
  '1.2.840.113549.1.12.1.5': { name: 'pbe-sha1-rc2-128', cipher: 'rc2-cbc', keyLength: 16, ivLength: 8, rc2Bits: 128 },
  '1.2.840.113549.1.12.1.6': { name: 'pbe-sha1-rc2-40', cipher: 'rc2-cbc', keyLength: 5, ivLength: 8, rc2Bits: 40 },
};

const PBES2_CIPHERS: Readonly<Record<string, { name: CipherName; keyLength: number; ivLength: number }>> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24, ivLength: 16 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
  '1.2.840.113549.3.2': { name: 'rc2-cbc', keyLength: 16, ivLength: 8 },
};

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const PBMAC1 = '1.2.840.113549.1.5.14';

/** RC2's "parameter version" encodes the effective key bits (RFC 8018 B.2.3). */
function rc2BitsFromVersion(version: number): number {
  if (version === 160) return 40;
  if (version === 120) return 64;
  if (version === 58) return 128;
  if (version >= 256) return version;
  throw new DerError(`unknown RC2 parameter version ${version}`);
}

/** PBKDF2-params: salt, iterations, optional key length, PRF (default HMAC-SHA1). */
function readPbkdf2(params: DerNode | undefined, what: string): { salt: Buffer; iterations: number; keyLength: number | null; prf: HashName } {
  const items = berSeq(params, `${what} PBKDF2 parameters`);
  if (items[0]?.tag !== Tag.OCTET_STRING && items[0]?.tag !== 0x24) {
    throw new EidError('unsupported', `The file's ${what} uses a PBKDF2 salt source this version does not support.`, { part: what });
  }
  const salt = octets(items[0], 'PBKDF2 salt');
  const iterations = readCount(items[1], 'PBKDF2 iteration count');
  let i = 2;
  let keyLength: number | null = null;
  if (items[i]?.tag === Tag.INTEGER) keyLength = readSmallInt(items[i++], 'PBKDF2 key length');
  let prf: HashName = 'sha1';
  if (items[i]) {
    const alg = readAlgorithm(items[i], 'PBKDF2 PRF');
    const h = HMACS[alg.oid];
    if (!h) throw unsupported(`${what} key derivation`, alg.oid);
    prf = h;
  }
  return { salt, iterations, keyLength, prf };
}

/** Parses the AlgorithmIdentifier of an encrypted bag or encryptedData. `what` names the part for messages. */
export function parseEncryption(node: DerNode | undefined, what: string): EncryptionPlan {
  const alg = readAlgorithm(node, what);
  const legacy = LEGACY_PBE[alg.oid];
  if (legacy) {
    const p = berSeq(alg.params, 'PKCS#12 PBE parameters');
    const salt = octets(p[0], 'PBE salt');
    const iterations = readCount(p[1], 'PBE iteration count');
    return { kind: 'pkcs12-pbe', ...legacy, salt, iterations };
  }
  if (alg.oid !== PBES2) throw unsupported(what, alg.oid);
  const [kdfNode, encNode] = berSeq(alg.params, 'PBES2 parameters');
  const kdf = readAlgorithm(kdfNode, 'PBES2 key derivation');
  if (kdf.oid !== PBKDF2) throw unsupported(`${what} key derivation`, kdf.oid);
  const enc = readAlgorithm(encNode, 'PBES2 encryption scheme');
  const cipher = PBES2_CIPHERS[enc.oid];
  if (!cipher) throw unsupported(`${what} encryption`, enc.oid);
  const { salt, iterations, keyLength, prf } = readPbkdf2(kdf.params, what);
  let iv: Buffer;
  let rc2Bits: number | undefined;
  if (cipher.name === 'rc2-cbc') {
    const rp = berSeq(enc.params, 'RC2 parameters');
    if (rp.length === 2) {
      rc2Bits = rc2BitsFromVersion(readSmallInt(rp[0], 'RC2 version'));
      iv = octets(rp[1], 'RC2 IV');
    } else {
      rc2Bits = 32;
      iv = octets(rp[0], 'RC2 IV');
    }
  } else {
    iv = octets(enc.params, 'cipher IV');
  }
  if (iv.length !== cipher.ivLength) throw new DerError(`${what}: IV of ${iv.length} bytes for ${cipher.name}`);
  const kl = keyLength ?? (cipher.name === 'rc2-cbc' ? Math.ceil((rc2Bits ?? 128) / 8) : cipher.keyLength);
  if (cipher.name !== 'rc2-cbc' && kl !== cipher.keyLength) throw new DerError(`${what}: key length ${kl} does not fit ${cipher.name}`);
  if (kl < 1 || kl > 128) throw new DerError(`${what}: key length ${kl} out of range`);
  const name = `pbes2-pbkdf2-hmac-${prf}-${cipher.name === 'rc2-cbc' ? `rc2-${rc2Bits}-cbc` : cipher.name}`;
  return { kind: 'pbes2', name, salt, iterations, prf, keyLength: kl, cipher: cipher.name, iv, ...(rc2Bits ? { rc2Bits } : {}) };
}

/** Parses MacData: DigestInfo, salt, iterations (default 1); or RFC 9579 PBMAC1. */
export function parseMacData(node: DerNode): MacPlan {
  const items = berSeq(node, 'MacData');
  const [digestAlgNode, digestNode] = berSeq(items[0], 'MAC DigestInfo');
  const alg = readAlgorithm(digestAlgNode, 'MAC algorithm');
  const expected = octets(digestNode, 'MAC value');
  const salt = octets(items[1], 'MAC salt');
  const iterations = items[2] ? readCount(items[2], 'MAC iteration count') : 1;
  if (alg.oid === PBMAC1) {
    const [kdfNode, macNode] = berSeq(alg.params, 'PBMAC1 parameters');
    const kdf = readAlgorithm(kdfNode, 'PBMAC1 key derivation');
    if (kdf.oid !== PBKDF2) throw unsupported('integrity MAC key derivation', kdf.oid);
    const p = readPbkdf2(kdf.params, 'integrity MAC');
    const mac = readAlgorithm(macNode, 'PBMAC1 message authentication scheme');
    const hmac = HMACS[mac.oid];
    if (!hmac) throw unsupported('integrity MAC', mac.oid);
    // RFC 9579: keyLength is required; the MacData salt and iteration fields are ignored.
    if (p.keyLength === null || p.keyLength < 1 || p.keyLength > 256) throw new DerError('PBMAC1: PBKDF2 key length missing or out of range');
    return { kind: 'pbmac1', name: `pbmac1-hmac-${hmac}`, prf: p.prf, salt: p.salt, iterations: p.iterations, keyLength: p.keyLength, hmac, expected };
  }
  const hash = DIGESTS[alg.oid];
  if (!hash) throw unsupported('integrity MAC', alg.oid);
  return { kind: 'pkcs12', name: `hmac-${hash}`, hash, salt, iterations, expected };
}
