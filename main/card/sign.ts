/**
 * Signing with a key on the card, and the test signature: sign a random challenge with an
 * e-ID's key and verify it with the certificate's public key, the way the issuer's "test
 * function" proves an installed e-ID works (seed 003) and the way we prove possession where TLS
 * client auth with a card key is not possible (Electron's BoringSSL).
 */
import { createHash, createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { EidError } from '../errors';
import { actsAsCA, parseCertificate } from '../pki/certificate';
import { ecdsaRawToDer } from '../pki/csr';
import { listKeys, type KeyObjectInfo } from './keys';
import { loginContextSpecific, loginUser, normaliseId, onToken, type OperationOptions, type TokenRef, type TokenSession } from './session';
import { pkcs11js } from './pkcs11';
import { findAll } from './tokens';
import type { CardEid } from './types';

/** PKCS#11 mechanism numbers used here (values from the standard). */
export const MECH = {
  RSA_PKCS: 0x0001,
  SHA256_RSA_PKCS: 0x0040,
  ECDSA: 0x1041,
  ECDSA_SHA256: 0x1044,
} as const;

/** How to make an X.509-compatible SHA-256 signature with a key of this type on this token. */
export interface SignPlan {
  mechanism: number;
  mechanismName: string;
  /** What we hand to C_Sign: the data, its SHA-256, or a PKCS#1 DigestInfo of it. */
  input: 'data' | 'sha256' | 'digest-info';
  /** Name of the resulting X.509 algorithm. */
  algorithm: 'sha256WithRSAEncryption' | 'ecdsaWithSHA256';
}

/** DigestInfo prefix for SHA-256 (RFC 8017 section 9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Picks the mechanism. Cards differ: SoftHSM2 and most tokens hash on the card
 * (CKM_SHA256_RSA_PKCS), many smart cards only do raw CKM_RSA_PKCS (we send the DigestInfo) or
 * CKM_ECDSA over a digest we computed. An empty list means the module would not tell: try the
 * usual mechanism.
 */
export function planSignature(keyType: KeyObjectInfo['keyType'], mechanisms: readonly number[]): SignPlan {
  const has = (m: number) => mechanisms.length === 0 || mechanisms.includes(m);
  if (keyType === 'rsa') {
    if (has(MECH.SHA256_RSA_PKCS)) return { mechanism: MECH.SHA256_RSA_PKCS, mechanismName: 'CKM_SHA256_RSA_PKCS', input: 'data', algorithm: 'sha256WithRSAEncryption' };
    if (mechanisms.includes(MECH.RSA_PKCS)) return { mechanism: MECH.RSA_PKCS, mechanismName: 'CKM_RSA_PKCS', input: 'digest-info', algorithm: 'sha256WithRSAEncryption' };
  } else if (keyType === 'ec') {
    if (has(MECH.ECDSA)) return { mechanism: MECH.ECDSA, mechanismName: 'CKM_ECDSA', input: 'sha256', algorithm: 'ecdsaWithSHA256' };
    if (mechanisms.includes(MECH.ECDSA_SHA256)) return { mechanism: MECH.ECDSA_SHA256, mechanismName: 'CKM_ECDSA_SHA256', input: 'data', algorithm: 'ecdsaWithSHA256' };
  }
  throw new EidError('unsupported', `The card cannot sign with this ${keyType === 'other' ? 'kind of' : keyType.toUpperCase()} key (no suitable mechanism).`, { keyType });
}

/** The mechanisms of the token's slot; empty when the module does not say. */
export function mechanismsOf(ts: TokenSession): number[] {
  try {
    return ts.api.C_GetMechanismList(ts.ref.slot);
  } catch {
    return [];
  }
}

/**
 * Signs `data` with a private key on the card and returns the signature as X.509 wants it
 * (PKCS#1 bytes, or a DER ECDSA-Sig-Value). Logs in context-specifically when the key demands it.
 * Uses pkcs11js's async C_Sign so a slow card does not freeze the app's main process.
 */
export async function signOnCard(ts: TokenSession, key: KeyObjectInfo, data: Buffer, pin: string | null, plan = planSignature(key.keyType, mechanismsOf(ts))): Promise<Buffer> {
  const input =
    plan.input === 'data'
      ? data
      : plan.input === 'sha256'
        ? createHash('sha256').update(data).digest()
        : Buffer.concat([SHA256_DIGEST_INFO, createHash('sha256').update(data).digest()]);
  ts.api.C_SignInit(ts.session, { mechanism: plan.mechanism }, key.handle);
  if (key.alwaysAuthenticate) {
    if (pin === null) throw new EidError('validation', 'This key asks for the PIN again for every signature.');
    loginContextSpecific(ts, pin);
  }
  const out = Buffer.alloc(Math.max(512, Math.ceil((key.bits ?? 4096) / 8) * 2 + 16));
  const raw = Buffer.from(await ts.api.C_SignAsync(ts.session, input, out));
  return plan.algorithm === 'ecdsaWithSHA256' ? ecdsaRawToDer(raw) : raw;
}

/** The DER of the certificate with CKA_ID `idHex` (the first, if a card holds several). */
export function certificateById(ts: TokenSession, idHex: string): Buffer | undefined {
  const p = pkcs11js();
  const [h] = findAll(ts.ref.module, ts.session, [
    { type: p.CKA_CLASS, value: p.CKO_CERTIFICATE },
    { type: p.CKA_ID, value: Buffer.from(idHex, 'hex') },
  ]);
  if (!h) return undefined;
  const [v] = ts.api.C_GetAttributeValue(ts.session, h, [{ type: p.CKA_VALUE }]);
  return v.value instanceof Buffer && v.value.length ? v.value : undefined;
}

/**
 * The e-ID to test when the user did not name one: a valid signing e-ID first (that is what
 * users doubt before signing), then a valid authentication e-ID, then any with a key.
 */
export function chooseTestEid(eids: readonly CardEid[]): CardEid | undefined {
  const usable = eids.filter((e) => e.keyPresent !== false && !actsAsCA(e));
  const valid = usable.filter((e) => e.validity === 'valid');
  return valid.find((e) => e.purposes.includes('signing')) ?? valid.find((e) => e.purposes.includes('authentication')) ?? valid[0] ?? usable[0];
}

/** What a test signature reports. Never the PIN; the challenge is random and not secret. */
export interface TestSignResult {
  tokenKey: string;
  id: string;
  label: string;
  holder: string;
  verified: boolean;
  /** X.509 name of the signature algorithm. */
  algorithm: 'sha256WithRSAEncryption' | 'ecdsaWithSHA256';
  mechanism: string;
  keyType: 'rsa' | 'ec' | 'other';
  keyBits: number | null;
  /** Login, signature and verification: what the user waited for. */
  durationMs: number;
  /** The card's signature alone (C_SignInit to the signature). */
  signMs: number;
  certificateFingerprint: string;
  challenge: string;
}

/** The test signature on one token. */
export async function testSignature(ref: TokenRef, req: { pin: string; id?: string }, opts: OperationOptions = {}): Promise<TestSignResult> {
  const eid = req.id !== undefined ? ref.token.eids.find((e) => e.id === normaliseId(req.id ?? '')) : chooseTestEid(ref.token.eids);
  if (!eid) {
    const ids = [...ref.token.eids].sort((a, b) => a.id.localeCompare(b.id)).map((e) => `${e.id} (${e.label})`).join(', ') || 'none';
    throw new EidError('not-found', req.id !== undefined ? `The card has no e-ID with id ${req.id}. e-IDs on the card: ${ids}.` : 'The card has no e-ID to test.', { id: req.id ?? null });
  }
  return onToken(ref, { rw: false, what: 'the test signature', onProgress: opts.onProgress }, async (ts) => {
    const started = process.hrtime.bigint();
    const certDer = certificateById(ts, eid.id);
    if (!certDer) throw new EidError('no-certificate', `The certificate of e-ID ${eid.id} is no longer on the card.`, { id: eid.id });
    const parsed = parseCertificate(certDer);
    await ts.progress('login');
    loginUser(ts, req.pin);
    const [key] = listKeys(ts, 'private', eid.id);
    if (!key) throw new EidError('no-private-key', `The card has the certificate of e-ID ${eid.id} ("${eid.label}") but no private key for it.`, { id: eid.id });
    await ts.progress('signing');
    const challenge = randomBytes(32);
    const plan = planSignature(key.keyType, mechanismsOf(ts));
    const t0 = process.hrtime.bigint();
    const signature = await signOnCard(ts, key, challenge, req.pin, plan);
    const signMs = Number(process.hrtime.bigint() - t0) / 1e6;
    let verified = false;
    try {
      verified = cryptoVerify('sha256', challenge, { key: createPublicKey({ key: parsed.spki, format: 'der', type: 'spki' }), dsaEncoding: 'der' }, signature);
    } catch {
      verified = false;
    }
    await ts.progress('done');
    return {
      tokenKey: ref.key,
      id: eid.id,
      label: eid.label,
      holder: eid.holder,
      verified,
      algorithm: plan.algorithm,
      mechanism: plan.mechanismName,
      keyType: key.keyType,
      keyBits: key.bits,
      durationMs: Math.round((Number(process.hrtime.bigint() - started) / 1e6) * 10) / 10,
      signMs: Math.round(signMs * 10) / 10,
      certificateFingerprint: parsed.info.fingerprintSha256,
      challenge: challenge.toString('hex'),
    };
  });
}
