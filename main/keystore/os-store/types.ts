/**
 * The shape every OS-store installer has, so the wizard, the CLI and the keystore treat Windows,
 * macOS and NSS alike: is it there, install, list, find older certificates of the same identity
 * (seed 003: "if an old one is there, remove it and try again"), remove one.
 */
import type { CertificateInfo } from '../../pki/certificate';
import type { OsStoreKind } from '../format';

export type { OsStoreKind } from '../format';

/**
 * What an installer needs. The key goes in and never comes back out: installers put it into the
 * OS store as non-exportable and forget it. Callers zero `pkcs8` after the call.
 */
export interface InstallMaterial {
  /** DER PrivateKeyInfo. */
  pkcs8: Buffer;
  /** DER certificates, leaf first. */
  chain: Buffer[];
  /** Shown in the store (NSS nickname, keychain label). */
  friendlyName: string;
}

/** A certificate as found in an OS store. */
export interface InstalledCert {
  store: OsStoreKind;
  /** Colon-separated upper-case SHA-256 hex, as CertificateInfo has it: the handle for remove(). */
  fingerprintSha256: string;
  /** The store's own name for it: NSS nickname, Windows thumbprint (SHA-1), keychain SHA-1. */
  reference: string;
  /** Whether the store holds the private key for it; null when the store cannot tell cheaply. */
  hasPrivateKey: boolean | null;
  info: CertificateInfo;
}

/** Why a stored certificate counts as an older one of the same identity. */
export type OlderReason = 'same-identity-number' | 'same-subject';

/** An older certificate offered for removal, with what removal will do (shown before asking). */
export interface OlderCertificate {
  certificate: InstalledCert;
  reason: OlderReason;
  preview: RemovalPreview;
}

/** A plain description of a removal, for the confirmation dialog and `--json`. */
export interface RemovalPreview {
  store: OsStoreKind;
  location: string;
  holder: string;
  issuer: string;
  identityNumber: string | null;
  notBefore: string;
  notAfter: string;
  expired: boolean;
  fingerprintSha256: string;
  removesPrivateKey: boolean | null;
  /** One English sentence; the renderer builds its own from the fields. */
  summary: string;
}

/** One OS store. */
export interface OsStoreInstaller {
  readonly kind: OsStoreKind;
  /** Human-readable place: the NSS directory, 'CurrentUser\\My', the keychain path. */
  readonly location: string;
  /** Whether the store and its tools exist here. */
  available(): Promise<boolean>;
  /** Installs key and chain (key non-exportable); resolves with the leaf as now in the store. */
  install(material: InstallMaterial): Promise<InstalledCert>;
  /** Certificates in the store (user certificates; for NSS every certificate in the DB). */
  list(): Promise<InstalledCert[]>;
  /** Removes the certificate with this SHA-256 fingerprint and its private key, if the store has it. */
  remove(fingerprintSha256: string): Promise<void>;
  /** Older certificates of the same identity as `sameIdentityAs` (excluding that certificate). */
  findOlder(sameIdentityAs: CertificateInfo): Promise<OlderCertificate[]>;
}
