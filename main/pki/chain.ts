/**
 * Certificate chains: from an e-ID's certificate up through the intermediates in its file to a
 * trust anchor shipped with the product (resources/trust-anchors/).
 *
 * Signatures are checked with Node's native X509Certificate (checkIssued + verify), so RSA,
 * RSA-PSS, ECDSA and EdDSA all work and nothing heavy is loaded. Names come from our own
 * CertificateInfo, so Å, Ä and Ö display correctly.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseCertificate, validityState, type ParsedCertificate } from './certificate';

/** A certificate trusted as the end of a chain, and the file it came from (for display). */
export interface TrustAnchor {
  cert: ParsedCertificate;
  source: string;
}

/** How far a chain got: to a shipped anchor, to a root we do not ship, or not to a root at all. */
export type ChainStatus = 'trusted' | 'untrusted-root' | 'incomplete';

/** One link of a chain, as shown to users and support. */
export interface ChainLink {
  subjectDn: string;
  issuerDn: string;
  serialNumber: string;
  fingerprintSha256: string;
  notAfter: string;
  validity: 'valid' | 'expired' | 'not-yet-valid';
  /** Where the link came from: the e-ID file, or a trust anchor file. */
  source: 'file' | 'anchor';
}

/** The chain from the leaf (first) upwards, and how it ends. */
export interface ChainReport {
  status: ChainStatus;
  links: ChainLink[];
  /** File name of the trust anchor that ends the chain, when status is 'trusted'. */
  anchor: string | null;
  /** Plain-English reason when not trusted. */
  problem: string | null;
}

const MAX_CHAIN = 10;
const PEM_RE = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;

/** Reads certificates from PEM text (any number) or one DER certificate. Unreadable input gives []. */
export function readCertificates(data: Buffer): ParsedCertificate[] {
  const text = data.toString('latin1');
  const out: ParsedCertificate[] = [];
  if (text.includes('-----BEGIN')) {
    for (const m of text.matchAll(PEM_RE)) {
      try {
        out.push(parseCertificate(Buffer.from(m[1].replace(/[^A-Za-z0-9+/=]/g, ''), 'base64')));
      } catch {
        // One damaged block should not hide the others.
      }
    }
    return out;
  }
  try {
    out.push(parseCertificate(data));
  } catch {
    // Not a certificate.
  }
  return out;
}

/**
 * Where the shipped trust anchors are, first match wins:
 * 1. EIDDESK_TRUST_ANCHORS (a directory), for tests and for IT who want their own set;
 * 2. `<resourcesPath>/trust-anchors` inside the packaged app (Electron's process.resourcesPath);
 * 3. `resources/trust-anchors` next to, or above, the running script (dist/cli.cjs, the dev tree);
 * 4. `resources/trust-anchors` under the current directory.
 * Returns null when none exists (chains then end as 'untrusted-root' or 'incomplete').
 */
export function defaultTrustAnchorsDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates: string[] = [];
  if (env.EIDDESK_TRUST_ANCHORS) candidates.push(env.EIDDESK_TRUST_ANCHORS);
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) candidates.push(join(resourcesPath, 'trust-anchors'));
  if (process.argv[1]) {
    let dir = dirname(resolve(process.argv[1]));
    for (let i = 0; i < 4; i++, dir = dirname(dir)) candidates.push(join(dir, 'resources', 'trust-anchors'));
  }
  candidates.push(resolve('resources', 'trust-anchors'));
  for (const c of candidates) {
    try {
      if (existsSync(c) && statSync(c).isDirectory()) return c;
    } catch {
      // unreadable: try the next
    }
  }
  return null;
}

/** Loads every certificate in `dir` from *.pem, *.crt and *.cer files (PEM or DER). Missing dir gives []. */
export function loadTrustAnchors(dir: string | null): TrustAnchor[] {
  if (!dir) return [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.(pem|crt|cer)$/i.test(n)).sort();
  } catch {
    return [];
  }
  const out: TrustAnchor[] = [];
  for (const name of names) {
    try {
      for (const cert of readCertificates(readFileSync(join(dir, name)))) out.push({ cert, source: name });
    } catch {
      // unreadable file: skipped
    }
  }
  return out;
}

const x509Cache = new WeakMap<Buffer, X509Certificate | null>();

function x509(cert: ParsedCertificate): X509Certificate | null {
  if (!x509Cache.has(cert.der)) {
    let parsed: X509Certificate | null = null;
    try {
      parsed = new X509Certificate(cert.der);
    } catch {
      parsed = null;
    }
    x509Cache.set(cert.der, parsed);
  }
  return x509Cache.get(cert.der) ?? null;
}

/** Whether `issuer` issued `child`: names match and the signature verifies with the issuer's key. */
export function isIssuedBy(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (!child.issuerRaw.equals(issuer.subjectRaw)) {
    // Names can differ in encoding only (PrintableString vs UTF8String); let OpenSSL compare them.
    const c = x509(child);
    const i = x509(issuer);
    if (!c || !i || !c.checkIssued(i)) return false;
  }
  const c = x509(child);
  const i = x509(issuer);
  if (!c || !i) return false;
  try {
    return c.verify(i.publicKey);
  } catch {
    return false;
  }
}

function link(cert: ParsedCertificate, source: 'file' | 'anchor', now: Date): ChainLink {
  const { info } = cert;
  return {
    subjectDn: info.subjectDn,
    issuerDn: info.issuerDn,
    serialNumber: info.serialNumber,
    fingerprintSha256: info.fingerprintSha256,
    notAfter: info.notAfter,
    validity: validityState(info, now),
    source,
  };
}

/**
 * Builds the chain for `leaf` from the other certificates in the file and the trust anchors.
 * Anchors are preferred at each step, so a chain that reaches a shipped certificate (root or
 * intermediate) is 'trusted' even when the file carries its own copy of the root.
 */
export function buildChain(leaf: ParsedCertificate, pool: readonly ParsedCertificate[], anchors: readonly TrustAnchor[], now = new Date()): ChainReport {
  const links: ChainLink[] = [link(leaf, 'file', now)];
  const used = new Set<Buffer>([leaf.der]);
  const isAnchor = (c: ParsedCertificate) => anchors.find((a) => a.cert.der.equals(c.der));
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const same = isAnchor(current);
    if (same) return { status: 'trusted', links, anchor: same.source, problem: null };
    const anchor = anchors.find((a) => isIssuedBy(current, a.cert));
    if (anchor) {
      if (!anchor.cert.der.equals(current.der)) links.push(link(anchor.cert, 'anchor', now));
      return { status: 'trusted', links, anchor: anchor.source, problem: null };
    }
    if (current.info.selfIssued && isIssuedBy(current, current)) {
      return {
        status: 'untrusted-root',
        links,
        anchor: null,
        problem: `The chain ends at "${current.info.subject.CN ?? current.info.subjectDn}", a root certificate this program does not ship as trusted.`,
      };
    }
    const next = pool.find((c) => !used.has(c.der) && isIssuedBy(current, c));
    if (!next) break;
    used.add(next.der);
    links.push(link(next, 'file', now));
    current = next;
  }
  return {
    status: 'incomplete',
    links,
    anchor: null,
    problem: `The issuer of "${current.info.subject.CN ?? current.info.subjectDn}" (${current.info.issuerDn}) is neither in the file nor among the trusted certificates.`,
  };
}
