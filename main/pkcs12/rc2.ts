/**
 * RC2 (RFC 2268) in CBC mode.
 *
 * Why our own: `openssl pkcs12 -legacy`, Windows before 2019 and many older issuers encrypt the
 * certificates of a PKCS#12 file with 40-bit RC2. Node on OpenSSL 3 only offers RC2 through the
 * legacy provider, which Node does not load, and Electron's BoringSSL has none. RC2 is tiny, and
 * it protects only certificates (public data) in practice, so a plain implementation is enough.
 */

/** The RFC 2268 "PITABLE": a permutation of 0..255 derived from the digits of pi. */
const PITABLE = Buffer.from(
  'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2179a59f587b34f1361456d8d09817d32' +
    'bd8f40eb86b77b0bf09521225c6b4e8254d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626' +
    '6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed708e8eade8052eef784aa72ac354d6a2a' +
    '961ad2715a1549744b9fd05e0418a4ecc2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
    '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a90d38341bab33ffb0bb480c5fb9b1cd2e' +
    'c5f3db47e5a59c770aa62068fe7fc1ad',
  'hex',
);

/** Expands a key to the 64 16-bit round keys, for `effectiveBits` (40, 64, 128...). */
export function rc2ExpandKey(key: Buffer, effectiveBits: number): Uint16Array {
  const T = key.length;
  if (T < 1 || T > 128) throw new RangeError('RC2 key length must be 1..128 bytes');
  if (effectiveBits < 1 || effectiveBits > 1024) throw new RangeError('RC2 effective key bits must be 1..1024');
  const L = new Uint8Array(128);
  L.set(key);
  for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1] + L[i - T]) & 0xff];
  const T8 = Math.ceil(effectiveBits / 8);
  const TM = 0xff >> (8 * T8 - effectiveBits);
  L[128 - T8] = PITABLE[L[128 - T8] & TM];
  for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1] ^ L[i + T8]];
  const K = new Uint16Array(64);
  for (let i = 0; i < 64; i++) K[i] = L[2 * i] | (L[2 * i + 1] << 8);
  return K;
}

const SHIFTS = [1, 2, 3, 5];

function encryptBlock(K: Uint16Array, R: Uint16Array): void {
  let j = 0;
  const mix = () => {
    for (let i = 0; i < 4; i++) {
      const v = (R[i] + K[j++] + (R[(i + 3) & 3] & R[(i + 2) & 3]) + (~R[(i + 3) & 3] & R[(i + 1) & 3])) & 0xffff;
      R[i] = (v << SHIFTS[i]) | (v >>> (16 - SHIFTS[i]));
    }
  };
  const mash = () => {
    for (let i = 0; i < 4; i++) R[i] = R[i] + K[R[(i + 3) & 3] & 63];
  };
  for (let r = 0; r < 5; r++) mix();
  mash();
  for (let r = 0; r < 6; r++) mix();
  mash();
  for (let r = 0; r < 5; r++) mix();
}

function decryptBlock(K: Uint16Array, R: Uint16Array): void {
  let j = 63;
  const rmix = () => {
    for (let i = 3; i >= 0; i--) {
      const v = R[i];
      const rot = ((v >>> SHIFTS[i]) | (v << (16 - SHIFTS[i]))) & 0xffff;
      R[i] = rot - K[j--] - (R[(i + 3) & 3] & R[(i + 2) & 3]) - (~R[(i + 3) & 3] & R[(i + 1) & 3]);
    }
  };
  const rmash = () => {
    for (let i = 3; i >= 0; i--) R[i] = R[i] - K[R[(i + 3) & 3] & 63];
  };
  for (let r = 0; r < 5; r++) rmix();
  rmash();
  for (let r = 0; r < 6; r++) rmix();
  rmash();
  for (let r = 0; r < 5; r++) rmix();
}

function loadBlock(src: Buffer, off: number, R: Uint16Array): void {
  for (let i = 0; i < 4; i++) R[i] = src[off + 2 * i] | (src[off + 2 * i + 1] << 8);
}

function storeBlock(R: Uint16Array, dst: Buffer, off: number): void {
  for (let i = 0; i < 4; i++) {
    dst[off + 2 * i] = R[i] & 0xff;
    dst[off + 2 * i + 1] = R[i] >>> 8;
  }
}

/** Encrypts one 8-byte block (ECB); for known-answer tests. */
export function rc2EncryptBlock(key: Buffer, effectiveBits: number, block: Buffer): Buffer {
  const R = new Uint16Array(4);
  loadBlock(block, 0, R);
  encryptBlock(rc2ExpandKey(key, effectiveBits), R);
  const out = Buffer.alloc(8);
  storeBlock(R, out, 0);
  return out;
}

/** RC2-CBC encryption with PKCS#7 padding (tests build legacy files with it). */
export function rc2CbcEncrypt(key: Buffer, effectiveBits: number, iv: Buffer, plain: Buffer): Buffer {
  const K = rc2ExpandKey(key, effectiveBits);
  const pad = 8 - (plain.length % 8);
  const data = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const R = new Uint16Array(4);
  let prev = Buffer.from(iv);
  for (let off = 0; off < data.length; off += 8) {
    for (let i = 0; i < 8; i++) data[off + i] ^= prev[i];
    loadBlock(data, off, R);
    encryptBlock(K, R);
    storeBlock(R, data, off);
    prev = data.subarray(off, off + 8);
  }
  return data;
}

/**
 * RC2-CBC decryption. Returns null when the length or the PKCS#7 padding is wrong, which for a
 * password-based cipher almost always means a wrong password.
 */
export function rc2CbcDecrypt(key: Buffer, effectiveBits: number, iv: Buffer, cipher: Buffer): Buffer | null {
  if (cipher.length === 0 || cipher.length % 8 !== 0 || iv.length !== 8) return null;
  const K = rc2ExpandKey(key, effectiveBits);
  const out = Buffer.alloc(cipher.length);
  const R = new Uint16Array(4);
  for (let off = 0; off < cipher.length; off += 8) {
    loadBlock(cipher, off, R);
    decryptBlock(K, R);
    storeBlock(R, out, off);
    for (let i = 0; i < 8; i++) out[off + i] ^= off === 0 ? iv[i] : cipher[off - 8 + i];
  }
  const pad = out[out.length - 1];
  if (pad < 1 || pad > 8) return null;
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) return null;
  return out.subarray(0, out.length - pad);
}
