/**
 * Writing an issued certificate to the card next to its key: the second half of an enrolment.
 *
 * The key is found by its public numbers, not by label or id, so a certificate for a key made by
 * another tool is placed right too. The certificate gets the key's CKA_ID (that is how every
 * middleware pairs them) and label. A certificate that fits no key on the card is refused: written
 * anyway it would be an e-ID that cannot sign.
 */
import { createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { EidError } from '../errors';
import { parseCertificate, validityState, type ParsedCertificate } from '../pki/certificate';
import { DerError } from '../pki/der';
import { fromPem } from '../pki/csr';
import { listKeys, publicNumbersFromSpki, samePublicKey, type KeyObjectInfo } from './keys';
import { pkcs11js } from './pkcs11';
import { loginUser, onToken, type OperationOptions, type TokenRef, type TokenSession } from './session';
import { signOnCard, planSignature, mechanismsOf } from './sign';
import { readCertificates } from './tokens';
import type { KeyObjects } from './keygen';

/** What to write. */
export interface WriteCertificateRequest {
  pin: string;
  /** DER, or PEM text/bytes. */
  certificate: Buffer | string;
  /** CKA_LABEL; default: the key's label, else the certificate's CN. */
  label?: string;
  /** Replace other certificates that already sit under the key's CKA_ID (renewal with the same key). */
  replace?: boolean;
}

/** The outcome. */
export interface WriteCertificateResult {
  tokenKey: string;
  id: string;
  label: string;
  subjectDn: string;
  fingerprintSha256: string;
  notAfter: string;
  validity: 'valid' | 'expired' | 'not-yet-valid';
  /** Certificates removed because `replace` was set. */
  replaced: number;
  objects: KeyObjects;
}

/** Reads DER or PEM into a parsed certificate, or 'malformed'. */
export function readCertificateInput(input: Buffer | string): ParsedCertificate {
  let bytes: Buffer;
  const asText = typeof input === 'string' ? input : input.subarray(0, 64).toString('latin1');
  if (asText.includes('-----BEGIN')) bytes = fromPem(typeof input === 'string' ? input : input.toString('latin1'), 'CERTIFICATE');
  else bytes = typeof input === 'string' ? Buffer.from(input, 'base64') : input;
  try {
    return parseCertificate(bytes);
  } catch (err) {
    if (err instanceof DerError) throw new EidError('malformed', `The file is not an X.509 certificate: ${err.message}.`);
    throw err;
  }
}

/** Proves a private key belongs to the certificate by signing a challenge (EC keys without a public object). */
async function signsForCertificate(ts: TokenSession, key: KeyObjectInfo, cert: ParsedCertificate, pin: string): Promise<boolean> {
  try {
    const challenge = randomBytes(32);
    const sig = await signOnCard(ts, key, challenge, pin, planSignature(key.keyType, mechanismsOf(ts)));
    return cryptoVerify('sha256', challenge, { key: createPublicKey({ key: cert.spki, format: 'der', type: 'spki' }), dsaEncoding: 'der' }, sig);
  } catch {
    return false;
  }
}

/** The private key (and public key object, if any) that the certificate was issued for. */
async function findMatchingKey(ts: TokenSession, cert: ParsedCertificate, pin: string): Promise<{ priv: KeyObjectInfo; pub: KeyObjectInfo | undefined }> {
  const target = publicNumbersFromSpki(cert.spki);
  if (!target) throw new EidError('unsupported', 'The certificate has a key type the card cannot hold (only RSA and EC).');
  const privs = listKeys(ts, 'private').filter((k) => k.keyType === target.kind);
  const pubs = listKeys(ts, 'public').filter((k) => k.keyType === target.kind);
  const matchingPub = pubs.find((k) => samePublicKey(k.publicNumbers, target));
  // RSA private keys show their modulus; EC private keys do not, so the public object's id links them.
  let priv = privs.find((k) => samePublicKey(k.publicNumbers, target)) ?? (matchingPub ? privs.find((k) => k.id === matchingPub.id && !k.publicNumbers) : undefined);
  if (!priv) {
    for (const k of privs.filter((x) => !x.publicNumbers)) {
      if (await signsForCertificate(ts, k, cert, pin)) {
        priv = k;
        break;
      }
    }
  }
  if (!priv) {
    const why = matchingPub ? 'Only its public key is on the card; the private key is missing.' : 'No key on the card has the public key in this certificate.';
    throw new EidError('key-mismatch', `This certificate does not belong to any key on the card "${ts.ref.token.label}". ${why} Check that it is the certificate issued for the request made on this card.`, {
      subject: cert.info.subjectDn,
    });
  }
  return { priv, pub: matchingPub };
}

/** CKA_SERIAL_NUMBER is the DER INTEGER, not the bare bytes. */
function serialDer(serial: Buffer): Buffer {
  const v = serial[0] & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial;
  return Buffer.concat([Buffer.from([0x02, v.length]), v]);
}

/** Writes an issued certificate next to its key. */
export async function writeCertificate(ref: TokenRef, req: WriteCertificateRequest, opts: OperationOptions = {}): Promise<WriteCertificateResult> {
  const cert = readCertificateInput(req.certificate);
  if (cert.serial.length > 126) throw new EidError('malformed', 'The certificate serial number is too long.');
  return onToken(ref, { rw: true, what: 'writing the certificate', onProgress: opts.onProgress }, async (ts) => {
    const p = pkcs11js();
    await ts.progress('login');
    loginUser(ts, req.pin);
    const { priv, pub } = await findMatchingKey(ts, cert, req.pin);
    const sameId = readCertificates(ts.ref.module, ts.session).filter((c) => c.id === priv.id);
    if (sameId.some((c) => c.der.equals(cert.der))) {
      throw new EidError('already-exists', `This certificate is already on the card (id ${priv.id}).`, { id: priv.id });
    }
    if (sameId.length && !req.replace) {
      throw new EidError('already-exists', `Another certificate already sits with key ${priv.id}. Replace it only if the new one is its renewal.`, { id: priv.id, existing: sameId.length });
    }
    const label = req.label?.trim() || priv.label || cert.info.subject.CN || `Certificate ${priv.id}`;
    await ts.progress('writing-certificate');
    const handle = ts.api.C_CreateObject(ts.session, [
      { type: p.CKA_CLASS, value: p.CKO_CERTIFICATE },
      { type: p.CKA_CERTIFICATE_TYPE, value: p.CKC_X_509 },
      { type: p.CKA_TOKEN, value: true },
      { type: p.CKA_PRIVATE, value: false },
      { type: p.CKA_LABEL, value: Buffer.from(label, 'utf8') },
      { type: p.CKA_ID, value: Buffer.from(priv.id, 'hex') },
      { type: p.CKA_SUBJECT, value: cert.subjectRaw },
      { type: p.CKA_ISSUER, value: cert.issuerRaw },
      { type: p.CKA_SERIAL_NUMBER, value: serialDer(cert.serial) },
      { type: p.CKA_VALUE, value: cert.der },
    ]);
    // Only after the new one is safely there do the replaced ones go.
    for (const old of req.replace ? sameId : []) ts.api.C_DestroyObject(ts.session, old.handle);
    const [back] = ts.api.C_GetAttributeValue(ts.session, handle, [{ type: p.CKA_VALUE }]);
    if (!(back.value instanceof Buffer) || !back.value.equals(cert.der)) {
      throw new EidError('pkcs11', 'The card stored the certificate but reads back different bytes. Check the card with the issuer\'s tool.');
    }
    await ts.progress('done');
    return {
      tokenKey: ref.key,
      id: priv.id,
      label,
      subjectDn: cert.info.subjectDn,
      fingerprintSha256: cert.info.fingerprintSha256,
      notAfter: cert.info.notAfter,
      validity: validityState(cert.info),
      replaced: req.replace ? sameId.length : 0,
      objects: { privateKey: true, publicKey: pub !== undefined, certificate: true },
    };
  });
}
