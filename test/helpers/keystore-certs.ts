/**
 * Test certificates made in-process (node:crypto keys, DER from main/pki/der.ts), so unit tests
 * need no external tool and can set every field: dates in the past, subject serialNumber,
 * Å/Ä/Ö in names, key usage.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import * as der from '../../main/pki/der';

/** Key kinds the helpers make. */
export type KeyKind = 'rsa' | 'ec' | 'ed25519';

/** A generated key pair in the forms tests need. */
export interface TestKey {
  kind: KeyKind;
  privateKey: KeyObject;
  pkcs8: Buffer;
  spki: Buffer;
}

/** Makes a key pair (RSA 2048, EC P-256 or Ed25519). */
export function makeKey(kind: KeyKind = 'ec'): TestKey {
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : kind === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('ed25519');
  return {
    kind,
    privateKey: pair.privateKey,
    pkcs8: pair.privateKey.export({ type: 'pkcs8', format: 'der' }),
    spki: pair.publicKey.export({ type: 'spki', format: 'der' }),
  };
}

const NAME_OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  serialNumber: '2.5.4.5',
  C: '2.5.4.6',
  O: '2.5.4.10',
  OU: '2.5.4.11',
};

/** An ordered name, as pairs of short name and value. */
export type NameSpec = Array<[keyof typeof NAME_OIDS | string, string]>;

function encodeName(name: NameSpec): Buffer {
  return der.sequence(
    ...name.map(([type, value]) => {
      const oid = NAME_OIDS[type] ?? type;
      const printable = type === 'C' || type === 'serialNumber';
      return der.setOf(der.sequence(der.oid(oid), printable ? der.printableString(value) : der.utf8String(value)));
    }),
  );
}

function encodeTime(d: Date): Buffer {
  const y = d.getUTCFullYear();
  const p = (n: number) => String(n).padStart(2, '0');
  const body = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return der.tlv(der.Tag.UTC_TIME, Buffer.from(`${String(y % 100).padStart(2, '0')}${body}`, 'ascii'));
  return der.tlv(der.Tag.GENERALIZED_TIME, Buffer.from(`${y}${body}`, 'ascii'));
}

const KU_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign'] as const;

function keyUsageExt(usages: readonly (typeof KU_BITS)[number][]): Buffer {
  let bits = 0;
  for (const u of usages) bits |= 0x80 >> KU_BITS.indexOf(u);
  let unused = 0;
  while (unused < 7 && bits !== 0 && ((bits >> unused) & 1) === 0) unused++;
  const value = der.tlv(der.Tag.BIT_STRING, Buffer.from([unused, bits]));
  return der.sequence(der.oid('2.5.29.15'), der.tlv(der.Tag.BOOLEAN, Buffer.from([0xff])), der.octetString(value));
}

function signatureAlgorithm(key: KeyObject): { alg: Buffer; hash: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { alg: der.sequence(der.oid('1.2.840.113549.1.1.11'), der.nul()), hash: 'sha256' };
    case 'ec':
      return { alg: der.sequence(der.oid('1.2.840.10045.4.3.2')), hash: 'sha256' };
    case 'ed25519':
      return { alg: der.sequence(der.oid('1.3.101.112')), hash: null };
    default:
      throw new Error(`unsupported issuer key ${key.asymmetricKeyType}`);
  }
}

/** What a certificate should say. */
export interface CertSpec {
  subject: NameSpec;
  /** Defaults to the subject (self-signed). */
  issuer?: NameSpec;
  subjectSpki: Buffer;
  /** Defaults to the subject's own key (needs `issuerKey` then). */
  issuerKey: KeyObject;
  notBefore?: Date;
  notAfter?: Date;
  ca?: boolean;
  keyUsage?: readonly (typeof KU_BITS)[number][];
  serial?: Buffer;
}

/** Builds and signs an X.509 v3 certificate. */
export function makeCertificate(spec: CertSpec): Buffer {
  const { alg, hash } = signatureAlgorithm(spec.issuerKey);
  const notBefore = spec.notBefore ?? new Date(Date.now() - 24 * 3600 * 1000);
  const notAfter = spec.notAfter ?? new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const serial = spec.serial ?? Buffer.concat([Buffer.from([0x01]), randomBytes(15)]);
  const exts: Buffer[] = [];
  if (spec.ca) exts.push(der.sequence(der.oid('2.5.29.19'), der.tlv(der.Tag.BOOLEAN, Buffer.from([0xff])), der.octetString(der.sequence(der.tlv(der.Tag.BOOLEAN, Buffer.from([0xff]))))));
  const ku = spec.keyUsage ?? (spec.ca ? ['keyCertSign', 'cRLSign'] : ['digitalSignature']);
  exts.push(keyUsageExt(ku));
  const skid = createHash('sha1').update(spec.subjectSpki).digest();
  exts.push(der.sequence(der.oid('2.5.29.14'), der.octetString(der.octetString(skid))));
  const tbs = der.sequence(
    der.context(0, true, der.integer(2)),
    der.integer(serial),
    alg,
    encodeName(spec.issuer ?? spec.subject),
    der.sequence(encodeTime(notBefore), encodeTime(notAfter)),
    encodeName(spec.subject),
    spec.subjectSpki,
    der.context(3, true, der.sequence(...exts)),
  );
  const signature = sign(hash, tbs, spec.issuerKey);
  return der.sequence(tbs, alg, der.bitString(signature));
}

/** A test CA: key, certificate and name. */
export interface TestCa {
  key: TestKey;
  name: NameSpec;
  cert: Buffer;
}

/** Makes a self-signed root CA. */
export function makeCa(cn = 'Test Root CA Ö', kind: KeyKind = 'ec'): TestCa {
  const key = makeKey(kind);
  const name: NameSpec = [
    ['C', 'SE'],
    ['O', 'Testutfärdaren AB'],
    ['CN', cn],
  ];
  const cert = makeCertificate({
    subject: name,
    subjectSpki: key.spki,
    issuerKey: key.privateKey,
    ca: true,
    notBefore: new Date(Date.now() - 3 * 365 * 24 * 3600 * 1000),
    notAfter: new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000),
  });
  return { key, name, cert };
}

/** What an e-ID's leaf should look like. */
export interface EidSpec {
  cn?: string;
  org?: string;
  serialNumber?: string;
  keyKind?: KeyKind;
  notBefore?: Date;
  notAfter?: Date;
  ca?: TestCa;
}

/** A complete test e-ID: key, leaf, chain (leaf, root). */
export interface TestEid {
  key: TestKey;
  leaf: Buffer;
  chain: Buffer[];
  ca: TestCa;
}

/** Makes an e-ID on file as an issuer would: holder name, organisation, identity number. */
export function makeEid(spec: EidSpec = {}): TestEid {
  const ca = spec.ca ?? makeCa();
  const key = makeKey(spec.keyKind ?? 'ec');
  const subject: NameSpec = [
    ['C', 'SE'],
    ['O', spec.org ?? 'Åkerö Ärende AB'],
    ['serialNumber', spec.serialNumber ?? 'SE5566778899-0001'],
    ['CN', spec.cn ?? 'Åsa Öberg'],
  ];
  const leaf = makeCertificate({
    subject,
    issuer: ca.name,
    subjectSpki: key.spki,
    issuerKey: ca.key.privateKey,
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    keyUsage: ['digitalSignature', 'keyEncipherment'],
  });
  return { key, leaf, chain: [leaf, ca.cert], ca };
}

/** PEM for a DER certificate (for tools). */
export function toPem(derBytes: Buffer, label = 'CERTIFICATE'): string {
  const b64 = derBytes.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Re-reads a PKCS#8 DER, for comparing keys independent of encoding details. */
export function samePrivateKey(a: Buffer, b: Buffer): boolean {
  const ea = createPrivateKey({ key: a, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'der' });
  const eb = createPrivateKey({ key: b, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'der' });
  return ea.equals(eb);
}
