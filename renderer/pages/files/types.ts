/**
 * Shapes the "E-IDs on file" page and the import wizard work with, taken from the bridge contract
 * so a change in main's answers shows up here as a type error instead of a blank field.
 */
import type { ResponseOf } from '../../../preload/contract';

/** What `p12:inspect` says is inside a file. */
export type P12Report = ResponseOf<'p12:inspect'>;
/** One certificate of the file, as inspection describes it. */
export type P12Certificate = P12Report['certificates'][number];
/** The answer of `p12:import`. */
export type ImportResult = ResponseOf<'p12:import'>;
/** The keystore PIN rules (`keystore:pin-rules`). */
export type PinRules = ResponseOf<'keystore:pin-rules'>;
/** A rule id as main names it; the renderer translates by id. */
export type PinRuleId = PinRules['rules'][number]['id'];
/** This computer's certificate store (`os-store:info`). */
export type OsStoreInfo = ResponseOf<'os-store:info'>;
/** An older certificate of the same identity in the certificate store, with its removal preview. */
export type OlderCertificate = ResponseOf<'os-store:older'>['older'][number];
/** The answer of `keystore:list`. */
export type KeystoreList = ResponseOf<'keystore:list'>;
/** One e-ID in the keystore. */
export type KeystoreEntry = KeystoreList['entries'][number];
/** A keystore file that cannot be read. */
export type DamagedEntry = KeystoreList['damaged'][number];
/** Where an e-ID was installed. */
export type InstallRecord = KeystoreEntry['installs'][number];
/** The kinds of OS certificate store. */
export type OsStoreKind = OsStoreInfo['kind'];
/** A key request or e-ID in the keystore whose key a certificates-only file was issued for. */
export type Pairable = P12Report['pairable'][number];
/** The answer of `keystore:requests`. */
export type KeyRequestList = ResponseOf<'keystore:requests'>;
/** A key request waiting for its certificate (an order made with a CSR). */
export type KeyRequest = KeyRequestList['requests'][number];
/** The answer of `keystore:create-request`: the new request and its CSR. */
export type CreatedRequest = ResponseOf<'keystore:create-request'>;
/** The answer of `keystore:pair`. */
export type PairResponse = ResponseOf<'keystore:pair'>;
/** Key algorithms a request can be made for. */
export type RequestAlgorithm = KeyRequest['algorithm'];
/** Wrong-PIN state of an e-ID or a key request. */
export type PinState = KeystoreEntry['pin'];

/**
 * An error as the UI keeps it: the stable code (translated), main's English message (the fallback)
 * and its non-secret details (retryAfterSeconds, the rule a PIN broke, an id).
 */
export interface UiError {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** Turns anything a bridge call threw into a UiError (BridgeErrors keep their code). */
export function toUiError(err: unknown): UiError {
  const e = err as { code?: unknown; message?: unknown; details?: UiError['details'] } | null;
  const code = typeof e?.code === 'string' ? e.code : 'internal';
  const message = typeof e?.message === 'string' ? e.message : '';
  return e?.details ? { code, message, details: e.details } : { code, message };
}
