/**
 * SoftHSM2 tokens for tests and the demo card, made through the PKCS#11 API itself (no PINs on any
 * command line): a private SOFTHSM2_CONF and token directory, C_InitToken on the free slot, then
 * keys and certificates written as a card issuer would write them.
 *
 * Development and test code only (not packaged).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { ckString, pkcs11js } from '../main/card/pkcs11';
import { parseCertificate } from '../main/pki/certificate';

/** Where Debian installs the SoftHSM2 module. */
export const SOFTHSM_MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'];

/** A SoftHSM2 configuration in its own directory. */
export interface SoftHsmEnv {
  dir: string;
  conf: string;
  tokenDir: string;
}

/** Writes a softhsm2.conf whose tokens live under `dir/tokens`. */
export function makeSoftHsmEnv(dir: string): SoftHsmEnv {
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir, { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  return { dir, conf, tokenDir };
}

/** An e-ID to put on a token: certificate plus private key (imported as sensitive, non-extractable). */
export interface TokenEid {
  id: Buffer;
  label: string;
  certificate: Buffer;
  privateKey?: KeyObject;
  /** Also write the public key as a public object, so the key is visible without login. */
  publicKeyObject?: boolean;
}

function b64u(s: string | undefined): Buffer {
  if (!s) throw new Error('missing JWK component');
  return Buffer.from(s, 'base64url');
}

/**
 * Runs `fn` with the SoftHSM2 module loaded under the given config. The module reads SOFTHSM2_CONF
 * at C_Initialize, so the variable is set for the duration and restored afterwards.
 */
export function withSoftHsm<T>(env: SoftHsmEnv, modulePath: string, fn: (api: InstanceType<ReturnType<typeof pkcs11js>['PKCS11']>) => T): T {
  const p = pkcs11js();
  const before = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = env.conf;
  const api = new p.PKCS11();
  api.load(modulePath);
  api.C_Initialize();
  try {
    return fn(api);
  } finally {
    try {
      api.C_Finalize();
    } catch {
      /* ignore */
    }
    api.close();
    if (before === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = before;
  }
}

/** Creates and fills one token. Returns its serial number. */
export function createToken(
  env: SoftHsmEnv,
  modulePath: string,
  opts: { label: string; soPin: string; userPin: string; eids: readonly TokenEid[] },
): string {
  const p = pkcs11js();
  return withSoftHsm(env, modulePath, (api) => {
    const free = api.C_GetSlotList(true).find((s) => !(api.C_GetTokenInfo(s).flags & p.CKF_TOKEN_INITIALIZED));
    if (!free) throw new Error('no free SoftHSM2 slot');
    // C_InitToken wants a 32-byte blank-padded label; pkcs11js pads. UTF-8 must fit in 32 bytes.
    if (Buffer.byteLength(opts.label) > 32) throw new Error('token label longer than 32 bytes');
    // pkcs11js pads with NULs by characters; give it exactly 32 blank-padded bytes ourselves.
    api.C_InitToken(free, opts.soPin, opts.label + ' '.repeat(32 - Buffer.byteLength(opts.label)));
    // SoftHSM2 moves the new token to a new slot id: find it by label.
    const slot = api.C_GetSlotList(true).find((s) => ckString(api.C_GetTokenInfo(s).label) === opts.label);
    if (!slot) throw new Error('initialised token not found');
    const session = api.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
    api.C_Login(session, p.CKU_SO, opts.soPin);
    api.C_InitPIN(session, opts.userPin);
    api.C_Logout(session);
    api.C_Login(session, p.CKU_USER, opts.userPin);
    for (const e of opts.eids) writeEid(api, session, e);
    api.C_Logout(session);
    api.C_CloseSession(session);
    return ckString(api.C_GetTokenInfo(slot).serialNumber);
  });
}

/** Writes certificate, private key and optionally public key objects with matching CKA_ID and label. */
export function writeEid(api: InstanceType<ReturnType<typeof pkcs11js>['PKCS11']>, session: Buffer, e: TokenEid): void {
  const p = pkcs11js();
  const cert = parseCertificate(e.certificate);
  api.C_CreateObject(session, [
    { type: p.CKA_CLASS, value: p.CKO_CERTIFICATE },
    { type: p.CKA_CERTIFICATE_TYPE, value: p.CKC_X_509 },
    { type: p.CKA_TOKEN, value: true },
    { type: p.CKA_PRIVATE, value: false },
    { type: p.CKA_LABEL, value: Buffer.from(e.label, 'utf8') },
    { type: p.CKA_ID, value: e.id },
    { type: p.CKA_SUBJECT, value: cert.subjectRaw },
    { type: p.CKA_ISSUER, value: cert.issuerRaw },
    { type: p.CKA_SERIAL_NUMBER, value: Buffer.concat([Buffer.from([0x02, cert.serial.length + (cert.serial[0] & 0x80 ? 1 : 0)]), cert.serial[0] & 0x80 ? Buffer.from([0]) : Buffer.alloc(0), cert.serial]) },
    { type: p.CKA_VALUE, value: e.certificate },
  ]);
  if (!e.privateKey) return;
  const jwk = e.privateKey.export({ format: 'jwk' });
  const common = [
    { type: p.CKA_TOKEN, value: true },
    { type: p.CKA_LABEL, value: Buffer.from(e.label, 'utf8') },
    { type: p.CKA_ID, value: e.id },
    { type: p.CKA_SUBJECT, value: cert.subjectRaw },
  ];
  if (jwk.kty === 'RSA') {
    api.C_CreateObject(session, [
      ...common,
      { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
      { type: p.CKA_KEY_TYPE, value: p.CKK_RSA },
      { type: p.CKA_PRIVATE, value: true },
      { type: p.CKA_SENSITIVE, value: true },
      { type: p.CKA_EXTRACTABLE, value: false },
      { type: p.CKA_SIGN, value: true },
      { type: p.CKA_DECRYPT, value: true },
      { type: p.CKA_MODULUS, value: b64u(jwk.n) },
      { type: p.CKA_PUBLIC_EXPONENT, value: b64u(jwk.e) },
      { type: p.CKA_PRIVATE_EXPONENT, value: b64u(jwk.d) },
      { type: p.CKA_PRIME_1, value: b64u(jwk.p) },
      { type: p.CKA_PRIME_2, value: b64u(jwk.q) },
      { type: p.CKA_EXPONENT_1, value: b64u(jwk.dp) },
      { type: p.CKA_EXPONENT_2, value: b64u(jwk.dq) },
      { type: p.CKA_COEFFICIENT, value: b64u(jwk.qi) },
    ]);
    if (e.publicKeyObject !== false) {
      api.C_CreateObject(session, [
        ...common,
        { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_RSA },
        { type: p.CKA_PRIVATE, value: false },
        { type: p.CKA_VERIFY, value: true },
        { type: p.CKA_MODULUS, value: b64u(jwk.n) },
        { type: p.CKA_PUBLIC_EXPONENT, value: b64u(jwk.e) },
      ]);
    }
  } else if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
    const params = Buffer.from('06082a8648ce3d030107', 'hex');
    api.C_CreateObject(session, [
      ...common,
      { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
      { type: p.CKA_KEY_TYPE, value: p.CKK_EC },
      { type: p.CKA_PRIVATE, value: true },
      { type: p.CKA_SENSITIVE, value: true },
      { type: p.CKA_EXTRACTABLE, value: false },
      { type: p.CKA_SIGN, value: true },
      { type: p.CKA_EC_PARAMS, value: params },
      { type: p.CKA_VALUE, value: b64u(jwk.d) },
    ]);
    if (e.publicKeyObject !== false) {
      const point = Buffer.concat([Buffer.from([0x04]), b64u(jwk.x), b64u(jwk.y)]);
      api.C_CreateObject(session, [
        ...common,
        { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_EC },
        { type: p.CKA_PRIVATE, value: false },
        { type: p.CKA_VERIFY, value: true },
        { type: p.CKA_EC_PARAMS, value: params },
        { type: p.CKA_EC_POINT, value: Buffer.concat([Buffer.from([0x04, point.length]), point]) },
      ]);
    }
  } else {
    throw new Error(`unsupported key type ${jwk.kty}`);
  }
}
