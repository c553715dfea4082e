/**
 * The card view's data, as the card service produces it. The IPC contract
 * (preload/contract.ts) mirrors these shapes with zod; main/ipc/handlers.ts makes the compiler
 * check that they agree.
 */
import type { CertificateInfo, Purpose } from '../pki/certificate';
import type { IdentityNumber } from '../pki/identity';
import type { ErrorPayload } from '../errors';

/** PIN state read from the token flags, shown before the user types. */
export interface PinStatus {
  /** CKF_USER_PIN_INITIALIZED: false on a fresh token without a user PIN. */
  initialized: boolean;
  countLow: boolean;
  finalTry: boolean;
  locked: boolean;
  toBeChanged: boolean;
  soLocked: boolean;
  /** Tries left when the flags tell it exactly (final try = 1); null when unknown. */
  triesLeft: number | null;
  minLength: number;
  maxLength: number;
  /** A PIN pad reader: the PIN is typed on the reader, not in the app. */
  protectedAuthenticationPath: boolean;
}

/** One e-ID on a token: a certificate and, where visible, its key. */
export interface CardEid {
  /** CKA_ID in upper-case hex: links certificate and key objects. */
  id: string;
  label: string;
  holder: string;
  organisation: string | null;
  notBefore: string;
  notAfter: string;
  validity: 'valid' | 'expired' | 'not-yet-valid';
  assuranceLevel: number | null;
  identity: IdentityNumber | null;
  upn: string[];
  emails: string[];
  purposes: Purpose[];
  /** True when a key object with the same CKA_ID is visible without login; null when the token hides keys until login. */
  keyPresent: boolean | null;
  /** For an authentication e-ID: does the card hold a signing certificate for the same holder ("Finns"/"Saknas")? null for signing e-IDs. */
  signingCertificate: 'present' | 'missing' | null;
  certificate: CertificateInfo;
}

/** A token (one PIN's worth of a card). */
export interface TokenView {
  /** Stable key for the UI and the CLI: module path + slot + token serial. */
  key: string;
  slotId: string;
  slotDescription: string;
  label: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  /** Marked when the token is the development demo card. */
  demo: boolean;
  pin: PinStatus;
  eids: CardEid[];
}

/** A module and what it shows, or why it could not be loaded. */
export interface ModuleView {
  path: string;
  name: string;
  source: 'detected' | 'configured';
  status: 'ok' | 'error';
  error: ErrorPayload | null;
  manufacturer: string | null;
  description: string | null;
  libraryVersion: string | null;
  /** Slots with an initialised token (uninitialised tokens are skipped). */
  tokens: TokenView[];
  /** Number of slots, including empty ones (diagnostics). */
  slotCount: number;
}

/** Everything the card view shows. */
export interface CardSnapshot {
  modules: ModuleView[];
  /** ISO time of the scan. */
  scannedAt: string;
}
