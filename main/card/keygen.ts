/**
 * Key generation on the card and the PKCS#10 request signed by the new key: the first half of an
 * enrolment (the signing-certificate wizard sends the CSR to the CA and comes back with
 * writeCertificate).
 *
 * The private key is made sensitive, never extractable, private and a token object. Until its
 * certificate is written the key pair is an "orphan": if anything fails after the key exists we
 * try to delete it again; when we cannot (the card was pulled), the error says which key may be
 * left, and the orphan list finds it.
 */
import { randomBytes } from 'node:crypto';
import { EidError, isEidError } from '../errors';
import { actsAsCA, parseCertificate } from '../pki/certificate';
import { buildCsr, parseCsr, parseDn, toPem, verifyCsr } from '../pki/csr';
import { CURVES, describeKey, spkiOf, spkiSha256, type KeyAlgorithm } from './keys';
import { pkcs11js } from './pkcs11';
import { explain, loginUser, normaliseId, onToken, tokenStillThere, type OperationOptions, type TokenRef, type TokenSession } from './session';
import { certificateById, planSignature, mechanismsOf, signOnCard } from './sign';
import { findAll } from './tokens';
import type { CardEid } from './types';

/** What to generate. */
export interface KeygenRequest {
  pin: string;
  algorithm: KeyAlgorithm;
  /** DN string (see parseDn); default: the subject of the card's current authentication e-ID. */
  subject?: string;
  /** CKA_ID in hex; default: 8 fresh random bytes. */
  id?: string;
  /** CKA_LABEL; default: "eID Desk <algorithm> <date>". */
  label?: string;
}

/** Which objects exist on the card for the new key; the certificate comes later. */
export interface KeyObjects {
  privateKey: boolean;
  publicKey: boolean;
  certificate: boolean;
}

/** The outcome of a key generation. */
export interface KeygenResult {
  tokenKey: string;
  id: string;
  label: string;
  algorithm: KeyAlgorithm;
  subjectDn: string;
  csrPem: string;
  /** SHA-256 of the SubjectPublicKeyInfo: lets the user match the CSR, the key and the certificate. */
  publicKeySha256: string;
  objects: KeyObjects;
  /** Read back from the private key after generation. */
  protection: { sensitive: boolean | null; extractable: boolean | null; neverExtractable: boolean | null; local: boolean | null };
  durationMs: number;
}

/**
 * The e-ID whose subject a new key's CSR takes by default: the valid authentication e-ID that
 * lasts longest (the "current" one), else any valid personal e-ID.
 */
export function currentEid(eids: readonly CardEid[]): CardEid | undefined {
  const valid = eids.filter((e) => e.validity === 'valid' && !actsAsCA(e));
  const byEnd = (a: CardEid, b: CardEid) => b.notAfter.localeCompare(a.notAfter);
  return [...valid.filter((e) => e.purposes.includes('authentication'))].sort(byEnd)[0] ?? [...valid].sort(byEnd)[0];
}

/** Templates for C_GenerateKeyPair (exported for the unit test of the attributes we ask for). */
export function keygenTemplates(algorithm: KeyAlgorithm, id: Buffer, label: string, subject: Buffer | null) {
  const p = pkcs11js();
  const common = [
    { type: p.CKA_TOKEN, value: true },
    { type: p.CKA_ID, value: id },
    { type: p.CKA_LABEL, value: Buffer.from(label, 'utf8') },
  ];
  const pub = [...common, { type: p.CKA_PRIVATE, value: false }, { type: p.CKA_VERIFY, value: true }];
  const priv = [
    ...common,
    { type: p.CKA_PRIVATE, value: true },
    { type: p.CKA_SENSITIVE, value: true },
    { type: p.CKA_EXTRACTABLE, value: false },
    { type: p.CKA_SIGN, value: true },
    ...(subject ? [{ type: p.CKA_SUBJECT, value: subject }] : []),
  ];
  if (algorithm === 'ec-p256') {
    const params = CURVES[0].params;
    return { mechanism: p.CKM_EC_KEY_PAIR_GEN, pub: [...pub, { type: p.CKA_KEY_TYPE, value: p.CKK_EC }, { type: p.CKA_EC_PARAMS, value: params }], priv: [...priv, { type: p.CKA_KEY_TYPE, value: p.CKK_EC }] };
  }
  const bits = algorithm === 'rsa3072' ? 3072 : 2048;
  return {
    mechanism: p.CKM_RSA_PKCS_KEY_PAIR_GEN,
    pub: [...pub, { type: p.CKA_KEY_TYPE, value: p.CKK_RSA }, { type: p.CKA_MODULUS_BITS, value: bits }, { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }],
    priv: [...priv, { type: p.CKA_KEY_TYPE, value: p.CKK_RSA }],
  };
}

/** Refuses early when the card says it cannot make this key (mechanism or size). */
function checkMechanism(ts: TokenSession, algorithm: KeyAlgorithm, mechanism: number): void {
  const list = mechanismsOf(ts);
  if (list.length && !list.includes(mechanism)) {
    throw new EidError('unsupported', `This card cannot generate ${algorithm === 'ec-p256' ? 'EC P-256' : 'RSA'} keys.`, { algorithm });
  }
  if (algorithm === 'ec-p256') return;
  try {
    const info = ts.api.C_GetMechanismInfo(ts.ref.slot, mechanism);
    const bits = algorithm === 'rsa3072' ? 3072 : 2048;
    if (info.maxKeySize && bits > info.maxKeySize) throw new EidError('unsupported', `This card makes RSA keys of at most ${info.maxKeySize} bits; choose a smaller key.`, { algorithm, maxBits: info.maxKeySize });
  } catch (err) {
    if (isEidError(err)) throw err;
  }
}

/** Any object with this CKA_ID already? (Would make the new key ambiguous.) */
function idInUse(ts: TokenSession, id: Buffer): boolean {
  return findAll(ts.ref.module, ts.session, [{ type: pkcs11js().CKA_ID, value: id }]).length > 0;
}

/** Generates a key pair on the card and returns a CSR signed by it. */
export async function generateKey(ref: TokenRef, req: KeygenRequest, opts: OperationOptions = {}): Promise<KeygenResult> {
  // Everything that can be checked without the card is checked before the key exists.
  const givenSubject = req.subject !== undefined ? parseDn(req.subject) : null;
  const idHex = req.id !== undefined ? normaliseId(req.id) : randomBytes(8).toString('hex').toUpperCase();
  const id = Buffer.from(idHex, 'hex');
  const label = req.label?.trim() || `eID Desk ${req.algorithm} ${new Date().toISOString().slice(0, 10)}`;
  const sourceEid = givenSubject ? undefined : currentEid(ref.token.eids);
  if (!givenSubject && !sourceEid) {
    throw new EidError('validation', 'The card has no valid e-ID to take the subject from. Give the subject, like "CN=Name,O=Organisation,C=SE".');
  }
  return onToken(ref, { rw: true, what: 'the key generation', onProgress: opts.onProgress }, async (ts) => {
    const started = process.hrtime.bigint();
    let subject = givenSubject;
    if (!subject) {
      const certDer = sourceEid ? certificateById(ts, sourceEid.id) : undefined;
      if (!certDer) throw new EidError('no-certificate', 'The e-ID to take the subject from is no longer on the card.');
      subject = parseCertificate(certDer).subjectRaw;
    }
    await ts.progress('login');
    loginUser(ts, req.pin);
    if (idInUse(ts, id)) throw new EidError('already-exists', `The card already has objects with id ${idHex}. Choose another id.`, { id: idHex });
    const t = keygenTemplates(req.algorithm, id, label, subject);
    checkMechanism(ts, req.algorithm, t.mechanism);

    await ts.progress('generating-key');
    const pair = await ts.api.C_GenerateKeyPairAsync(ts.session, { mechanism: t.mechanism }, t.pub, t.priv);
    const objects: KeyObjects = { privateKey: true, publicKey: true, certificate: false };
    try {
      const pub = describeKey(ts, pair.publicKey, 'public');
      const priv = describeKey(ts, pair.privateKey, 'private');
      if (!pub.publicNumbers) throw new EidError('pkcs11', 'The card made the key but does not show its public part.');
      const spki = spkiOf(pub.publicNumbers);
      await ts.progress('signing-request');
      const plan = planSignature(priv.keyType, mechanismsOf(ts));
      const csr = await buildCsr({ subject, spki, signatureAlgorithm: plan.algorithm }, (tbs) => signOnCard(ts, priv, tbs, req.pin, plan));
      const parsed = parseCsr(csr);
      if (!verifyCsr(parsed)) throw new EidError('internal', 'The certificate request made on the card does not verify with its own key.');
      await ts.progress('done');
      return {
        tokenKey: ref.key,
        id: idHex,
        label,
        algorithm: req.algorithm,
        subjectDn: parsed.subjectDn,
        csrPem: toPem(csr, 'CERTIFICATE REQUEST'),
        publicKeySha256: spkiSha256(spki),
        objects,
        protection: { sensitive: priv.sensitive, extractable: priv.extractable, neverExtractable: priv.neverExtractable, local: priv.local },
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
      };
    } catch (err) {
      throw rollBack(ts, pair, idHex, err);
    }
  });
}

/**
 * After a failure with the key already on the card: delete the pair when the card is still there,
 * and say exactly what is left either way. The original error is kept as the cause and its code
 * is kept too (token-removed stays token-removed), with the key's fate in the details.
 */
function rollBack(ts: TokenSession, pair: { privateKey: Buffer; publicKey: Buffer }, idHex: string, err: unknown): EidError {
  let rolledBack = false;
  if (tokenStillThere(ts.ref)) {
    try {
      ts.api.C_DestroyObject(ts.session, pair.privateKey);
      ts.api.C_DestroyObject(ts.session, pair.publicKey);
      rolledBack = true;
    } catch {
      rolledBack = false;
    }
  }
  const base = explain(err, ts.ref, 'the key generation');
  const left = rolledBack
    ? ' The new key was deleted again; nothing was left on the card.'
    : ` A new key pair with id ${idHex} may be left on the card without a certificate: it shows under orphan keys, where you can delete it.`;
  return new EidError(base.code, `${base.message}${left}`, {
    ...(base.details ?? {}),
    keyId: idHex,
    keyPairCreated: true,
    rolledBack,
    privateKeyLeft: !rolledBack,
    publicKeyLeft: !rolledBack,
  }, { cause: err });
}
