/**
 * Fixtures for the renderer side of e-IDs on file (the import wizard machine and its components):
 * bridge answers shaped exactly like main's (the types come from the contract), with a real
 * certificate description made by the test CA so names with Å/Ä/Ö and identity numbers are what
 * main would send.
 */
import { describeCertificate, type CertificateInfo } from '../../main/pki/certificate';
import { issueEndEntity, makeTestPki } from '../../dev/test-ca';
import type { CreatedRequest, ImportResult, KeyRequest, KeystoreEntry, OlderCertificate, OsStoreInfo, P12Report, Pairable, PairResponse, PinRules } from '../../renderer/pages/files/types';

const { ca } = makeTestPki();

/** The holder used throughout: a tjänsteidentitetsnummer-style identity in serialNumber. */
export const HOLDER = 'Åsa Öberg';
export const ORGANISATION = 'Skolverket Ängelholm Åtvidaberg';
export const IDENTITY = 'SE2021001234-ABC1';

function leafInfo(notAfter?: Date): CertificateInfo {
  const cert = issueEndEntity(ca, {
    subject: [['C', 'SE'], ['O', ORGANISATION], ['serialNumber', IDENTITY], ['CN', HOLDER]],
    keyUsage: ['digitalSignature'],
    extKeyUsage: ['clientAuth'],
    ...(notAfter ? { notAfter, notBefore: new Date(notAfter.getTime() - 365 * 86400_000) } : {}),
  });
  return describeCertificate(cert.der);
}

const LEAF = leafInfo();

/** Main's keystore PIN rules (the same ids and lengths as main/keystore/pin-rules.ts). */
export const RULES: PinRules = {
  minLength: 6,
  maxLength: 128,
  rules: [
    { id: 'min-length', text: 'At least 6 characters.' },
    { id: 'max-length', text: 'At most 128 characters.' },
    { id: 'not-repeated', text: 'Not the same character repeated (such as 111111).' },
    { id: 'not-sequence', text: 'Not a simple sequence (such as 123456, 654321 or abcdef).' },
  ],
};

/** An inspection report of an ordinary e-ID file (one key, its certificate and the CA). */
export function report(over: Partial<P12Report> = {}): P12Report {
  const leaf = { ...LEAF, index: 0, friendlyName: HOLDER, validity: 'valid' as const, hasKey: true };
  return {
    fileName: 'asa.p12',
    certificates: [leaf],
    keys: 1,
    keyDetails: [{ index: 0, algorithm: 'rsa', bits: 2048, curve: null, certificateIndex: 0 }],
    pairs: [{ keyIndex: 0, certificateIndex: 0 }],
    leaf,
    leafDer: 'MIIB',
    chain: {
      status: 'trusted',
      links: [
        { subjectDn: LEAF.subjectDn, issuerDn: LEAF.issuerDn, serialNumber: LEAF.serialNumber, fingerprintSha256: LEAF.fingerprintSha256, notAfter: LEAF.notAfter, validity: 'valid', source: 'file' },
        { subjectDn: LEAF.issuerDn, issuerDn: 'CN=eID Desk Test Root CA v1', serialNumber: '01', fingerprintSha256: 'AA', notAfter: LEAF.notAfter, validity: 'valid', source: 'anchor' },
      ],
      anchor: 'CN=eID Desk Test Root CA v1',
      problem: null,
    },
    certificatesOnly: false,
    keyOnly: false,
    keyMismatch: false,
    protection: { macAlgorithm: 'sha256', macIterations: 2048, encryption: ['aes-256-cbc'] },
    inKeystore: null,
    pairable: [],
    ...over,
  };
}

/** The id of the key request the fixtures pair with. */
export const REQUEST_ID = 'feedc0de12345678';
/** The label that request was given. */
export const REQUEST_LABEL = 'Åsa Öberg – order 2025';
/** A PEM CSR as main hands it out (its content is not parsed by the renderer). */
export const CSR_PEM = '-----BEGIN CERTIFICATE REQUEST-----\nMIICWjCCAUICAQAwFTETMBEGA1UEAwwKw4VzYSDDlmJlcmc=\n-----END CERTIFICATE REQUEST-----\n';

/** The key request of the fixtures, as `keystore:pair` can pair with it. */
export const PAIRABLE: Pairable = { kind: 'request', id: REQUEST_ID, label: REQUEST_LABEL };

/** A file with certificates only (an order made with a CSR); `pairable` names keys here it belongs to. */
export function certificatesOnlyReport(pairable: Pairable[] = []): P12Report {
  const r = report();
  return { ...r, keys: 0, keyDetails: [], pairs: [], certificates: r.certificates.map((c) => ({ ...c, hasKey: false })), leaf: { ...r.leaf!, hasKey: false }, certificatesOnly: true, pairable };
}

/**
 * What `certificate:inspect` answers for a certificate file (.p7b) delivered for a key request:
 * the shape of a certificates-only report, without a PKCS#12's protection.
 */
export function certificateFileReport(pairable: Pairable[] = [], over: Partial<P12Report> = {}): P12Report {
  return { ...certificatesOnlyReport(pairable), fileName: 'certifikat.p7b', protection: { macAlgorithm: null, macIterations: null, encryption: [] }, ...over };
}

/** A key request as `keystore:requests` lists it. */
export function keyRequest(over: Partial<KeyRequest> = {}): KeyRequest {
  return {
    id: REQUEST_ID,
    label: REQUEST_LABEL,
    subjectDn: `CN=${HOLDER}, serialNumber=${IDENTITY}, O=${ORGANISATION}, C=SE`,
    algorithm: 'rsa2048',
    keyAlgorithm: 'RSA 2048',
    createdAt: '2025-03-04T09:30:00.000Z',
    spkiFingerprint: 'CD:'.repeat(31) + 'EF',
    csrPem: CSR_PEM,
    protectedByOs: false,
    pin: { attempts: 0, retryAfterSeconds: 0 },
    ...over,
  };
}

/** What `keystore:create-request` answers for `keyRequest()`. */
export function createdRequest(over: Partial<CreatedRequest> = {}): CreatedRequest {
  const r = keyRequest();
  return { id: r.id, csrPem: r.csrPem, subjectDn: r.subjectDn, spkiFingerprint: r.spkiFingerprint, algorithm: r.algorithm, label: r.label, createdAt: r.createdAt, ...over };
}

/** What a successful `keystore:pair` answers (the request became an e-ID, installed in NSS too). */
export function pairResponse(over: Partial<PairResponse> = {}): PairResponse {
  return {
    entryId: '0123456789abcdef',
    holder: HOLDER,
    identity: LEAF.identity,
    notAfter: LEAF.notAfter,
    fingerprintSha256: LEAF.fingerprintSha256,
    replacedRequest: true,
    requestId: 'fedcba9876543210',
    renewalOf: null,
    osStore: { kind: 'nss', location: STORE.location, reference: HOLDER },
    older: [],
    ...over,
  };
}

/** A file with a private key only. */
export function keyOnlyReport(): P12Report {
  return { ...report(), certificates: [], pairs: [], leaf: null, leafDer: null, chain: null, keyOnly: true, keyDetails: [{ index: 0, algorithm: 'ec', bits: 256, curve: 'P-256', certificateIndex: null }] };
}

/** The NSS store of the tests. */
export const STORE: OsStoreInfo = { kind: 'nss', location: '/home/u/.pki/nssdb', available: true };

/** An older certificate of the same identity in the store. */
export function older(fingerprint = 'AB:'.repeat(31) + 'CD'): OlderCertificate {
  return {
    reason: 'same-identity-number',
    reference: HOLDER,
    store: 'nss',
    location: STORE.location,
    holder: HOLDER,
    issuer: 'eID Desk Test Person HSA-id 3 CA v1',
    identityNumber: IDENTITY,
    notBefore: '2022-01-01T00:00:00.000Z',
    notAfter: '2024-01-01T00:00:00.000Z',
    expired: true,
    fingerprintSha256: fingerprint,
    removesPrivateKey: true,
    summary: 'Remove the certificate for Åsa Öberg …',
  };
}

/** What a successful import to both places answers. */
export function importResult(over: Partial<ImportResult> = {}): ImportResult {
  return {
    imported: [{ holder: HOLDER, identity: LEAF.identity, notAfter: LEAF.notAfter, fingerprintSha256: LEAF.fingerprintSha256, keystoreId: '0123456789abcdef', osStore: { kind: 'nss', location: STORE.location, reference: HOLDER } }],
    older: [],
    removed: [],
    removeFailed: [],
    ...over,
  };
}

/** A keystore entry as `keystore:list` describes it. */
export function entry(over: Partial<KeystoreEntry> = {}, notAfter?: Date): KeystoreEntry {
  const info = notAfter ? leafInfo(notAfter) : LEAF;
  const validity = new Date(info.notAfter) < new Date() ? ('expired' as const) : ('valid' as const);
  return {
    id: '0123456789abcdef',
    label: HOLDER,
    holder: HOLDER,
    organisation: ORGANISATION,
    identity: info.identity,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    validity,
    fingerprintSha256: info.fingerprintSha256,
    keyAlgorithm: 'RSA 2048',
    createdAt: '2025-01-01T10:00:00.000Z',
    source: 'pkcs12-file',
    protectedByOs: false,
    installs: [{ kind: 'nss', location: STORE.location, reference: HOLDER, installedAt: '2025-01-01T10:00:01.000Z' }],
    pin: { attempts: 0, retryAfterSeconds: 0 },
    certificate: info,
    chain: [{ subjectDn: info.subjectDn, issuerDn: info.issuerDn, notAfter: info.notAfter, fingerprintSha256: info.fingerprintSha256 }],
    ...over,
  };
}

/**
 * The bridge answers every files test starts from: main's PIN rules, the NSS store with one older
 * certificate, an empty keystore, and the key requests `requests` makes (none by default). Each
 * answer is made afresh for every call.
 */
export function filesHandlers(requests: () => KeyRequest[] = () => []): Record<string, (request: unknown) => unknown> {
  return {
    'keystore:pin-rules': () => RULES,
    'os-store:info': () => STORE,
    'os-store:older': () => ({ ...STORE, older: [older()] }),
    'keystore:requests': () => ({ requests: requests(), damaged: [] }),
    'keystore:list': () => ({ dir: '/ks', entries: [], damaged: [] }),
  };
}
