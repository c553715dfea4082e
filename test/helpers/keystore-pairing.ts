/**
 * Fixtures for CSR pairing tests: a CA that "issues" a certificate for a keystore request's
 * public key (in process, from the CSR), and certs-only PKCS#7 files built with main/pki/der.ts
 * the way `openssl crl2pkcs7 -nocrl` lays them out.
 */
import * as der from '../../main/pki/der';
import { parseCsr } from '../../main/pki/csr';
import type { KeystoreRequest } from '../../main/keystore/keystore';
import { makeCertificate, toPem, type NameSpec, type TestCa } from './keystore-certs';

const DAY = 24 * 3600 * 1000;

/** What the CA puts in the certificate it issues for a request. */
export interface IssueSpec {
  notBefore?: Date;
  notAfter?: Date;
  ca?: boolean;
  subject?: NameSpec;
}

/** Issues a certificate for the request's public key, subject from the CSR unless given. */
export function issueFor(request: Pick<KeystoreRequest, 'csr'>, ca: TestCa, spec: IssueSpec = {}): Buffer {
  const csr = parseCsr(request.csr);
  const subject: NameSpec = spec.subject ?? (['C', 'O', 'serialNumber', 'CN'] as const).filter((k) => csr.subject[k] !== undefined).map((k) => [k, csr.subject[k]] as [string, string]);
  return makeCertificate({
    subject,
    issuer: ca.name,
    subjectSpki: csr.spki,
    issuerKey: ca.key.privateKey,
    notBefore: spec.notBefore ?? new Date(Date.now() - DAY),
    notAfter: spec.notAfter ?? new Date(Date.now() + 730 * DAY),
    ca: spec.ca,
    keyUsage: spec.ca ? ['keyCertSign', 'cRLSign'] : ['digitalSignature', 'keyEncipherment'],
  });
}

/** A certs-only PKCS#7 SignedData (DER), as CAs and EST return it. `contentType` lets tests make wrong ones. */
export function pkcs7CertsOnly(certs: Buffer[], contentType = '1.2.840.113549.1.7.2'): Buffer {
  const signedData = der.sequence(
    der.integer(1),
    der.setOf(),
    der.sequence(der.oid('1.2.840.113549.1.7.1')),
    ...(certs.length ? [der.context(0, true, ...certs)] : []),
    der.setOf(),
  );
  return der.sequence(der.oid(contentType), der.context(0, true, signedData));
}

/** PEM armour of a PKCS#7 file. */
export function pkcs7Pem(p7: Buffer): string {
  return toPem(p7, 'PKCS7');
}
