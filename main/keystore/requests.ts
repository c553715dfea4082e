/**
 * The pieces of a key request ("order with a CSR", seed 003; the Incomes Register's
 * technical-interface certificate, seed 002): the subject the user typed, checked; a key pair
 * made with Node's crypto; the PKCS#10 request signed by that key.
 *
 * The CSR itself is built by main/pki/csr.ts, the same writer the card uses, with a signing
 * callback: here the callback signs with the freshly made key, which then goes straight into
 * the keystore's encryption (keystore.ts) and is never written anywhere in the clear.
 * Module-internal to main/keystore: nothing here is re-exported by index.ts, because
 * `generateRequestKeyPair` hands out a private key object.
 */
import { generateKeyPair, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { EidError } from '../errors';
import * as der from '../pki/der';
import { buildCsr, parseCsr, parseDn, verifyCsr, type CsrSignatureAlgorithm } from '../pki/csr';
import { REQUEST_ALGORITHMS, type RequestAlgorithm } from './format';

/** Longest subject accepted as typed (a real one is under 200 characters). */
export const MAX_SUBJECT_LENGTH = 1024;

/**
 * X.520 upper bounds (ub-common-name etc.) for the attributes issuers check; a CA refuses a CSR
 * that exceeds them, so we refuse it first, with the attribute named, before a key is made.
 */
const UPPER_BOUNDS: Readonly<Record<string, readonly [string, number]>> = {
  '2.5.4.3': ['CN', 64],
  '2.5.4.4': ['SN', 64],
  '2.5.4.5': ['serialNumber', 64],
  '2.5.4.7': ['L', 128],
  '2.5.4.8': ['ST', 128],
  '2.5.4.10': ['O', 64],
  '2.5.4.11': ['OU', 64],
  '2.5.4.12': ['title', 64],
  '2.5.4.42': ['GN', 64],
  '1.2.840.113549.1.9.1': ['E', 255],
};

/** A subject that passed the checks: the DER Name for the CSR and its common name (the default label). */
export interface RequestSubject {
  der: Buffer;
  commonName: string;
}

/**
 * Parses and checks a subject DN typed by the user (RFC 4514 `CN=...,O=...,C=SE`, or OpenSSL's
 * `/C=SE/O=.../CN=...`; see parseDn). Rules: a CN is required (CAs name the certificate by it;
 * Vero wants the business ID there), C is two letters (parseDn), values within the X.520 bounds.
 * Non-ASCII values are UTF8String (parseDn), so "Åkerö Ärende AB" reaches the CA intact.
 */
export function requestSubject(dn: string): RequestSubject {
  if (typeof dn !== 'string' || !dn.trim()) throw new EidError('validation', 'The subject is empty. Give it like "CN=Name,O=Organisation,C=SE".');
  if (dn.length > MAX_SUBJECT_LENGTH) throw new EidError('validation', `The subject is longer than ${MAX_SUBJECT_LENGTH} characters.`);
  const name = parseDn(dn);
  let commonName: string | null = null;
  for (const rdn of der.seq(der.decode(name), 'subject')) {
    for (const atv of der.children(rdn)) {
      const [typeNode, valueNode] = der.seq(atv, 'attribute');
      const oid = der.readOid(typeNode, 'attribute type');
      const value = der.readString(valueNode);
      const bound = UPPER_BOUNDS[oid];
      if (bound && [...value].length > bound[1]) {
        throw new EidError('validation', `${bound[0]} in the subject is ${[...value].length} characters long; at most ${bound[1]} are allowed.`, { attribute: bound[0], limit: bound[1] });
      }
      if (oid === '2.5.4.3') {
        if (commonName !== null) throw new EidError('validation', 'The subject has more than one CN; give exactly one.');
        commonName = value;
      }
    }
  }
  if (commonName === null || !commonName.trim()) {
    throw new EidError('validation', 'The subject needs a CN (common name), like "CN=1234567-8,O=Company Oy,C=FI".', { attribute: 'CN' });
  }
  return { der: name, commonName };
}

/** Checks an algorithm name from outside (CLI, bridge). */
export function assertRequestAlgorithm(alg: unknown): asserts alg is RequestAlgorithm {
  if (!REQUEST_ALGORITHMS.includes(alg as RequestAlgorithm)) {
    throw new EidError('validation', `Unknown key algorithm '${String(alg)}'. Use one of: ${REQUEST_ALGORITHMS.join(', ')}.`);
  }
}

/** A new key pair. Asynchronous: RSA-3072 generation takes up to a second, off the main thread. */
export function generateRequestKeyPair(alg: RequestAlgorithm): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) => {
      if (err) reject(new EidError('internal', 'Making the key pair failed.', undefined, { cause: err }));
      else resolve({ privateKey, publicKey });
    };
    if (alg === 'ec-p256') generateKeyPair('ec', { namedCurve: 'prime256v1' }, done);
    else generateKeyPair('rsa', { modulusLength: alg === 'rsa3072' ? 3072 : 2048, publicExponent: 0x10001 }, done);
  });
}

/** Signs the request with the key it asks a certificate for (SHA-256; PKCS#1 v1.5 for RSA, DER ECDSA for P-256). */
export async function signedRequest(subject: Buffer, spki: Buffer, privateKey: KeyObject, alg: RequestAlgorithm): Promise<Buffer> {
  const signatureAlgorithm: CsrSignatureAlgorithm = alg === 'ec-p256' ? 'ecdsaWithSHA256' : 'sha256WithRSAEncryption';
  const csr = await buildCsr({ subject, spki, signatureAlgorithm }, (tbs) =>
    alg === 'ec-p256' ? cryptoSign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' }) : cryptoSign('sha256', tbs, privateKey),
  );
  // Our own request must verify with its own key before anyone is told to send it to a CA.
  if (!verifyCsr(parseCsr(csr))) throw new EidError('internal', 'The certificate request did not verify after signing.');
  return csr;
}
