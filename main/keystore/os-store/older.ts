/**
 * Finding older certificates of the same identity in an OS store (seed 003: "check that it is the
 * valid certificate and not an old one; if an old one is there, remove it and try again").
 * Shared by every installer so the rule is the same everywhere.
 */
import type { CertificateInfo } from '../../pki/certificate';
import type { InstalledCert, OlderCertificate, OlderReason, OsStoreKind, RemovalPreview } from './types';

/**
 * Same identity: the same subject serialNumber (HSA-id, tjänsteidentitetsnummer... survives a name
 * change) or, failing that, the same subject DN. Older: issued before the target (notBefore
 * earlier; on a tie, expiring earlier). CA certificates are never offered.
 */
export function findOlderIn(certs: InstalledCert[], target: CertificateInfo, location: string, now = new Date()): OlderCertificate[] {
  const out: OlderCertificate[] = [];
  const targetSerial = target.subject.serialNumber;
  for (const c of certs) {
    const info = c.info;
    if (info.fingerprintSha256 === target.fingerprintSha256 || info.isCA) continue;
    let reason: OlderReason | null = null;
    if (targetSerial && info.subject.serialNumber === targetSerial) reason = 'same-identity-number';
    else if (info.subjectDn === target.subjectDn) reason = 'same-subject';
    if (!reason) continue;
    const older = info.notBefore < target.notBefore || (info.notBefore === target.notBefore && info.notAfter < target.notAfter);
    if (!older) continue;
    out.push({ certificate: c, reason, preview: preview(c, location, now) });
  }
  return out.sort((a, b) => a.certificate.info.notBefore.localeCompare(b.certificate.info.notBefore));
}

/** The preview shown before removing a certificate. */
export function preview(c: InstalledCert, location: string, now = new Date()): RemovalPreview {
  const info = c.info;
  const holder = info.subject.CN ?? info.subjectDn;
  const issuer = info.issuer.CN ?? info.issuerDn;
  const expired = new Date(info.notAfter) < now;
  const keyText = c.hasPrivateKey === true ? ' and its private key' : c.hasPrivateKey === null ? ' (and its private key, if the store holds it)' : '';
  return {
    store: c.store,
    location,
    holder,
    issuer,
    identityNumber: info.subject.serialNumber ?? null,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    expired,
    fingerprintSha256: info.fingerprintSha256,
    removesPrivateKey: c.hasPrivateKey,
    summary: `Remove the certificate for ${holder} issued by ${issuer}, valid ${info.notBefore.slice(0, 10)} to ${info.notAfter.slice(0, 10)}${expired ? ' (expired)' : ''}${keyText}, from ${storeName(c.store)} ${location}.`,
  };
}

function storeName(kind: OsStoreKind): string {
  return kind === 'nss' ? 'the NSS database' : kind === 'windows-my' ? 'the Windows certificate store' : 'the keychain';
}
