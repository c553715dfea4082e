import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWasmIterators } from '../../main/pkcs12/hash-iterate';
import { LOCAL_DEPS, bmpPassword, hashOnce, pkcs12Kdf, pkcs12KdfSync } from '../../main/pkcs12/kdf';
import { configureKdfPool, runPkcs12Kdfs } from '../../main/pkcs12/kdf-pool';

/** The digest of `seed` hashed again n times with native createHash: the reference. */
function reference(alg: 'sha384' | 'sha512', seed: string, n: number): Buffer {
  let d = createHash(alg).update(seed).digest();
  for (let i = 0; i < n; i++) d = createHash(alg).update(d).digest();
  return d;
}

const toWords = (b: Buffer) => Int32Array.from({ length: b.length / 4 }, (_, k) => b.readInt32BE(4 * k));
const fromWords = (h: Int32Array) => Buffer.concat(Array.from(h, (w) => Buffer.from([w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255])));

describe('SHA-384/512 iterated in WebAssembly (the PKCS#12 MAC KDF with -macalg sha512, GnuTLS --hash SHA512)', () => {
  const wasm = createWasmIterators();

  it.each([
    ['sha512', 16],
    ['sha384', 12],
  ] as const)('%s equals native createHash applied n times', (alg, words) => {
    expect(wasm).not.toBeNull();
    for (const n of [0, 1, 2, 511, 512, 513, 3000]) {
      const h = toWords(reference(alg, `seed ${n}`, 0));
      wasm!.sha512(h, n, words);
      expect(fromWords(h).toString('hex')).toBe(reference(alg, `seed ${n}`, n).toString('hex'));
    }
  });

  it('the KDF gives the same bytes through WebAssembly, through one native call per iteration, and on a worker', async () => {
    const salt = Buffer.from('0102030405060708', 'hex');
    const password = bmpPassword('Åsa');
    for (const hash of ['sha384', 'sha512'] as const) {
      const job = { hash, id: 3 as const, iterations: 5000, salt, password, length: hash === 'sha512' ? 64 : 48 };
      const viaWasm = pkcs12Kdf(job);
      const native = pkcs12KdfSync(job, { ...LOCAL_DEPS, sha512Iterate: undefined, hash: hashOnce });
      expect(Buffer.from(native).equals(viaWasm)).toBe(true);
      const saved = configureKdfPool({ parallelThreshold: 0, maxWorkers: 1, offMainThread: true });
      try {
        const [onWorker] = await runPkcs12Kdfs([job]);
        expect(onWorker.equals(viaWasm)).toBe(true);
      } finally {
        configureKdfPool(saved);
      }
    }
  });
});
