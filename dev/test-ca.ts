/**
 * A small certificate factory for the demo card and for tests: a root, an issuing CA and SITHS-like
 * end-entity certificates (UTF8String names with Å/Ä/Ö, HSA-id in serialNumber, UPN and e-mail in
 * the SAN, a level-3 policy OID, key usage by purpose).
 *
 * Development and test code only (not packaged). Certificates are real X.509 signed with
 * node:crypto, so every tool (openssl, certutil, pkcs11-tool) accepts them.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import * as der from '../main/pki/der';

/** Subject attributes in order, as short names (CN, O, OU, C, serialNumber, E, GN, SN, L). */
export type NameSpec = ReadonlyArray<readonly [string, string]>;

const ATTR_OIDS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  serialNumber: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  GN: '2.5.4.42',
  title: '2.5.4.12',
  E: '1.2.840.113549.1.9.1',
};

/** Encodes a Name: C and serialNumber as PrintableString, e-mail as IA5String, the rest UTF8String. */
export function encodeName(spec: NameSpec): Buffer {
  return der.sequence(
    ...spec.map(([k, v]) => {
      const oid = ATTR_OIDS[k];
      if (!oid) throw new Error(`unknown attribute ${k}`);
      const value = k === 'C' || k === 'serialNumber' ? der.printableString(v) : k === 'E' ? der.tlv(der.Tag.IA5_STRING, Buffer.from(v, 'ascii')) : der.utf8String(v);
      return der.setOf(der.sequence(der.oid(oid), value));
    }),
  );
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050 ? der.tlv(der.Tag.UTC_TIME, Buffer.from(`${iso.slice(2)}Z`)) : der.tlv(der.Tag.GENERALIZED_TIME, Buffer.from(`${iso}Z`));
}

function ext(oid: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.oid(oid), ...(critical ? [der.tlv(der.Tag.BOOLEAN, Buffer.from([0xff]))] : []), der.octetString(value));
}

const KU_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign'];
const EKU_OIDS: Readonly<Record<string, string>> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  smartcardLogon: '1.3.6.1.4.1.311.20.2.2',
};

function keyUsage(bits: readonly string[]): Buffer {
  let v = 0;
  for (const b of bits) {
    const i = KU_BITS.indexOf(b);
    if (i < 0) throw new Error(`unknown key usage ${b}`);
    v |= 0x80 >> i;
  }
  let unused = 0;
  while (unused < 7 && !(v & (1 << unused))) unused++;
  return der.tlv(der.Tag.BIT_STRING, Buffer.from([unused, v]));
}

/** What to put in a certificate. */
export interface CertSpec {
  subject: NameSpec;
  /** Public key of the subject. */
  publicKey: KeyObject;
  issuer?: IssuedCert;
  notBefore?: Date;
  notAfter?: Date;
  ca?: boolean;
  keyUsage?: readonly string[];
  extKeyUsage?: readonly string[];
  policies?: readonly string[];
  emails?: readonly string[];
  upn?: readonly string[];
  dnsNames?: readonly string[];
  serial?: Buffer;
}

/** A certificate as issued. */
export interface Cert {
  der: Buffer;
  subject: Buffer;
  publicKey: KeyObject;
  keyId: Buffer;
}

/** A certificate with the key that can sign further certificates (CAs) or test signatures. */
export interface IssuedCert extends Cert {
  privateKey: KeyObject;
}

function sigAlg(key: KeyObject): { alg: Buffer; hash: string | null } {
  if (key.asymmetricKeyType === 'ec') return { alg: der.sequence(der.oid('1.2.840.10045.4.3.2')), hash: 'sha256' };
  return { alg: der.sequence(der.oid('1.2.840.113549.1.1.11'), der.nul()), hash: 'sha256' };
}

/** Issues a certificate; self-signed when `issuer` is absent (then `selfKey` signs). */
export function issue(spec: CertSpec, selfKey?: KeyObject): Cert {
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha1').update(spki).digest();
  const signerKey = spec.issuer?.privateKey ?? selfKey;
  if (!signerKey) throw new Error('self-signed certificates need selfKey');
  const { alg, hash } = sigAlg(signerKey);
  const subject = encodeName(spec.subject);
  const issuerName = spec.issuer?.subject ?? subject;
  const notBefore = spec.notBefore ?? new Date(Date.now() - 3600_000);
  const notAfter = spec.notAfter ?? new Date(Date.now() + 2 * 365 * 86400_000);
  const serial = spec.serial ?? Buffer.concat([Buffer.from([0x01]), randomBytes(15)]);
  const exts: Buffer[] = [];
  exts.push(ext('2.5.29.19', true, der.sequence(...(spec.ca ? [der.tlv(der.Tag.BOOLEAN, Buffer.from([0xff]))] : []))));
  exts.push(ext('2.5.29.14', false, der.octetString(keyId)));
  exts.push(ext('2.5.29.35', false, der.sequence(der.context(0, false, spec.issuer?.keyId ?? keyId))));
  const ku = spec.keyUsage ?? (spec.ca ? ['keyCertSign', 'cRLSign'] : ['digitalSignature']);
  exts.push(ext('2.5.29.15', true, keyUsage(ku)));
  if (spec.extKeyUsage?.length) exts.push(ext('2.5.29.37', false, der.sequence(...spec.extKeyUsage.map((e) => der.oid(EKU_OIDS[e] ?? e)))));
  if (spec.policies?.length) exts.push(ext('2.5.29.32', false, der.sequence(...spec.policies.map((p) => der.sequence(der.oid(p))))));
  const san: Buffer[] = [];
  for (const u of spec.upn ?? []) san.push(der.context(0, true, der.oid('1.3.6.1.4.1.311.20.2.3'), der.context(0, true, der.utf8String(u))));
  for (const e of spec.emails ?? []) san.push(der.context(1, false, Buffer.from(e, 'ascii')));
  for (const d of spec.dnsNames ?? []) san.push(der.context(2, false, Buffer.from(d, 'ascii')));
  if (san.length) exts.push(ext('2.5.29.17', false, der.sequence(...san)));
  const tbs = der.sequence(
    der.context(0, true, der.integer(2)),
    der.integer(serial),
    alg,
    issuerName,
    der.sequence(time(notBefore), time(notAfter)),
    subject,
    spki,
    der.context(3, true, der.sequence(...exts)),
  );
  const signature = sign(hash, tbs, signerKey);
  const certDer = der.sequence(tbs, alg, der.bitString(signature));
  return { der: certDer, subject, publicKey: spec.publicKey, keyId };
}

/** Makes a key pair: RSA 2048 by default, or EC P-256. */
export function makeKey(kind: 'rsa' | 'ec' = 'rsa', bits = 2048): { privateKey: KeyObject; publicKey: KeyObject } {
  return kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: bits });
}

/** A root and an issuing CA named like the SITHS e-id hierarchy, but clearly a test PKI. */
export function makeTestPki(): { root: IssuedCert; ca: IssuedCert } {
  const rootKeys = makeKey();
  const root: IssuedCert = {
    ...issue({ subject: [['C', 'SE'], ['O', 'eID Desk Test'], ['CN', 'eID Desk Test Root CA v1']], publicKey: rootKeys.publicKey, ca: true, notAfter: new Date(Date.now() + 10 * 365 * 86400_000) }, rootKeys.privateKey),
    privateKey: rootKeys.privateKey,
  };
  const caKeys = makeKey();
  const ca: IssuedCert = {
    ...issue({ subject: [['C', 'SE'], ['O', 'eID Desk Test'], ['CN', 'eID Desk Test Person HSA-id 3 CA v1']], publicKey: caKeys.publicKey, issuer: root, ca: true, notAfter: new Date(Date.now() + 5 * 365 * 86400_000) }),
    privateKey: caKeys.privateKey,
  };
  return { root, ca };
}

/** Issues an end-entity certificate and returns it with its private key. */
export function issueEndEntity(ca: IssuedCert, spec: Omit<CertSpec, 'publicKey' | 'issuer'> & { keyKind?: 'rsa' | 'ec' }): IssuedCert {
  const keys = makeKey(spec.keyKind ?? 'rsa');
  return { ...issue({ ...spec, publicKey: keys.publicKey, issuer: ca }), privateKey: keys.privateKey };
}

/** PEM armour for tools that want it. */
export function toPem(certDer: Buffer): string {
  const b64 = certDer.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
