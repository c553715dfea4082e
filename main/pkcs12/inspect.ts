/**
 * What is inside a PKCS#12 file, in words a user and support can act on: the holder's
 * certificate, which key belongs to which certificate, the chain, validity, purposes and the
 * identity number. Serialisable (it is the `p12 inspect --json` output and crosses the bridge);
 * it never contains key bytes.
 *
 * "Certificates only" (an order made with a CSR) and "key only" are flags, not errors: the
 * wizard offers to pair such a file with a key in the keystore, and import decides whether it
 * can proceed (see requireKeyAndCertificate).
 *
 * A certificate file delivered for a CSR (.cer/.pem/.p7b) is described in the same shape by
 * `describeCertificateFile`: the certificate part of a report (`describeCertificates`) is shared,
 * so the holder, validity, chain and purposes of a delivered certificate read exactly as they do
 * for a PKCS#12 file, before any PIN is asked.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { EidError } from '../errors';
import { buildChain, defaultTrustAnchorsDir, loadTrustAnchors, type ChainReport, type TrustAnchor } from '../pki/chain';
import { actsAsCA, parseCertificate, validityState, type CertificateInfo, type ParsedCertificate } from '../pki/certificate';
import { decodePkcs12 } from './decode';
import { DEFAULT_LIMITS, type DecodeLimits, type Pkcs12Contents } from './types';

/** One certificate of the file, described, with its bag attributes. */
export interface Pkcs12CertificateReport extends CertificateInfo {
  /** Position in the file (0-based), as `pairs` refer to it. */
  index: number;
  friendlyName?: string;
  localKeyId?: string;
  validity: 'valid' | 'expired' | 'not-yet-valid';
  /** A private key in the file belongs to this certificate. */
  hasKey: boolean;
}

/** One private key of the file, described (never its bytes). */
export interface Pkcs12KeyReport {
  index: number;
  friendlyName?: string;
  localKeyId?: string;
  /** 'rsa', 'ec', 'ed25519', ... or 'unreadable' when Node cannot load it. */
  algorithm: string;
  bits: number | null;
  curve: string | null;
  /** Index of the certificate holding this key's public key, or null (a key mismatch). */
  certificateIndex: number | null;
}

/** The report `inspectPkcs12` returns. */
export interface Pkcs12Report {
  certificates: Pkcs12CertificateReport[];
  /** Number of private keys. */
  keys: number;
  keyDetails: Pkcs12KeyReport[];
  /** Key/certificate pairs, matched by comparing public keys. */
  pairs: Array<{ keyIndex: number; certificateIndex: number }>;
  /** The holder's certificate: the one paired with a key, else the end-entity certificate. */
  leaf: Pkcs12CertificateReport | null;
  /** The leaf's chain, or null without a leaf. */
  chain: ChainReport | null;
  /** An order made with a CSR: certificates, no key. */
  certificatesOnly: boolean;
  /** A key without any certificate. */
  keyOnly: boolean;
  /** Some key matches no certificate in the file. */
  keyMismatch: boolean;
  protection: { macAlgorithm: string | null; macIterations: number | null; encryption: string[] };
}

/** Options for inspection. */
export interface InspectOptions {
  /** Directory of trust anchors; default: defaultTrustAnchorsDir(). Ignored when `anchors` is given. */
  trustAnchorsDir?: string;
  /** Preloaded anchors (the app loads them once). */
  anchors?: readonly TrustAnchor[];
  /** The moment validity is judged at (tests). */
  now?: Date;
  limits?: DecodeLimits;
}

function spkiOf(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** The certificate's public key as Node loads it (KeyObject.equals compares keys, not encodings), or null. */
function certKey(cert: ParsedCertificate): KeyObject | null {
  try {
    return createPublicKey({ key: cert.spki, format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

/** A certificate as a file holds it: its DER and, in a PKCS#12, the attributes of its bag. */
export interface CertificateInput {
  der: Buffer;
  friendlyName?: string;
  localKeyId?: string;
}

/** The certificate part of a report: what `describeCertificates` says about a file's certificates. */
export type CertificatesPart = Pick<Pkcs12Report, 'certificates' | 'leaf' | 'chain'>;

/**
 * Parses every certificate of a file once, naming the damaged one (1-based) as 'malformed'.
 * Separate from describing so key matching can work on the parsed certificates first.
 */
export function parseCertificates(certificates: readonly CertificateInput[]): ParsedCertificate[] {
  return certificates.map((c, i) => {
    try {
      return parseCertificate(c.der);
    } catch (err) {
      throw new EidError('malformed', `Certificate ${i + 1} in the file is damaged and cannot be read. Download or export the file again.`, { certificate: i + 1 }, { cause: err });
    }
  });
}

/**
 * Describes a file's certificates: each one with its validity and whether a key of the file
 * belongs to it, the holder's certificate (the leaf) and the leaf's chain up to a trust anchor.
 * This is the part of a report that does not depend on where the certificates came from, so a
 * PKCS#12 file and a certificate file (.cer/.pem/.p7b, which has no keys: `pairs` is empty) are
 * described by the same code and read the same in the wizard and the CLI.
 */
export function describeCertificates(
  certificates: readonly CertificateInput[],
  parsed: readonly ParsedCertificate[],
  pairs: ReadonlyArray<{ certificateIndex: number }>,
  opts: InspectOptions = {},
): CertificatesPart {
  const now = opts.now ?? new Date();
  const paired = new Set(pairs.map((p) => p.certificateIndex));
  const described: Pkcs12CertificateReport[] = parsed.map((p, index) => {
    const bag = certificates[index];
    return {
      ...p.info,
      index,
      ...(bag.friendlyName !== undefined ? { friendlyName: bag.friendlyName } : {}),
      ...(bag.localKeyId ? { localKeyId: bag.localKeyId } : {}),
      validity: validityState(p.info, now),
      hasKey: paired.has(index),
    };
  });
  const leafIndex = chooseLeaf(parsed, pairs);
  let chain: ChainReport | null = null;
  if (leafIndex !== null) {
    const anchors = opts.anchors ?? loadTrustAnchors(opts.trustAnchorsDir ?? defaultTrustAnchorsDir());
    chain = buildChain(
      parsed[leafIndex],
      parsed.filter((_, i) => i !== leafIndex),
      anchors,
      now,
    );
  }
  return { certificates: described, leaf: leafIndex === null ? null : described[leafIndex], chain };
}

/**
 * Describes decoded contents. Separate from decoding so import can decode once, describe, and
 * then store the very keys it described.
 */
export function describePkcs12(contents: Pkcs12Contents, opts: InspectOptions = {}): Pkcs12Report {
  if (contents.certificates.length === 0 && contents.keys.length === 0) {
    throw new EidError('no-certificate', 'The file holds neither a certificate nor a private key. Download or export it again.');
  }
  const parsed = parseCertificates(contents.certificates);
  // Keys are matched on the certificate's SPKI bytes as written; only when that finds nothing are
  // the certificates' keys loaded by Node and compared as keys (a few ms for a chain), so another
  // encoding of the same key (a compressed EC point, RSA without NULL parameters) still pairs.
  let certKeys: Array<KeyObject | null> | undefined;
  const findCertificate = (key: KeyObject): number => {
    const spki = spkiOf(key);
    const raw = parsed.findIndex((c) => c.spki.equals(spki));
    if (raw !== -1) return raw;
    const pub = createPublicKey(key);
    certKeys ??= parsed.map(certKey);
    return certKeys.findIndex((k) => k !== null && k.equals(pub));
  };

  const keyDetails: Pkcs12KeyReport[] = contents.keys.map((k, index) => {
    const base = { index, ...(k.friendlyName !== undefined ? { friendlyName: k.friendlyName } : {}), ...(k.localKeyId ? { localKeyId: k.localKeyId } : {}) };
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: k.pkcs8, format: 'der', type: 'pkcs8' });
    } catch {
      return { ...base, algorithm: 'unreadable', bits: null, curve: null, certificateIndex: null };
    }
    const details = key.asymmetricKeyDetails ?? {};
    const match = findCertificate(key);
    return {
      ...base,
      algorithm: key.asymmetricKeyType ?? 'other',
      bits: details.modulusLength ?? (details.namedCurve ? curveBits(details.namedCurve) : null),
      curve: details.namedCurve ?? null,
      certificateIndex: match === -1 ? null : match,
    };
  });
  const pairs = keyDetails.filter((k) => k.certificateIndex !== null).map((k) => ({ keyIndex: k.index, certificateIndex: k.certificateIndex as number }));
  const { certificates, leaf, chain } = describeCertificates(contents.certificates, parsed, pairs, opts);
  return {
    certificates,
    keys: contents.keys.length,
    keyDetails,
    pairs,
    leaf,
    chain,
    certificatesOnly: contents.keys.length === 0,
    keyOnly: contents.certificates.length === 0,
    keyMismatch: keyDetails.some((k) => k.certificateIndex === null) && contents.certificates.length > 0,
    protection: { macAlgorithm: contents.macAlgorithm, macIterations: contents.macIterations, encryption: contents.encryption },
  };
}

/**
 * Describes the certificates of a certificate file (.cer/.crt/.pem/.p7b/.p7c, as
 * main/keystore/certificate-file.ts reads it) as a report of the same shape as a PKCS#12's, so
 * the wizard shows both with the same step: no keys, no pairs, certificates only, and no
 * protection (such a file has no password, MAC or encryption).
 */
export function describeCertificateFile(certificates: readonly Buffer[], opts: InspectOptions = {}): Pkcs12Report {
  if (certificates.length === 0) throw new EidError('no-certificate', 'The file holds no certificate. Download the certificate again.');
  const inputs = certificates.map((der) => ({ der }));
  const part = describeCertificates(inputs, parseCertificates(inputs), [], opts);
  return {
    certificates: part.certificates,
    keys: 0,
    keyDetails: [],
    pairs: [],
    leaf: part.leaf,
    chain: part.chain,
    certificatesOnly: true,
    keyOnly: false,
    keyMismatch: false,
    protection: { macAlgorithm: null, macIterations: null, encryption: [] },
  };
}

function curveBits(curve: string): number | null {
  const m = curve.match(/(\d{3})/);
  return m ? Number(m[1]) : null;
}

/**
 * The holder's certificate: the first certificate paired with a key (end-entity before CA),
 * else the end-entity certificate that issued nothing else in the file.
 */
function chooseLeaf(parsed: readonly ParsedCertificate[], pairs: ReadonlyArray<{ certificateIndex: number }>): number | null {
  if (parsed.length === 0) return null;
  const pairedIdx = pairs.map((p) => p.certificateIndex);
  const pairedEE = pairedIdx.find((i) => !actsAsCA(parsed[i].info));
  if (pairedEE !== undefined) return pairedEE;
  if (pairedIdx.length) return pairedIdx[0];
  const issuesOthers = (i: number) => parsed.some((c, j) => j !== i && !c.info.selfIssued && c.issuerRaw.equals(parsed[i].subjectRaw));
  const ends = parsed.map((_, i) => i).filter((i) => !issuesOthers(i));
  return ends.find((i) => !actsAsCA(parsed[i].info)) ?? ends[0] ?? 0;
}

/**
 * Decodes with the password as typed and, if that is wrong and the password has spaces around
 * it, once more trimmed: PIN codes are copied from letters and mails with stray spaces (seed 003).
 * Inner characters are never dropped: they may be part of a chosen password.
 */
export async function openPkcs12(data: Buffer, password: string, limits: DecodeLimits = DEFAULT_LIMITS): Promise<Pkcs12Contents> {
  try {
    return await decodePkcs12(data, password, limits);
  } catch (err) {
    const trimmed = password.trim();
    if (err instanceof EidError && err.code === 'bad-password' && trimmed !== password) return decodePkcs12(data, trimmed, limits);
    throw err;
  }
}

/** Decodes and describes a PKCS#12 file. Throws EidError (see decodePkcs12, and no-certificate for an empty file). */
export async function inspectPkcs12(data: Buffer, password: string, opts: InspectOptions = {}): Promise<Pkcs12Report> {
  const contents = await openPkcs12(data, password, opts.limits ?? DEFAULT_LIMITS);
  try {
    return describePkcs12(contents, opts);
  } finally {
    for (const k of contents.keys) k.pkcs8.fill(0);
  }
}

/**
 * For import: refuses what cannot become a usable e-ID, with the specific code.
 * no-private-key (certificates only), no-certificate (key only), key-mismatch (no key fits any certificate).
 */
export function requireKeyAndCertificate(report: Pkcs12Report): void {
  if (report.certificatesOnly) {
    throw new EidError(
      'no-private-key',
      'The file holds certificates but no private key. If the e-ID was ordered with a CSR, the key is where the CSR was made: pair the certificate with that key instead.',
    );
  }
  if (report.keyOnly) throw new EidError('no-certificate', 'The file holds a private key but no certificate. Fetch the certificate from the issuer and import it together with the key.');
  if (report.pairs.length === 0) {
    throw new EidError('key-mismatch', 'The private key in the file does not belong to any certificate in it. Download or export the file again.');
  }
}
