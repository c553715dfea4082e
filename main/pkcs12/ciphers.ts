/**
 * Decryption of PKCS#12 contents once the key is derived. Returns null on a padding failure:
 * with password-based encryption that almost always means a wrong password (or, with a verified
 * MAC, a file whose bags use a second password).
 */
import { createDecipheriv, createCipheriv } from 'node:crypto';
import type { CipherName } from './algorithms';
import { rc2CbcDecrypt, rc2CbcEncrypt } from './rc2';

/** RC4 keystream XOR (legacy pbeWithSHAAnd128BitRC4 / 40BitRC4). Symmetric. */
export function rc4(key: Buffer, data: Buffer): Buffer {
  const S = new Uint8Array(256);
  for (let i = 0; i < 256; i++) S[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + S[i] + key[i % key.length]) & 0xff;
    const t = S[i];
    S[i] = S[j];
    S[j] = t;
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + S[i]) & 0xff;
    const t = S[i];
    S[i] = S[j];
    S[j] = t;
    out[n] = data[n] ^ S[(S[i] + S[j]) & 0xff];
  }
  return out;
}

/** Two-key triple DES as three-key (K1 K2 K1): works on every OpenSSL and BoringSSL build. */
function ede3Key(cipher: CipherName, key: Buffer): Buffer {
  return cipher === 'des-ede-cbc' ? Buffer.concat([key.subarray(0, 16), key.subarray(0, 8)]) : key;
}

/** Decrypts with PKCS#7 padding removed; null when the padding (or block length) is wrong. */
export function decrypt(cipher: CipherName, key: Buffer, iv: Buffer, data: Buffer, rc2Bits?: number): Buffer | null {
  if (cipher === 'rc4') return rc4(key, data);
  if (cipher === 'rc2-cbc') return rc2CbcDecrypt(key, rc2Bits ?? key.length * 8, iv, data);
  const block = cipher.startsWith('aes') ? 16 : 8;
  if (data.length === 0 || data.length % block !== 0) return null;
  const nodeName = cipher === 'des-ede-cbc' ? 'des-ede3-cbc' : cipher;
  try {
    const d = createDecipheriv(nodeName, ede3Key(cipher, key), iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    return null;
  }
}

/** Encrypts with PKCS#7 padding (the inverse of decrypt; used by tests that build files). */
export function encrypt(cipher: CipherName, key: Buffer, iv: Buffer, data: Buffer, rc2Bits?: number): Buffer {
  if (cipher === 'rc4') return rc4(key, data);
  if (cipher === 'rc2-cbc') return rc2CbcEncrypt(key, rc2Bits ?? key.length * 8, iv, data);
  const nodeName = cipher === 'des-ede-cbc' ? 'des-ede3-cbc' : cipher;
  const c = createCipheriv(nodeName, ede3Key(cipher, key), iv);
  return Buffer.concat([c.update(data), c.final()]);
}
