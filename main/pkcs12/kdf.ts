/**
 * Key derivation for PKCS#12: the PKCS#12 KDF (RFC 7292 appendix B) and PBKDF2 (RFC 8018).
 *
 * PBKDF2 goes to Node's native, asynchronous implementation (libuv's thread pool), so several
 * run at once while the main thread computes the PKCS#12 KDF, which has no native call.
 */
import * as crypto from 'node:crypto';
import { createWasmIterators, sha1Iterate, sha256Iterate, type DigestIterators } from './hash-iterate';

/** Digests PKCS#12 uses, by Node's names. */
export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** One PKCS#12 KDF computation: everything a worker thread needs, as plain data. */
export interface Pkcs12KdfJob {
  hash: HashName;
  /** The password as BMPString bytes (UTF-16BE plus two zero bytes), or empty for the "no password" convention. */
  password: Uint8Array;
  salt: Uint8Array;
  /** 1 = key material, 2 = IV, 3 = MAC key. */
  id: 1 | 2 | 3;
  iterations: number;
  /** Bytes wanted. */
  length: number;
}

/** Helpers the KDF needs, injected so the function stays self-contained for worker threads. */
export interface KdfDeps {
  hash(alg: string, data: Uint8Array): Uint8Array;
  sha1Iterate(h: Int32Array, count: number): void;
  sha256Iterate(h: Int32Array, count: number, words: number): void;
  /** SHA-384/512 over 12/16 big-endian 32-bit words. Absent: one native call per iteration (~1 µs each). */
  sha512Iterate?(h: Int32Array, count: number, words: number): void;
}

/**
 * The PKCS#12 KDF, synchronous. Self-contained (only `deps` and globals) because kdf-pool.ts sends
 * its source text to worker threads.
 */
export function pkcs12KdfSync(job: Pkcs12KdfJob, deps: KdfDeps): Uint8Array {
  const sizes: Record<string, [number, number]> = { sha1: [20, 64], sha224: [28, 64], sha256: [32, 64], sha384: [48, 128], sha512: [64, 128] };
  const [u, v] = sizes[job.hash];
  const fill = (src: Uint8Array): Uint8Array => {
    const out = new Uint8Array(src.length === 0 ? 0 : v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length];
    return out;
  };
  const S = fill(job.salt);
  const P = fill(job.password);
  const I = new Uint8Array(S.length + P.length);
  I.set(S, 0);
  I.set(P, S.length);
  const D = new Uint8Array(v).fill(job.id);
  const c = Math.ceil(job.length / u);
  const out = new Uint8Array(c * u);
  const DI = new Uint8Array(v + I.length);
  DI.set(D, 0);
  for (let i = 0; i < c; i++) {
    DI.set(I, v);
    let A = deps.hash(job.hash, DI);
    if (job.iterations > 1) {
      const wide = job.hash === 'sha384' || job.hash === 'sha512';
      if (!wide || deps.sha512Iterate) {
        const words = u / 4;
        const h = new Int32Array(words);
        const view = new DataView(A.buffer, A.byteOffset, A.byteLength);
        for (let w = 0; w < words; w++) h[w] = view.getInt32(w * 4);
        if (job.hash === 'sha1') deps.sha1Iterate(h, job.iterations - 1);
        else if (wide && deps.sha512Iterate) deps.sha512Iterate(h, job.iterations - 1, words);
        else deps.sha256Iterate(h, job.iterations - 1, words);
        A = new Uint8Array(u);
        const outView = new DataView(A.buffer);
        for (let w = 0; w < words; w++) outView.setInt32(w * 4, h[w]);
      } else {
        for (let r = 1; r < job.iterations; r++) A = deps.hash(job.hash, A);
      }
    }
    out.set(A, i * u);
    if (i + 1 < c) {
      // I_j = (I_j + B + 1) mod 2^(8v), B = A repeated to v bytes.
      const B = new Uint8Array(v);
      for (let k = 0; k < v; k++) B[k] = A[k % u];
      for (let j = 0; j < I.length; j += v) {
        let carry = 1;
        for (let k = v - 1; k >= 0; k--) {
          const sum = I[j + k] + B[k] + carry;
          I[j + k] = sum & 0xff;
          carry = sum >>> 8;
        }
      }
    }
  }
  return out.subarray(0, job.length);
}

/** One-shot native digest: `crypto.hash` where Node has it (20.12+/21.7+), else createHash. */
export function hashOnce(alg: string, data: Uint8Array): Uint8Array {
  const fast = (crypto as { hash?: (a: string, d: Uint8Array, enc: 'buffer') => Buffer }).hash;
  if (fast) return fast(alg, data, 'buffer');
  return crypto.createHash(alg).update(data).digest();
}

let iterators: DigestIterators | null | undefined;

/** WebAssembly iterators, built on first use (not at import: the CLI's start-up stays lean). */
function wasm(): DigestIterators | null {
  if (iterators === undefined) iterators = process.env.EIDDESK_NO_WASM ? null : createWasmIterators();
  return iterators;
}

/** The dependencies for running the KDF on this thread: WebAssembly loops, JavaScript where unavailable. */
export const LOCAL_DEPS: KdfDeps = {
  hash: hashOnce,
  sha1Iterate: (h, count) => {
    const w = wasm();
    if (w) w.sha1(h, count);
    else sha1Iterate(h, count);
  },
  sha256Iterate: (h, count, words) => {
    const w = wasm();
    if (w) w.sha256(h, count, words);
    else sha256Iterate(h, count, words);
  },
  sha512Iterate: (h, count, words) => {
    const w = wasm();
    if (w) return w.sha512(h, count, words);
    // No WebAssembly: the native one-shot digest, once per iteration.
    const alg = words === 16 ? 'sha512' : 'sha384';
    const bytes = Buffer.alloc(words * 4);
    for (let k = 0; k < words; k++) bytes.writeInt32BE(h[k], 4 * k);
    let d: Uint8Array = bytes;
    for (let i = 0; i < count; i++) d = hashOnce(alg, d);
    const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let k = 0; k < words; k++) h[k] = view.getInt32(4 * k);
  },
};

/** PKCS#12 KDF on the calling thread. */
export function pkcs12Kdf(job: Pkcs12KdfJob): Buffer {
  const out = pkcs12KdfSync(job, LOCAL_DEPS);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Native PBKDF2 on libuv's thread pool. Starts immediately, before the returned promise is awaited. */
export function pbkdf2(password: Buffer, salt: Buffer, iterations: number, keyLength: number, digest: HashName): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.pbkdf2(password, salt, iterations, keyLength, digest, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * The password as PKCS#12 wants it for its own KDF: BMPString (UTF-16BE) with a two-byte zero
 * terminator. Characters outside the BMP become surrogate pairs, as Windows and OpenSSL write them.
 */
export function bmpPassword(password: string): Buffer {
  const b = Buffer.from(`${password}\u0000`, 'utf16le');
  b.swap16();
  return b;
}

/**
 * The BMPString that OpenSSL before 1.1.0 (and some tools still) produced for a non-ASCII
 * password: each byte of the UTF-8 encoding widened to one 16-bit character. OpenSSL tries it
 * when the proper form fails; so do we, or files made by those tools would not open.
 */
export function legacyBmpPassword(password: string): Buffer {
  const utf8 = Buffer.from(password, 'utf8');
  const out = Buffer.alloc(utf8.length * 2 + 2);
  for (let i = 0; i < utf8.length; i++) out[2 * i + 1] = utf8[i];
  return out;
}
