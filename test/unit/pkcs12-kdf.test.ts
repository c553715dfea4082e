import { createHash, createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWasmIterators, sha1Iterate, sha256Iterate } from '../../main/pkcs12/hash-iterate';
import { bmpPassword, legacyBmpPassword, pkcs12Kdf, pkcs12KdfSync, type HashName } from '../../main/pkcs12/kdf';
import { configureKdfPool, kdfPoolStats, runPkcs12Kdfs } from '../../main/pkcs12/kdf-pool';
import { rc2CbcDecrypt, rc2CbcEncrypt, rc2EncryptBlock } from '../../main/pkcs12/rc2';
import { decrypt, encrypt, rc4 } from '../../main/pkcs12/ciphers';

const hex = (s: string) => Buffer.from(s, 'hex');
const smeg = hex('0073006d006500670000'); // BMPString "smeg" with its terminator

/**
 * Known answers made once with OpenSSL 3.0's own implementation:
 *   openssl kdf -keylen L -kdfopt digest:H -kdfopt hexpass:<BMP> -kdfopt hexsalt:S -kdfopt iter:N -kdfopt id:I PKCS12KDF
 * test/integration/pkcs12-interop.test.ts re-derives vectors from OpenSSL at run time as well.
 */
const VECTORS: Array<{ hash: HashName; id: 1 | 2 | 3; iterations: number; salt: string; password: Buffer; out: string }> = [
  { hash: 'sha1', id: 1, iterations: 1, salt: '0A58CF64530D823F', password: smeg, out: '8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3' },
  { hash: 'sha1', id: 2, iterations: 1, salt: '0A58CF64530D823F', password: smeg, out: '79993DFE048D3B76' },
  { hash: 'sha1', id: 3, iterations: 1000, salt: '3D83C0E4546AC140', password: smeg, out: '227DDA4A1E842282272F6547C8D77E30A4BB6ABC' },
  { hash: 'sha256', id: 3, iterations: 2048, salt: '0102030405060708', password: smeg, out: 'A5BD69461B579F46BDC0D4B915D3BFEE6A20B355764AEA78D2FE7D5FA2FDF94C' },
  { hash: 'sha512', id: 1, iterations: 100, salt: 'AABBCCDD', password: smeg, out: '6977CA4CABE1346FADB623CBEB53AA1D6A00E244122AFC33F841E05FAE43311D8ED0CBD3D7010F1F' },
  { hash: 'sha224', id: 3, iterations: 700, salt: '00', password: smeg, out: 'E869A8A5A757DF83604D84D14FB31F53436097D52E8FF63A04090298' },
  { hash: 'sha384', id: 2, iterations: 3, salt: 'DEADBEEF', password: smeg, out: 'B049A33F765F5EF56565F53C6B00D15C' },
  { hash: 'sha1', id: 3, iterations: 2048, salt: '0102030405060708', password: hex('0000'), out: '422271A0229A8E68E59672D9278FE548EB74B013' },
];

describe('PKCS#12 KDF (RFC 7292 appendix B)', () => {
  it.each(VECTORS)('matches OpenSSL: $hash id $id, $iterations iterations, $out.length hex digits', (v) => {
    const out = pkcs12Kdf({ hash: v.hash, id: v.id, iterations: v.iterations, salt: hex(v.salt), password: v.password, length: v.out.length / 2 });
    expect(out.toString('hex').toUpperCase()).toBe(v.out);
  });

  it('gives the same answer with the JavaScript loops as with WebAssembly (the fallback is correct too)', () => {
    const deps = { hash: (a: string, d: Uint8Array) => createHash(a).update(d).digest(), sha1Iterate, sha256Iterate };
    for (const v of VECTORS) {
      const out = pkcs12KdfSync({ hash: v.hash, id: v.id, iterations: v.iterations, salt: hex(v.salt), password: v.password, length: v.out.length / 2 }, deps);
      expect(Buffer.from(out).toString('hex').toUpperCase()).toBe(v.out);
    }
  });

  it('derives multi-block output (3DES key from SHA-1) by adjusting I between blocks', () => {
    // 24 bytes from SHA-1 (20 per block) needs two blocks; the first vector above checks it, and
    // the first 20 bytes alone must equal the one-block answer.
    const one = pkcs12Kdf({ hash: 'sha1', id: 1, iterations: 1, salt: hex('0A58CF64530D823F'), password: smeg, length: 20 });
    expect(one.toString('hex').toUpperCase()).toBe(VECTORS[0].out.slice(0, 40));
  });
});

describe('iterated hashes', () => {
  const wasm = createWasmIterators();

  it('WebAssembly is available in this runtime', () => {
    expect(wasm).not.toBeNull();
  });

  it.each([
    ['sha1', 5],
    ['sha224', 7],
    ['sha256', 8],
  ] as const)('%s: WebAssembly and JavaScript equal native createHash applied n times', (alg, words) => {
    for (const n of [0, 1, 2, 513, 3000]) {
      let ref = createHash(alg).update(`seed ${n}`).digest();
      const start = Buffer.from(ref);
      for (let i = 0; i < n; i++) ref = createHash(alg).update(ref).digest();
      const load = () => {
        const h = new Int32Array(words);
        for (let k = 0; k < words; k++) h[k] = start.readInt32BE(4 * k);
        return h;
      };
      const dump = (h: Int32Array) => Buffer.concat(Array.from(h, (w) => Buffer.from([w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255])));
      const hw = load();
      if (alg === 'sha1') wasm!.sha1(hw, n);
      else wasm!.sha256(hw, n, words);
      expect(dump(hw).equals(ref)).toBe(true);
      const hj = load();
      if (alg === 'sha1') sha1Iterate(hj, n);
      else sha256Iterate(hj, n, words);
      expect(dump(hj).equals(ref)).toBe(true);
    }
  });
});

describe('password encodings', () => {
  it('BMPString: UTF-16 big-endian plus a two-byte terminator; Å, Ö, ä and € exact', () => {
    expect(bmpPassword('Åsa-Öberg-ä€').toString('hex')).toBe('00c500730061002d00d60062006500720067002d00e420ac0000');
    expect(bmpPassword('').toString('hex')).toBe('0000');
  });

  it('characters outside the BMP become surrogate pairs', () => {
    expect(bmpPassword('😀').toString('hex')).toBe('d83dde000000');
  });

  it('the byte-wise form old OpenSSL wrote widens each UTF-8 byte', () => {
    // Å is C3 85 in UTF-8: two characters 00C3 0085.
    expect(legacyBmpPassword('Å1').toString('hex')).toBe('00c3008500310000');
  });
});

describe('RC2 (RFC 2268)', () => {
  it.each([
    ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
    ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
    ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
    ['88', 64, '0000000000000000', '61a8a244adacccf0'],
    ['88bca90e90875a', 64, '0000000000000000', '6ccf4308974c267f'],
    ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  ])('key %s, %i effective bits: RFC test vector', (key, bits, plain, cipher) => {
    expect(rc2EncryptBlock(hex(key), bits, hex(plain)).toString('hex')).toBe(cipher);
  });

  it('CBC round trip with 40-bit keys, and padding failure gives null', () => {
    const key = hex('0102030405');
    const iv = hex('0001020304050607');
    for (const len of [0, 1, 7, 8, 9, 100]) {
      const plain = Buffer.alloc(len, 0x5a);
      const c = rc2CbcEncrypt(key, 40, iv, plain);
      expect(c.length % 8).toBe(0);
      expect(rc2CbcDecrypt(key, 40, iv, c)?.equals(plain)).toBe(true);
    }
    const c = rc2CbcEncrypt(key, 40, iv, Buffer.from('certificate bag'));
    expect(rc2CbcDecrypt(hex('0102030406'), 40, iv, c)).toBeNull();
    expect(rc2CbcDecrypt(key, 40, iv, c.subarray(0, 7))).toBeNull();
  });
});

describe('ciphers', () => {
  it('RC4 known answer ("Key" / "Plaintext")', () => {
    expect(rc4(Buffer.from('Key'), Buffer.from('Plaintext')).toString('hex')).toBe('bbf316e8d940af0ad3');
  });

  it('two-key triple DES equals three-key with K3 = K1', () => {
    const k = hex('0123456789abcdeffedcba9876543210');
    const iv = hex('1122334455667788');
    const c = createCipheriv('des-ede3-cbc', Buffer.concat([k, k.subarray(0, 8)]), iv);
    const data = Buffer.concat([c.update('two-key 3DES'), c.final()]);
    expect(decrypt('des-ede-cbc', k, iv, data)?.toString()).toBe('two-key 3DES');
  });

  it('a wrong key fails the padding check instead of returning garbage (almost always)', () => {
    const key = Buffer.alloc(32, 1);
    const iv = Buffer.alloc(16, 2);
    const data = encrypt('aes-256-cbc', key, iv, Buffer.from('a private key'));
    let nulls = 0;
    for (let i = 0; i < 20; i++) if (decrypt('aes-256-cbc', Buffer.alloc(32, 10 + i), iv, data) === null) nulls++;
    expect(nulls).toBeGreaterThanOrEqual(18);
    expect(decrypt('aes-256-cbc', key, iv, data.subarray(1))).toBeNull();
  });
});

describe('KDF pool', () => {
  it('runs jobs on worker threads when forced, with the same results as inline', async () => {
    const jobs = VECTORS.map((v) => ({ hash: v.hash, id: v.id, iterations: v.iterations, salt: hex(v.salt), password: v.password, length: v.out.length / 2 }));
    const before = kdfPoolStats.workersStarted;
    const saved = configureKdfPool({ parallelThreshold: 0, maxWorkers: 2, offMainThread: true });
    try {
      const out = await runPkcs12Kdfs(jobs);
      expect(out.map((b) => b.toString('hex').toUpperCase())).toEqual(VECTORS.map((v) => v.out));
      expect(kdfPoolStats.workersStarted).toBeGreaterThan(before);
    } finally {
      configureKdfPool(saved);
    }
  });

  it('runs small batches inline without starting workers', async () => {
    const before = kdfPoolStats.workersStarted;
    const out = await runPkcs12Kdfs([{ hash: 'sha256', id: 3, iterations: 2048, salt: hex('0102030405060708'), password: smeg, length: 32 }]);
    expect(out[0].toString('hex').toUpperCase()).toBe(VECTORS[3].out);
    expect(kdfPoolStats.workersStarted).toBe(before);
  });
});
