import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bitLength, CURVES, decodeEcPoint, ecSpki, publicNumbersFromSpki, rsaSpki, samePublicKey, spkiOf, spkiSha256, type KeyObjectInfo } from '../../main/card/keys';
import { currentEid } from '../../main/card/keygen';
import { findOrphans } from '../../main/card/orphans';
import { chooseTestEid, MECH, planSignature } from '../../main/card/sign';
import { ckrCode, normaliseId } from '../../main/card/session';
import { unblockUnsupported } from '../../main/card/pin';
import { EidError } from '../../main/errors';
import type { CardEid } from '../../main/card/types';

function jwkBytes(s: string | undefined): Buffer {
  return Buffer.from(s ?? '', 'base64url');
}

describe('SubjectPublicKeyInfo from PKCS#11 attributes', () => {
  it('RSA: modulus + exponent give exactly the SPKI node:crypto exports, leading zeros or not', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const want = publicKey.export({ type: 'spki', format: 'der' });
    expect(rsaSpki(jwkBytes(jwk.n), jwkBytes(jwk.e)).equals(want)).toBe(true);
    expect(rsaSpki(Buffer.concat([Buffer.from([0, 0]), jwkBytes(jwk.n)]), Buffer.from([0, 1, 0, 1])).equals(want)).toBe(true);
    expect(bitLength(jwkBytes(jwk.n))).toBe(2048);
    expect(publicNumbersFromSpki(want)).toEqual({ kind: 'rsa', modulus: jwkBytes(jwk.n), exponent: Buffer.from([1, 0, 1]) });
  });

  it('EC: params + point give the SPKI node:crypto exports', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), jwkBytes(jwk.x), jwkBytes(jwk.y)]);
    const want = publicKey.export({ type: 'spki', format: 'der' });
    expect(ecSpki(CURVES[0].params, point).equals(want)).toBe(true);
    const n = publicNumbersFromSpki(want);
    expect(n).toEqual({ kind: 'ec', params: CURVES[0].params, point });
    expect(spkiOf(n!).equals(want)).toBe(true);
    expect(spkiSha256(want)).toMatch(/^[0-9A-F]{64}$/);
  });

  it('CKA_EC_POINT: DER-wrapped (the standard) and raw (some modules) both decode', () => {
    const point = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 0x3f)]);
    // 0x3f as the first X byte makes the raw point look like a DER header "04 3f": the curve size decides.
    expect(decodeEcPoint(point, 256).equals(point)).toBe(true);
    expect(decodeEcPoint(Buffer.concat([Buffer.from([4, 65]), point]), 256).equals(point)).toBe(true);
    const p384 = Buffer.concat([Buffer.from([4]), Buffer.alloc(96, 7)]);
    expect(decodeEcPoint(Buffer.concat([Buffer.from([4, 97]), p384]), 384).equals(p384)).toBe(true);
  });

  it('samePublicKey compares numbers, not encodings', () => {
    const a = { kind: 'rsa' as const, modulus: Buffer.from([0, 0xc5, 1]), exponent: Buffer.from([1, 0, 1]) };
    expect(samePublicKey(a, { kind: 'rsa', modulus: Buffer.from([0xc5, 1]), exponent: Buffer.from([0, 1, 0, 1]) })).toBe(true);
    expect(samePublicKey(a, { kind: 'rsa', modulus: Buffer.from([0xc5, 2]), exponent: Buffer.from([1, 0, 1]) })).toBe(false);
    expect(samePublicKey(a, { kind: 'ec', params: CURVES[0].params, point: Buffer.from([4]) })).toBe(false);
    expect(samePublicKey(a, null)).toBe(false);
  });
});

function key(p: Partial<KeyObjectInfo> & Pick<KeyObjectInfo, 'id' | 'cls'>): KeyObjectInfo {
  return { handle: Buffer.alloc(8), label: '', keyType: 'rsa', bits: 2048, curve: null, publicNumbers: null, local: true, sensitive: null, extractable: null, neverExtractable: null, alwaysAuthenticate: null, ...p };
}

describe('orphan detection', () => {
  it('groups key objects by CKA_ID and drops those with a certificate', () => {
    const numbers = { kind: 'rsa' as const, modulus: Buffer.from([0xc1, 0x01]), exponent: Buffer.from([3]) };
    const keys = [
      key({ id: '01', cls: 'private', label: 'Legitimering' }),
      key({ id: '01', cls: 'public' }),
      key({ id: 'AA', cls: 'private', label: 'half-enrolled', publicNumbers: numbers }),
      key({ id: 'AA', cls: 'public', label: 'half-enrolled' }),
      key({ id: 'BB', cls: 'public', keyType: 'ec', bits: 256, curve: 'P-256', local: false }),
      key({ id: '', cls: 'private', label: 'no id' }),
    ];
    const o = findOrphans(keys, new Set(['01', '']));
    expect(o.map((x) => [x.id, x.hasPrivateKey, x.hasPublicKey, x.objectCount])).toEqual([
      ['', true, false, 1],
      ['AA', true, true, 2],
      ['BB', false, true, 1],
    ]);
    expect(o[1]).toMatchObject({ label: 'half-enrolled', keyType: 'rsa', bits: 2048, generatedOnCard: true, publicKeySha256: spkiSha256(spkiOf(numbers)) });
    expect(o[2]).toMatchObject({ keyType: 'ec', curve: 'P-256', generatedOnCard: false, publicKeySha256: null });
    expect(findOrphans(keys.slice(0, 2), new Set(['01']))).toEqual([]);
  });
});

describe('signature mechanism choice', () => {
  it('prefers hashing on the card, falls back to raw RSA with a DigestInfo, ECDSA over our digest', () => {
    expect(planSignature('rsa', [MECH.RSA_PKCS, MECH.SHA256_RSA_PKCS])).toMatchObject({ mechanism: MECH.SHA256_RSA_PKCS, input: 'data', algorithm: 'sha256WithRSAEncryption' });
    expect(planSignature('rsa', [MECH.RSA_PKCS])).toMatchObject({ mechanism: MECH.RSA_PKCS, input: 'digest-info', algorithm: 'sha256WithRSAEncryption' });
    expect(planSignature('ec', [MECH.ECDSA, MECH.ECDSA_SHA256])).toMatchObject({ mechanism: MECH.ECDSA, input: 'sha256', algorithm: 'ecdsaWithSHA256' });
    expect(planSignature('ec', [MECH.ECDSA_SHA256])).toMatchObject({ mechanism: MECH.ECDSA_SHA256, input: 'data' });
    // A module that does not list its mechanisms gets the usual one.
    expect(planSignature('rsa', []).mechanism).toBe(MECH.SHA256_RSA_PKCS);
    expect(() => planSignature('ec', [MECH.RSA_PKCS])).toThrow(EidError);
    expect(() => planSignature('other', [])).toThrow(/cannot sign/);
  });
});

function eid(p: Partial<CardEid> & Pick<CardEid, 'id'>): CardEid {
  return { label: p.id, holder: 'H', organisation: null, notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2028-01-01T00:00:00.000Z', validity: 'valid', assuranceLevel: 3, identity: null, upn: [], emails: [], purposes: ['authentication'], keyPresent: true, signingCertificate: null, certificate: {} as CardEid['certificate'], ...p };
}

describe('choosing e-IDs', () => {
  it('test signature: valid signing e-ID first, then authentication, never an expired one if a valid exists', () => {
    const auth = eid({ id: '01' });
    const sign = eid({ id: '02', purposes: ['signing'] });
    const old = eid({ id: '03', purposes: ['signing'], validity: 'expired' });
    expect(chooseTestEid([old, auth, sign])?.id).toBe('02');
    expect(chooseTestEid([old, auth])?.id).toBe('01');
    expect(chooseTestEid([old])?.id).toBe('03');
    expect(chooseTestEid([eid({ id: '09', keyPresent: false })])).toBeUndefined();
    expect(chooseTestEid([])).toBeUndefined();
  });

  it('CSR subject: the valid authentication e-ID that lasts longest', () => {
    const a = eid({ id: '01', notAfter: '2027-01-01T00:00:00.000Z' });
    const b = eid({ id: '04', notAfter: '2029-01-01T00:00:00.000Z' });
    const s = eid({ id: '02', purposes: ['signing'], notAfter: '2030-01-01T00:00:00.000Z' });
    const x = eid({ id: '03', validity: 'expired', notAfter: '2031-01-01T00:00:00.000Z' });
    expect(currentEid([a, b, s, x])?.id).toBe('04');
    expect(currentEid([s, x])?.id).toBe('02');
    expect(currentEid([x])).toBeUndefined();
  });
});

describe('small helpers', () => {
  it('normaliseId takes hex with colons or spaces and refuses the rest', () => {
    expect(normaliseId('c0:ff:ee')).toBe('C0FFEE');
    expect(normaliseId(' 0a 0b ')).toBe('0A0B');
    expect(() => normaliseId('xyz')).toThrow(/not a key id in hex/);
    expect(() => normaliseId('abc')).toThrow(EidError);
  });

  it('ckrCode reads Pkcs11Error.code, "CKR_NAME:n" messages and EidError details', () => {
    expect(ckrCode(Object.assign(new Error('CKR_PIN_INCORRECT'), { code: 0xa0 }))).toBe(0xa0);
    expect(ckrCode(new Error('CKR_GENERAL_ERROR:5'))).toBe(5);
    expect(ckrCode(new EidError('pkcs11', 'x', { ckr: '0x190' }))).toBe(0x190);
    expect(ckrCode(new Error('something else'))).toBeUndefined();
  });

  it('unblock-unsupported names the module file and the method refused', () => {
    const e = unblockUnsupported('C:\\Windows\\System32\\vendor-p11.dll', 'so-login-init-pin', 0x54);
    expect(e.code).toBe('unblock-unsupported');
    expect(e.message).toMatch(/vendor-p11\.dll\) does not unblock PINs through PKCS#11 \(C_Login as SO \+ C_InitPIN was refused\)/);
    expect(e.details).toMatchObject({ ckr: '0x54', method: 'so-login-init-pin' });
  });
});
