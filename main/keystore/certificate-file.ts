/**
 * Certificates delivered for a key made here (an order made with a CSR, seed 003; EST's
 * simpleenroll; a CA's download page), read from whatever the issuer hands out:
 * - a certificate, DER (.cer/.crt) or PEM (.pem/.crt, any number of blocks);
 * - a certs-only PKCS#7 / CMS SignedData (.p7b/.p7c), DER or PEM ("-----BEGIN PKCS7-----"),
 *   or bare base64 as EST returns it (RFC 7030, application/pkcs7-mime without armour).
 * PKCS#12 files are not read here (they need their password and main/pkcs12); one handed in by
 * mistake is recognised and named, so the user can choose it as what it is.
 *
 * The input comes from strangers: the size and the number of certificates are bounded before
 * anything is decoded, only main/pki/der.ts walks the bytes, and every certificate is parsed
 * once here, so anything hostile ends as 'malformed' (or 'too-large'), never as a crash later.
 */
import { EidError } from '../errors';
import * as der from '../pki/der';
import { parseCertificate } from '../pki/certificate';

/** Largest certificate file accepted: a chain of a few certificates is 2-10 kB; this is 100x that. */
export const MAX_CERTIFICATE_FILE_BYTES = 1024 * 1024;
/** Most certificates accepted from one file (a leaf and a handful of CAs is what issuers send). */
export const MAX_CERTIFICATES = 32;

/** How the certificates were packed, for messages and support. */
export type CertificateFileKind = 'pem' | 'der-certificate' | 'pkcs7-der' | 'pkcs7-pem' | 'pkcs7-base64';

/** The certificates of one file, DER, in file order. */
export interface CertificateFile {
  kind: CertificateFileKind;
  certificates: Buffer[];
}

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const PEM_BLOCK_RE = /-----BEGIN ([A-Z0-9 ]{1,40})-----([\s\S]*?)-----END \1-----/g;
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'CMS', 'CERTIFICATE CHAIN']);

function malformed(message: string, details?: Record<string, string | number>): EidError {
  return new EidError('malformed', message, details);
}

/** Whether bytes are a PKCS#12 PFX (SEQUENCE { INTEGER 3, ContentInfo, ... }): to route a file, not to trust it. */
export function looksLikePkcs12(data: Buffer): boolean {
  try {
    const [version, authSafe] = der.seq(der.readTlv(data, 0), 'pfx');
    return version?.tag === der.Tag.INTEGER && version.value.length === 1 && version.value[0] === 3 && authSafe?.tag === der.Tag.SEQUENCE;
  } catch {
    return false;
  }
}

function checkCertificate(certDer: Buffer, index: number): Buffer {
  try {
    parseCertificate(certDer);
  } catch (err) {
    if (err instanceof EidError) throw err;
    throw malformed(`Certificate ${index + 1} in the file is damaged and cannot be read. Download the certificate again.`, { certificate: index + 1 });
  }
  return Buffer.from(certDer);
}

/** The certificates of a DER ContentInfo holding SignedData; other CertificateChoices (attribute certificates) are skipped. */
function certificatesOfPkcs7(node: der.DerNode): Buffer[] {
  const [typeNode, content] = der.seq(node, 'ContentInfo');
  const type = der.readOid(typeNode, 'contentType');
  if (type !== OID_SIGNED_DATA) throw malformed(`The PKCS#7 file holds ${type}, not certificates (SignedData). Download the certificate again.`);
  if (!content || content.tag !== 0xa0) throw new der.DerError('SignedData content missing');
  const [signedData] = der.children(content);
  const items = der.seq(signedData, 'SignedData');
  // version, digestAlgorithms, encapContentInfo, then [0] certificates, [1] crls, signerInfos.
  const certSet = items.slice(3).find((n) => n.tag === 0xa0);
  if (!certSet) return [];
  const out: Buffer[] = [];
  for (const choice of der.children(certSet)) {
    if (choice.tag !== der.Tag.SEQUENCE) continue;
    if (out.length >= MAX_CERTIFICATES) throw tooMany();
    out.push(Buffer.from(choice.raw));
  }
  return out;
}

function tooMany(): EidError {
  return new EidError('too-large', `The file holds more than ${MAX_CERTIFICATES} certificates; an issuer sends a certificate and a few CA certificates. Check that you chose the right file.`, {
    limit: MAX_CERTIFICATES,
  });
}

/** DER: one certificate, or a PKCS#7 ContentInfo. */
function fromDer(bytes: Buffer, pkcs7Kind: CertificateFileKind): CertificateFile {
  if (looksLikePkcs12(bytes)) {
    throw malformed('This is a PKCS#12 (.p12/.pfx) file, not a certificate file. Choose it as a .p12 file and give its password.', { kind: 'pkcs12' });
  }
  const top = der.decode(bytes);
  const [first] = der.seq(top, 'outer');
  if (first?.tag === der.Tag.OID) return { kind: pkcs7Kind, certificates: certificatesOfPkcs7(top) };
  return { kind: 'der-certificate', certificates: [bytes] };
}

function fromPem(text: string): CertificateFile {
  const certificates: Buffer[] = [];
  let sawPkcs7 = false;
  let blocks = 0;
  for (const m of text.matchAll(PEM_BLOCK_RE)) {
    if (++blocks > MAX_CERTIFICATES * 2) throw tooMany();
    const label = m[1];
    // Encapsulated headers ("Proc-Type: ...") hold a colon, base64 never does.
    const body = m[2]
      .split(/\r?\n/)
      .filter((l) => !l.includes(':'))
      .join('')
      .replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw malformed(`A "${label}" block in the file is not valid base64. Download the certificate again.`);
    const bytes = Buffer.from(body, 'base64');
    if (CERT_LABELS.has(label)) certificates.push(bytes);
    else if (PKCS7_LABELS.has(label)) {
      sawPkcs7 = true;
      certificates.push(...fromDer(bytes, 'pkcs7-pem').certificates);
    }
    // Other blocks (a private key, a CSR, parameters) are not certificates: left alone.
    if (certificates.length > MAX_CERTIFICATES) throw tooMany();
  }
  return { kind: sawPkcs7 ? 'pkcs7-pem' : 'pem', certificates };
}

/**
 * Reads the certificates of a certificate file (see the module comment). Throws 'too-large' for
 * an oversized file or too many certificates, 'no-certificate' when there is none, and
 * 'malformed' for anything that is not what it claims (with `details.kind = 'pkcs12'` when it is
 * a PKCS#12 file).
 */
export function readCertificateFile(data: Buffer): CertificateFile {
  if (data.length > MAX_CERTIFICATE_FILE_BYTES) {
    throw new EidError('too-large', `The file is ${data.length} bytes; a certificate file is a few kilobytes. Check that you chose the right file.`, {
      size: data.length,
      limit: MAX_CERTIFICATE_FILE_BYTES,
    });
  }
  if (data.length === 0) throw malformed('The file is empty. Download the certificate again.');
  let file: CertificateFile;
  try {
    const head = data.subarray(0, Math.min(data.length, 4096)).toString('latin1');
    if (data[0] === 0x30) file = fromDer(data, 'pkcs7-der');
    else if (head.includes('-----BEGIN ')) file = fromPem(data.toString('latin1'));
    else {
      const text = data.toString('latin1').replace(/\s+/g, '');
      if (text.length < 16 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
        throw malformed('The file is neither a certificate (.cer, .crt, .pem) nor a PKCS#7 certificate file (.p7b, .p7c). Download the certificate again.');
      }
      file = fromDer(Buffer.from(text, 'base64'), 'pkcs7-base64');
    }
  } catch (err) {
    if (err instanceof EidError) throw err;
    throw malformed('The file is damaged or not a certificate file (.cer, .crt, .pem, .p7b, .p7c). Download the certificate again.');
  }
  if (file.certificates.length === 0) {
    throw new EidError('no-certificate', 'The file holds no certificate. Download the certificate again; the issuer may not have issued it yet.');
  }
  if (file.certificates.length > MAX_CERTIFICATES) throw tooMany();
  return { kind: file.kind, certificates: file.certificates.map(checkCertificate) };
}
