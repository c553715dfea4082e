/**
 * What a user (and support) needs to know about one X.509 certificate, read straight from DER.
 *
 * Walking the DER ourselves keeps the CLI's start-up tiny (no X.509 library is loaded), decodes
 * every string type to proper Unicode (Å stays Å), and lets us read the Swedish specifics: the
 * identity number in the subject serialNumber (2.5.4.5), the UPN in the SAN and the assurance level
 * from the certificate policy.
 */
import { createHash } from 'node:crypto';
import * as der from './der';
import { assuranceLevel } from './assurance';
import { classifyIdentity, type IdentityNumber } from './identity';

/** Short names for the attribute types found in e-ID subjects. */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

/** One of the nine key usage bits (RFC 5280 4.2.1.3). */
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

const EKU_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '1.3.6.1.4.1.311.20.2.2': 'smartcardLogon',
  '1.3.6.1.4.1.311.10.3.12': 'documentSigning',
};

const EXTENSION_NAMES: Readonly<Record<string, string>> = {
  '2.5.29.14': 'subjectKeyIdentifier',
  '2.5.29.15': 'keyUsage',
  '2.5.29.17': 'subjectAltName',
  '2.5.29.19': 'basicConstraints',
  '2.5.29.31': 'cRLDistributionPoints',
  '2.5.29.32': 'certificatePolicies',
  '2.5.29.35': 'authorityKeyIdentifier',
  '2.5.29.37': 'extKeyUsage',
  '1.3.6.1.5.5.7.1.1': 'authorityInfoAccess',
  '1.3.6.1.5.5.7.1.3': 'qcStatements',
};

const UPN_OID = '1.3.6.1.4.1.311.20.2.3';

/** What the e-ID is for, derived from key usage and EKU. */
export type Purpose = 'authentication' | 'signing' | 'encryption' | 'tls-server' | 'ca' | 'other';

/** A readable summary of one certificate extension. */
export interface ExtensionInfo {
  oid: string;
  name: string;
  critical: boolean;
  /** Human-readable value where we know the extension, else hex. */
  value: string;
}

/** Public key facts shown in details and used to choose signing mechanisms. */
export interface PublicKeyInfo {
  algorithm: 'rsa' | 'ec' | 'ed25519' | 'other';
  /** RSA modulus bits, or EC field size. */
  bits: number | null;
  curve: string | null;
}

/** Everything the views, the CLI and the checks need from a certificate. */
export interface CertificateInfo {
  subject: Record<string, string>;
  subjectDn: string;
  issuer: Record<string, string>;
  issuerDn: string;
  /** Hex, upper case, without leading zero bytes. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  keyUsage: KeyUsage[];
  extendedKeyUsage: string[];
  policies: string[];
  upn: string[];
  emails: string[];
  dnsNames: string[];
  purposes: Purpose[];
  identity: IdentityNumber | null;
  assuranceLevel: number | null;
  isCA: boolean;
  selfIssued: boolean;
  publicKey: PublicKeyInfo;
  extensions: ExtensionInfo[];
}

/** Low-level pieces other modules need (chain building, key matching). */
export interface ParsedCertificate {
  der: Buffer;
  tbs: Buffer;
  subjectRaw: Buffer;
  issuerRaw: Buffer;
  spki: Buffer;
  serial: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
  info: CertificateInfo;
}

/** Issuer names repeat across a token's certificates: parse each distinct one once. */
const nameCache = new Map<string, { fields: Record<string, string>; dn: string }>();

function parseName(node: der.DerNode): { fields: Record<string, string>; dn: string } {
  const key = node.raw.toString('latin1');
  const hit = nameCache.get(key);
  if (hit) return { fields: { ...hit.fields }, dn: hit.dn };
  const parsed = parseNameUncached(node);
  if (nameCache.size > 256) nameCache.clear();
  nameCache.set(key, parsed);
  return { fields: { ...parsed.fields }, dn: parsed.dn };
}

const NEEDS_ESCAPE = /[,+"\\<>;]/;
const ESCAPE_ALL = /([,+"\\<>;])/g;

function parseNameUncached(node: der.DerNode): { fields: Record<string, string>; dn: string } {
  const fields: Record<string, string> = {};
  const rdns: string[] = [];
  for (const rdn of der.children(der.expectTag(node, der.Tag.SEQUENCE, 'name'))) {
    const parts: string[] = [];
    for (const atv of der.children(der.expectTag(rdn, der.Tag.SET, 'rdn'))) {
      const [typeNode, valueNode] = der.seq(atv, 'attribute');
      const type = der.readOid(typeNode, 'attribute type');
      const name = ATTRIBUTE_NAMES[type] ?? type;
      let value: string;
      try {
        value = der.readString(valueNode);
      } catch {
        value = `#${valueNode.raw.toString('hex')}`;
      }
      // Several values of one type (OU twice) are joined so none is lost.
      fields[name] = fields[name] ? `${fields[name]}, ${value}` : value;
      parts.push(`${name}=${NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE_ALL, '\\$1') : value}`);
    }
    rdns.push(parts.join('+'));
  }
  // RFC 4514 order: most specific first.
  return { fields, dn: rdns.reverse().join(', ') };
}

function readKeyUsage(ext: Buffer): KeyUsage[] {
  const bits = der.expectTag(der.decode(ext), der.Tag.BIT_STRING, 'keyUsage').value;
  const out: KeyUsage[] = [];
  KEY_USAGE_BITS.forEach((name, i) => {
    const byte = 1 + (i >> 3);
    if (byte < bits.length && bits[byte] & (0x80 >> (i & 7))) out.push(name);
  });
  return out;
}

function readSan(ext: Buffer): { upn: string[]; emails: string[]; dns: string[]; text: string[] } {
  const upn: string[] = [];
  const emails: string[] = [];
  const dns: string[] = [];
  const text: string[] = [];
  for (const gn of der.seq(der.decode(ext), 'subjectAltName')) {
    const kind = gn.tag & 0x1f;
    if (kind === 0) {
      // otherName: type-id OID, [0] EXPLICIT value
      const [typeNode, wrapped] = der.children(gn);
      const type = der.readOid(typeNode, 'otherName type');
      if (type === UPN_OID && wrapped) {
        const value = der.readString(der.children(wrapped)[0]);
        upn.push(value);
        text.push(`UPN: ${value}`);
      } else {
        text.push(`otherName ${type}`);
      }
    } else if (kind === 1) {
      const v = gn.value.toString('ascii');
      emails.push(v);
      text.push(`email: ${v}`);
    } else if (kind === 2) {
      const v = gn.value.toString('ascii');
      dns.push(v);
      text.push(`DNS: ${v}`);
    } else if (kind === 6) {
      text.push(`URI: ${gn.value.toString('ascii')}`);
    } else if (kind === 7) {
      text.push(`IP: ${[...gn.value].join('.')}`);
    }
  }
  return { upn, emails, dns, text };
}

function readEku(ext: Buffer): string[] {
  return der.seq(der.decode(ext), 'extKeyUsage').map((n) => {
    const o = der.readOid(n, 'eku');
    return EKU_NAMES[o] ?? o;
  });
}

function readPolicies(ext: Buffer): string[] {
  return der.seq(der.decode(ext), 'certificatePolicies').map((p) => der.readOid(der.seq(p, 'policy')[0], 'policy id'));
}

function readBasicConstraints(ext: Buffer): boolean {
  const items = der.seq(der.decode(ext), 'basicConstraints');
  return items.length > 0 && items[0].tag === der.Tag.BOOLEAN && items[0].value[0] !== 0;
}

const CURVES: Readonly<Record<string, { name: string; bits: number }>> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', bits: 256 },
  '1.3.132.0.34': { name: 'P-384', bits: 384 },
  '1.3.132.0.35': { name: 'P-521', bits: 521 },
};

/** Reads algorithm and size from a SubjectPublicKeyInfo. */
export function readPublicKeyInfo(spki: Buffer): PublicKeyInfo {
  const [algId, keyBits] = der.seq(der.decode(spki), 'spki');
  const [algOid, params] = der.seq(algId, 'algorithm');
  const alg = der.readOid(algOid, 'algorithm');
  if (alg === '1.2.840.113549.1.1.1') {
    const rsa = der.seq(der.decode(keyBits.value.subarray(1)), 'RSAPublicKey');
    let mod = rsa[0].value;
    while (mod.length > 1 && mod[0] === 0) mod = mod.subarray(1);
    const bits = (mod.length - 1) * 8 + (32 - Math.clz32(mod[0]));
    return { algorithm: 'rsa', bits, curve: null };
  }
  if (alg === '1.2.840.10045.2.1') {
    const curveOid = params && params.tag === der.Tag.OID ? der.oidToString(params.value) : '';
    const c = CURVES[curveOid];
    return { algorithm: 'ec', bits: c?.bits ?? null, curve: c?.name ?? curveOid };
  }
  if (alg === '1.3.101.112') return { algorithm: 'ed25519', bits: 256, curve: 'Ed25519' };
  return { algorithm: 'other', bits: null, curve: null };
}

function derivePurposes(ku: KeyUsage[], eku: string[], isCA: boolean): Purpose[] {
  // RFC 5280 4.2.1.3: a certificate whose key usage lacks keyCertSign cannot sign certificates,
  // whatever basicConstraints says. Self-made card certificates (`openssl req -x509` sets CA:true)
  // with digitalSignature only are e-IDs, not CAs.
  if (isCA && (ku.length === 0 || ku.includes('keyCertSign'))) return ['ca'];
  const out = new Set<Purpose>();
  // SITHS and Swedish e-IDs: nonRepudiation marks the signing certificate, digitalSignature alone
  // the authentication certificate. EKU refines it where present.
  if (ku.includes('nonRepudiation')) out.add('signing');
  else if (ku.includes('digitalSignature')) out.add(eku.includes('serverAuth') && !eku.includes('clientAuth') ? 'tls-server' : 'authentication');
  if (ku.includes('keyEncipherment') || ku.includes('dataEncipherment') || ku.includes('keyAgreement')) out.add('encryption');
  if (ku.length === 0) {
    if (eku.includes('clientAuth')) out.add('authentication');
    if (eku.includes('serverAuth')) out.add('tls-server');
    if (eku.includes('emailProtection') || eku.includes('documentSigning')) out.add('signing');
  }
  if (out.size === 0) out.add('other');
  return [...out];
}

/**
 * Whether a certificate can issue certificates: basicConstraints CA:true and, where key usage is
 * given, keyCertSign (RFC 5280 4.2.1.3). The e-ID on a card or in a file is the one that cannot.
 */
export function actsAsCA(info: { readonly purposes: readonly Purpose[] }): boolean {
  return info.purposes.includes('ca');
}

/** AA:BB:CC form of a digest, as certificate managers show fingerprints. */
export function colonHex(b: Buffer): string {
  const h = b.toString('hex').toUpperCase();
  const parts: string[] = new Array(b.length);
  for (let i = 0; i < b.length; i++) parts[i] = h.slice(2 * i, 2 * i + 2);
  return parts.join(':');
}

function hex(b: Buffer): string {
  return b.toString('hex').toUpperCase();
}

/** Parses a DER certificate. Throws der.DerError on malformed input. */
export function parseCertificate(input: Buffer): ParsedCertificate {
  const certDer = Buffer.from(input);
  const [tbsNode, sigAlgNode, sigNode] = der.seq(der.decode(certDer), 'certificate');
  const tbsItems = der.seq(tbsNode, 'tbsCertificate');
  let i = 0;
  if (tbsItems[0]?.tag === 0xa0) i++; // [0] version
  const serialNode = der.expectTag(tbsItems[i++], der.Tag.INTEGER, 'serial');
  i++; // signature algorithm inside tbs
  const issuerNode = tbsItems[i++];
  const validity = der.seq(tbsItems[i++], 'validity');
  const subjectNode = tbsItems[i++];
  const spkiNode = der.expectTag(tbsItems[i++], der.Tag.SEQUENCE, 'spki');
  const extensions: ExtensionInfo[] = [];
  let keyUsage: KeyUsage[] = [];
  let eku: string[] = [];
  let policies: string[] = [];
  let san: { upn: string[]; emails: string[]; dns: string[]; text: string[] } = { upn: [], emails: [], dns: [], text: [] };
  let isCA = false;
  for (; i < tbsItems.length; i++) {
    if (tbsItems[i].tag !== 0xa3) continue;
    for (const ext of der.seq(der.children(tbsItems[i])[0], 'extensions')) {
      const parts = der.seq(ext, 'extension');
      const extOid = der.readOid(parts[0], 'extension id');
      const critical = parts.length === 3 && parts[1].tag === der.Tag.BOOLEAN && parts[1].value[0] !== 0;
      const value = der.expectTag(parts[parts.length - 1], der.Tag.OCTET_STRING, 'extension value').value;
      let text: string;
      try {
        // Each known extension is read once, and its readable form made from what was read.
        if (extOid === '2.5.29.15') text = (keyUsage = readKeyUsage(value)).join(', ');
        else if (extOid === '2.5.29.37') text = (eku = readEku(value)).join(', ');
        else if (extOid === '2.5.29.32') text = (policies = readPolicies(value)).join(', ');
        else if (extOid === '2.5.29.17') text = (san = readSan(value)).text.join('; ');
        else if (extOid === '2.5.29.19') {
          isCA = readBasicConstraints(value);
          text = isCA ? 'CA: true' : 'CA: false';
        }
        else if (extOid === '2.5.29.14') text = hex(der.decode(value).value);
        else text = hex(value);
      } catch {
        // A damaged non-critical extension should not hide the certificate; details show hex.
        text = hex(value);
      }
      extensions.push({ oid: extOid, name: EXTENSION_NAMES[extOid] ?? extOid, critical, value: text });
    }
  }
  const subject = parseName(subjectNode);
  const issuer = parseName(issuerNode);
  let serial = serialNode.value;
  while (serial.length > 1 && serial[0] === 0) serial = serial.subarray(1);
  const sigAlg = der.readOid(der.seq(sigAlgNode, 'signatureAlgorithm')[0], 'signature algorithm');
  const emails = [...san.emails];
  if (subject.fields.E && !emails.includes(subject.fields.E)) emails.push(subject.fields.E);
  const info: CertificateInfo = {
    subject: subject.fields,
    subjectDn: subject.dn,
    issuer: issuer.fields,
    issuerDn: issuer.dn,
    serialNumber: hex(serial),
    notBefore: der.readTime(validity[0]).toISOString(),
    notAfter: der.readTime(validity[1]).toISOString(),
    fingerprintSha256: colonHex(createHash('sha256').update(certDer).digest()),
    keyUsage,
    extendedKeyUsage: eku,
    policies,
    upn: san.upn,
    emails,
    dnsNames: san.dns,
    purposes: derivePurposes(keyUsage, eku, isCA),
    identity: classifyIdentity(subject.fields.serialNumber ?? null),
    assuranceLevel: assuranceLevel(policies, issuer.fields.CN ?? ''),
    isCA,
    selfIssued: subjectNode.raw.equals(issuerNode.raw),
    publicKey: readPublicKeyInfo(spkiNode.raw),
    extensions,
  };
  return {
    der: certDer,
    tbs: tbsNode.raw,
    subjectRaw: subjectNode.raw,
    issuerRaw: issuerNode.raw,
    spki: spkiNode.raw,
    serial,
    signatureAlgorithm: sigAlg,
    signature: der.expectTag(sigNode, der.Tag.BIT_STRING, 'signature').value.subarray(1),
    info,
  };
}

/** Convenience: only the summary. */
export function describeCertificate(certDer: Buffer): CertificateInfo {
  return parseCertificate(certDer).info;
}

/** Validity state at `now`: what "show invalid e-IDs" filters on. */
export function validityState(info: Pick<CertificateInfo, 'notBefore' | 'notAfter'>, now = new Date()): 'valid' | 'expired' | 'not-yet-valid' {
  if (now < new Date(info.notBefore)) return 'not-yet-valid';
  if (now > new Date(info.notAfter)) return 'expired';
  return 'valid';
}
