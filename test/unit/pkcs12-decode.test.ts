import { createPrivateKey, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { issue, makeKey, makeTestPki, type IssuedCert } from '../../dev/test-ca';
import { EidError } from '../../main/errors';
import * as der from '../../main/pki/der';
import { DEFAULT_LIMITS, decodePkcs12, openPkcs12, type Pkcs12Contents } from '../../main/pkcs12';
import { configureKdfPool, kdfPoolStats } from '../../main/pkcs12/kdf-pool';
import { buildP12, type EncSpec, type MacSpec, type P12Spec } from '../helpers/p12-build';

/** Runs `fn`, expecting an EidError; returns its code and how long it took. */
async function failure(fn: () => Promise<unknown>): Promise<{ code: string; message: string; ms: number }> {
  const t = performance.now();
  try {
    await fn();
  } catch (err) {
    const ms = performance.now() - t;
    if (!(err instanceof EidError)) throw new Error(`expected an EidError, got ${String(err)}`);
    return { code: err.code, message: err.message, ms };
  }
  throw new Error('expected a failure, but decoding succeeded');
}

let pki: { root: IssuedCert; ca: IssuedCert };
let holder: { key: Buffer; cert: Buffer };
let second: { key: Buffer; cert: Buffer };

function endEntity(cn: string, kind: 'rsa' | 'ec') {
  const keys = makeKey(kind);
  const cert = issue({ subject: [['C', 'SE'], ['O', 'Västra Götalandsregionen'], ['serialNumber', 'SE2321000156-10XX'], ['CN', cn]], publicKey: keys.publicKey, issuer: pki.ca });
  return { key: keys.privateKey.export({ type: 'pkcs8', format: 'der' }), cert: cert.der };
}

beforeAll(() => {
  pki = makeTestPki();
  holder = endEntity('Åsa Öberg', 'rsa');
  second = endEntity('Ärende Två', 'ec');
});

const PASSWORD = 'Hemligt-123';
const LKID = Buffer.from('0102030405060708090a0b0c0d0e0f1011121314', 'hex');

function standard(overrides: Partial<P12Spec> = {}): P12Spec {
  return {
    password: PASSWORD,
    keys: [{ pkcs8: holder.key, friendlyName: 'Åsa Öberg', localKeyId: LKID }],
    certs: [{ der: holder.cert, friendlyName: 'Åsa Öberg', localKeyId: LKID }, { der: pki.ca.der }, { der: pki.root.der }],
    ...overrides,
  };
}

function expectHolder(c: Pkcs12Contents) {
  expect(c.keys).toHaveLength(1);
  expect(c.keys[0].pkcs8.equals(holder.key)).toBe(true);
  expect(c.keys[0].friendlyName).toBe('Åsa Öberg');
  expect(c.keys[0].localKeyId).toBe(LKID.toString('hex').toUpperCase());
  expect(c.certificates.map((x) => x.der.toString('hex'))).toEqual([holder.cert, pki.ca.der, pki.root.der].map((b) => b.toString('hex')));
  expect(c.certificates[0].friendlyName).toBe('Åsa Öberg');
  expect(c.certificates[1].friendlyName).toBeUndefined();
}

describe('decodePkcs12: structure and algorithms', () => {
  it('decodes the OpenSSL 3 default layout (PBES2 AES-256, SHA-256 MAC) exactly', async () => {
    const c = await decodePkcs12(buildP12(standard()), PASSWORD);
    expectHolder(c);
    expect(c.macAlgorithm).toBe('hmac-sha256');
    expect(c.macIterations).toBe(2048);
    expect(c.encryption).toEqual(['pbes2-pbkdf2-hmac-sha256-aes-256-cbc']);
  });

  const pbes2: EncSpec[] = [];
  for (const prf of ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const) pbes2.push({ kind: 'pbes2', prf, cipher: 'aes-128-cbc', iterations: 1000 });
  for (const cipher of ['aes-192-cbc', 'aes-256-cbc', 'des-ede3-cbc'] as const) pbes2.push({ kind: 'pbes2', prf: 'sha256', cipher, iterations: 1000 });
  const legacy: EncSpec[] = (['3des', '2des', 'rc2-40', 'rc2-128', 'rc4-128', 'rc4-40'] as const).map((alg) => ({ kind: 'pkcs12-pbe', alg, iterations: 1000 }));

  it.each([...pbes2, ...legacy].map((e) => [JSON.stringify(e), e] as const))('key and certificates encrypted with %s', async (_, enc) => {
    const spec = standard({ certEncryption: enc });
    spec.keys![0].encrypt = enc;
    const c = await decodePkcs12(buildP12(spec), PASSWORD);
    expectHolder(c);
    const expected =
      enc.kind === 'pbes2'
        ? `pbes2-pbkdf2-hmac-${enc.prf}-${enc.cipher}`
        : { '3des': 'pbe-sha1-3des', '2des': 'pbe-sha1-2des', 'rc2-40': 'pbe-sha1-rc2-40', 'rc2-128': 'pbe-sha1-rc2-128', 'rc4-128': 'pbe-sha1-rc4-128', 'rc4-40': 'pbe-sha1-rc4-40' }[enc.alg];
    expect(c.encryption).toEqual([expected]);
  });

  it.each(['sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const)('classic MAC with %s', async (hash) => {
    const c = await decodePkcs12(buildP12(standard({ mac: { kind: 'pkcs12', hash, iterations: 1500 } })), PASSWORD);
    expectHolder(c);
    expect(c.macAlgorithm).toBe(`hmac-${hash}`);
    expect(c.macIterations).toBe(1500);
  });

  it.each([
    ['sha256', 'sha256'],
    ['sha512', 'sha512'],
    ['sha1', 'sha384'],
  ] as const)('PBMAC1 (RFC 9579) with PBKDF2-HMAC-%s and HMAC-%s', async (prf, hmac) => {
    const c = await decodePkcs12(buildP12(standard({ mac: { kind: 'pbmac1', prf, hmac, iterations: 1200, keyLength: 32 } })), PASSWORD);
    expectHolder(c);
    expect(c.macAlgorithm).toBe(`pbmac1-hmac-${hmac}`);
    expect(c.macIterations).toBe(1200);
    const wrong = await failure(() => decodePkcs12(buildP12(standard({ mac: { kind: 'pbmac1', prf, hmac } })), 'wrong'));
    expect(wrong.code).toBe('bad-password');
  });

  it('a MAC without an iteration count means one iteration', async () => {
    const c = await decodePkcs12(buildP12(standard({ mac: { kind: 'pkcs12', hash: 'sha1', iterations: 1, omitIterations: true } })), PASSWORD);
    expect(c.macIterations).toBe(1);
    expectHolder(c);
  });

  it('unencrypted bags: a plain keyBag and certificates in plain data, no MAC', async () => {
    const spec = standard({ certEncryption: null, mac: null });
    spec.keys![0].encrypt = null;
    const c = await decodePkcs12(buildP12(spec), 'anything at all');
    expectHolder(c);
    expect(c.macAlgorithm).toBeNull();
    expect(c.macIterations).toBeNull();
    expect(c.encryption).toEqual([]);
  });

  it('several key/certificate pairs, names with Å, Ä, Ö kept exactly', async () => {
    const id2 = Buffer.from('22', 'hex');
    const spec = standard();
    spec.keys!.push({ pkcs8: second.key, friendlyName: 'Ärende två (ÅÄÖ åäö)', localKeyId: id2 });
    spec.certs!.push({ der: second.cert, friendlyName: 'Ärende två (ÅÄÖ åäö)', localKeyId: id2 });
    const c = await decodePkcs12(buildP12(spec), PASSWORD);
    expect(c.keys.map((k) => k.friendlyName)).toEqual(['Åsa Öberg', 'Ärende två (ÅÄÖ åäö)']);
    expect(c.keys[1].pkcs8.equals(second.key)).toBe(true);
    expect(c.keys[1].localKeyId).toBe('22');
    expect(c.certificates[3].der.equals(second.cert)).toBe(true);
    expect(c.certificates[3].friendlyName).toBe('Ärende två (ÅÄÖ åäö)');
  });

  it('nested safeContentsBags (two levels) are walked; secretBag and crlBag are skipped', async () => {
    const c = await decodePkcs12(buildP12(standard({ nestCerts: 2, extraBags: true })), PASSWORD);
    expectHolder(c);
  });

  it('shrouded keys inside the encrypted SafeContents are decrypted in a second round', async () => {
    const c = await decodePkcs12(buildP12(standard({ keysInsideEncrypted: true })), PASSWORD);
    expect(c.keys[0].pkcs8.equals(holder.key)).toBe(true);
    expect(c.certificates).toHaveLength(3);
  });

  it('BER framing (indefinite lengths, segmented OCTET STRING) as NSS writes it', async () => {
    const file = buildP12(standard({ berFraming: true }));
    expect(file.subarray(0, 2).toString('hex')).toBe('3080');
    expectHolder(await decodePkcs12(file, PASSWORD));
  });

  it('a PrivateKeyInfo written in BER comes out as DER that Node can load', async () => {
    // Re-frame the key's outer SEQUENCE with an indefinite length.
    const inner = der.decode(holder.key).value;
    const ber = Buffer.concat([Buffer.from([0x30, 0x80]), inner, Buffer.from([0, 0])]);
    const spec = standard();
    spec.keys = [{ pkcs8: ber, encrypt: { kind: 'pbes2' } }];
    const c = await decodePkcs12(buildP12(spec), PASSWORD);
    expect(c.keys[0].pkcs8.equals(holder.key)).toBe(true);
    expect(createPrivateKey({ key: c.keys[0].pkcs8, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('rsa');
  });

  it('certificates only and key only decode (the caller decides what they mean)', async () => {
    const certsOnly = await decodePkcs12(buildP12(standard({ keys: [] })), PASSWORD);
    expect(certsOnly.keys).toHaveLength(0);
    expect(certsOnly.certificates).toHaveLength(3);
    const keyOnly = await decodePkcs12(buildP12(standard({ certs: [] })), PASSWORD);
    expect(keyOnly.certificates).toHaveLength(0);
    expect(keyOnly.keys).toHaveLength(1);
  });

  it('gives the same result when the KDFs run on worker threads', async () => {
    const spec = standard({ certEncryption: { kind: 'pkcs12-pbe', alg: 'rc2-40', iterations: 3000 }, mac: { kind: 'pkcs12', hash: 'sha1', iterations: 3000 } });
    spec.keys![0].encrypt = { kind: 'pkcs12-pbe', alg: '3des', iterations: 3000 };
    const file = buildP12(spec);
    const before = kdfPoolStats.workersStarted;
    const saved = configureKdfPool({ parallelThreshold: 0, offMainThread: true, maxWorkers: 2 });
    try {
      expectHolder(await decodePkcs12(file, PASSWORD));
    } finally {
      configureKdfPool(saved);
    }
    expect(kdfPoolStats.workersStarted).toBeGreaterThan(before);
  });
});

describe('decodePkcs12: passwords', () => {
  it.each([
    ['an empty BMPString with its terminator', 'bmp'],
    ['no password at all (zero bytes)', 'none'],
  ] as const)('empty password as %s', async (_, form) => {
    const spec = standard({ password: '', mac: { kind: 'pkcs12', passwordForm: form }, certEncryption: null });
    const c = await decodePkcs12(buildP12(spec), '');
    expectHolder(c);
    expect((await failure(() => decodePkcs12(buildP12(spec), 'x'))).code).toBe('bad-password');
  });

  it('non-ASCII password: UTF-8 into PBKDF2 and BMPString into the PKCS#12 KDF, both in one file', async () => {
    const pw = 'Åsa-Öberg-ä€';
    const spec = standard({ password: pw, certEncryption: { kind: 'pkcs12-pbe', alg: '3des' }, mac: { kind: 'pkcs12', hash: 'sha256' } });
    spec.keys![0].encrypt = { kind: 'pbes2', prf: 'sha256', cipher: 'aes-256-cbc' };
    expectHolder(await decodePkcs12(buildP12(spec), pw));
    // Only the exact characters work: the same letters decomposed (A + ring above) do not.
    expect((await failure(() => decodePkcs12(buildP12(spec), pw.normalize('NFD')))).code).toBe('bad-password');
  });

  it('non-ASCII password in the byte-wise BMPString that old OpenSSL versions wrote', async () => {
    const pw = 'lösenord-Å';
    const c = await decodePkcs12(buildP12(standard({ password: pw, mac: { kind: 'pkcs12', passwordForm: 'legacy' } })), pw);
    expectHolder(c);
  });

  it('wrong password: bad-password, with and without a MAC, for PBES2 and legacy encryption', async () => {
    expect((await failure(() => decodePkcs12(buildP12(standard()), 'wrong'))).code).toBe('bad-password');
    const noMacPbes2 = standard({ mac: null });
    expect((await failure(() => decodePkcs12(buildP12(noMacPbes2), 'wrong'))).code).toBe('bad-password');
    const noMacLegacy = standard({ mac: null, certEncryption: { kind: 'pkcs12-pbe', alg: 'rc2-40' } });
    noMacLegacy.keys![0].encrypt = { kind: 'pkcs12-pbe', alg: '3des' };
    expect((await failure(() => decodePkcs12(buildP12(noMacLegacy), 'wrong'))).code).toBe('bad-password');
  });

  it('a password copied with spaces around it still opens the file (openPkcs12)', async () => {
    const file = buildP12(standard());
    expectHolder(await openPkcs12(file, `  ${PASSWORD} \n`));
    expect((await failure(() => openPkcs12(file, `${PASSWORD}x`))).code).toBe('bad-password');
  });
});

describe('decodePkcs12: limits, checked before any work', () => {
  it('refuses a file over maxBytes without parsing it', async () => {
    const big = Buffer.alloc(DEFAULT_LIMITS.maxBytes + 1, 0x30);
    const f = await failure(() => decodePkcs12(big, PASSWORD));
    expect(f.code).toBe('too-large');
    expect(f.ms).toBeLessThan(50);
    expect((await failure(() => decodePkcs12(buildP12(standard()), PASSWORD, { maxBytes: 1000, maxIterations: 1e6 }))).code).toBe('too-large');
  });

  const absurd: Array<[string, Partial<P12Spec>, EncSpec | undefined]> = [
    ['MAC with 2^31-1 iterations', { mac: { kind: 'pkcs12', declaredIterations: 2 ** 31 - 1 } as MacSpec }, undefined],
    ['PBMAC1 with 2^31-1 iterations', { mac: { kind: 'pbmac1', declaredIterations: 2 ** 31 - 1 } as MacSpec }, undefined],
    ['certificates (PBES2) with 2^31-1 iterations', { certEncryption: { kind: 'pbes2', declaredIterations: 2 ** 31 - 1 } }, undefined],
    ['certificates (legacy RC2) with 2^31-1 iterations', { certEncryption: { kind: 'pkcs12-pbe', alg: 'rc2-40', declaredIterations: 2 ** 31 - 1 } }, undefined],
    ['key (PBES2) with 2^31-1 iterations', {}, { kind: 'pbes2', declaredIterations: 2 ** 31 - 1 }],
    ['key (legacy 3DES) with a 9-byte iteration count', {}, { kind: 'pkcs12-pbe', alg: '3des', declaredIterations: Buffer.from('7fffffffffffffffff', 'hex') }],
    ['MAC with 10,000,001 iterations', { mac: { kind: 'pkcs12', declaredIterations: 10_000_001 } as MacSpec }, undefined],
  ];
  it.each(absurd)('%s: too-costly at once', async (_, overrides, keyEnc) => {
    const spec = standard(overrides);
    if (keyEnc) spec.keys![0].encrypt = keyEnc;
    const f = await failure(() => decodePkcs12(buildP12(spec), PASSWORD));
    expect(f.code).toBe('too-costly');
    expect(f.ms).toBeLessThan(100);
  });

  it('a wrong password does not change the verdict: cost is judged before the password is tried', async () => {
    const spec = standard({ mac: { kind: 'pkcs12', declaredIterations: 2 ** 31 - 1 } });
    expect((await failure(() => decodePkcs12(buildP12(spec), 'wrong'))).code).toBe('too-costly');
  });

  it('accepts counts up to the limit and refuses the total work of many expensive bags', async () => {
    const limits = { maxBytes: DEFAULT_LIMITS.maxBytes, maxIterations: 3000 };
    expectHolder(await decodePkcs12(buildP12(standard({ mac: { kind: 'pkcs12', iterations: 3000 } })), PASSWORD, limits));
    const spec = standard({ mac: { kind: 'pkcs12', iterations: 2048 } });
    for (let i = 0; i < 5; i++) spec.keys!.push({ pkcs8: second.key, encrypt: { kind: 'pbes2', iterations: 2048 } });
    const f = await failure(() => decodePkcs12(buildP12(spec), PASSWORD, limits));
    expect(f.code).toBe('too-costly');
  });

  it('the default limits accept the 600,000-iteration counts of NSS and GnuTLS', () => {
    expect(DEFAULT_LIMITS.maxIterations).toBeGreaterThanOrEqual(2_000_000);
    expect(DEFAULT_LIMITS.maxBytes).toBeGreaterThanOrEqual(100 * 1024);
  });
});

describe('decodePkcs12: hostile and broken input', () => {
  it('empty, random bytes and a PEM file are malformed', async () => {
    expect((await failure(() => decodePkcs12(Buffer.alloc(0), PASSWORD))).code).toBe('malformed');
    for (let i = 0; i < 50; i++) {
      const f = await failure(() => decodePkcs12(randomBytes(1 + ((i * 97) % 3000)), PASSWORD));
      expect(f.code).toBe('malformed');
    }
    const pem = Buffer.from(`-----BEGIN CERTIFICATE-----\n${holder.cert.toString('base64')}\n-----END CERTIFICATE-----\n`);
    const f = await failure(() => decodePkcs12(pem, PASSWORD));
    expect(f.code).toBe('malformed');
    expect(f.message).toMatch(/PEM/);
  });

  it('random bytes behind a plausible SEQUENCE header are malformed', async () => {
    for (let i = 0; i < 50; i++) {
      const body = randomBytes(500);
      const f = await failure(() => decodePkcs12(Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0xf4]), body]), PASSWORD));
      expect(f.code).toBe('malformed');
    }
  });

  it('every truncation is malformed (or, when the cut lands inside a MAC-less file, bad-password), quickly', async () => {
    const file = buildP12(standard({ berFraming: true }));
    for (let len = 0; len < file.length; len += 37) {
      const f = await failure(() => decodePkcs12(file.subarray(0, len), PASSWORD));
      expect(f.code).toBe('malformed');
      expect(f.ms).toBeLessThan(2000);
    }
  });

  it('a flipped byte anywhere gives a code, never a crash; in the MAC value it is a damaged file', async () => {
    const file = buildP12(standard());
    const seen = new Set<string>();
    for (let pos = 0; pos < file.length; pos += 13) {
      const bad = Buffer.from(file);
      bad[pos] ^= 0x55;
      try {
        await decodePkcs12(bad, PASSWORD);
        seen.add('decoded'); // must not happen: every byte is covered by the structure or the MAC
      } catch (err) {
        expect(err).toBeInstanceOf(EidError);
        seen.add((err as EidError).code);
      }
    }
    expect([...seen].every((c) => ['malformed', 'bad-password', 'unsupported', 'too-costly'].includes(c))).toBe(true);
    expect(seen.has('malformed')).toBe(true);
    // The MAC value is the last 32 bytes before the salt; flip inside it: the password is right
    // (the bags decrypt), so the file is damaged, not the password wrong.
    const macPos = file.indexOf(Buffer.from([0x04, 0x20]), file.length - 80) + 5;
    const bad = Buffer.from(file);
    bad[macPos] ^= 1;
    const f = await failure(() => decodePkcs12(bad, PASSWORD));
    expect(f.code).toBe('malformed');
    expect(f.message).toMatch(/damaged/);
    expect((await failure(() => decodePkcs12(bad, 'wrong'))).code).toBe('bad-password');
  });

  it('deep nesting and huge declared lengths are malformed at once', async () => {
    const bomb = Buffer.concat([Buffer.alloc(20000).fill(Buffer.from([0x30, 0x80]))]);
    let f = await failure(() => decodePkcs12(bomb, PASSWORD));
    expect(f.code).toBe('malformed');
    expect(f.ms).toBeLessThan(200);
    f = await failure(() => decodePkcs12(Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x03]), PASSWORD));
    expect(f.code).toBe('malformed');
    const definiteBomb = Buffer.alloc(200000);
    for (let i = 0; i < 100000; i++) definiteBomb[i] = i % 2 ? 0x80 : 0x30;
    f = await failure(() => decodePkcs12(definiteBomb, PASSWORD));
    expect(f.code).toBe('malformed');
  });

  it('unknown and unsupported algorithms are named', async () => {
    // Swap the AES-256-CBC OID for AES-256-GCM: recognised by name, not supported.
    const file = buildP12(standard());
    const cbc = der.oid('2.16.840.1.101.3.4.1.42');
    const gcm = der.oid('2.16.840.1.101.3.4.1.46');
    const at = file.indexOf(cbc);
    expect(at).toBeGreaterThan(0);
    const swapped = Buffer.from(file);
    gcm.copy(swapped, at);
    const f = await failure(() => decodePkcs12(swapped, PASSWORD));
    expect(f.code).toBe('unsupported');
    expect(f.message).toContain('AES-256-GCM');
  });

  it('a PFX of another version, or signed instead of MACed, is refused with the right code', async () => {
    const file = buildP12(standard());
    const v2 = Buffer.from(file);
    const vAt = v2.indexOf(Buffer.from([0x02, 0x01, 0x03]));
    v2[vAt + 2] = 2;
    expect((await failure(() => decodePkcs12(v2, PASSWORD))).code).toBe('malformed');
    const signed = Buffer.from(file);
    const dataOid = der.oid('1.2.840.113549.1.7.1');
    const sAt = signed.indexOf(dataOid);
    der.oid('1.2.840.113549.1.7.2').copy(signed, sAt);
    expect((await failure(() => decodePkcs12(signed, PASSWORD))).code).toBe('unsupported');
  });
});
