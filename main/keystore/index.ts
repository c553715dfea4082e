/**
 * The keystore of e-IDs on file and the OS-store installers. Public surface for the app, the
 * CLI and the bridge. Nothing exported here returns private key bytes.
 */
export { Keystore, DEFAULT_SCRYPT } from './keystore';
export type { AddInput, DamagedEntry, KeystoreEntry, KeystoreOptions, PinStatus, SecretProtector, SelfTestResult, SignatureAlgorithm, UnlockedEid } from './keystore';
export type { KeystoreRequest, PairOptions, PairResult, PairableMatch, RequestInput } from './keystore';
export { PIN_RULES, PIN_MIN_LENGTH, PIN_MAX_LENGTH, checkPin, type PinRule } from './pin-rules';
export { keystoreDir, defaultKeystoreDir } from './paths';
export { FORMAT_VERSION, type EntrySource, type InstallRecord, type OsStoreKind } from './format';
export { REQUEST_ALGORITHMS, REQUEST_FORMAT_VERSION, type RequestAlgorithm } from './format';
export { MAX_CERTIFICATE_FILE_BYTES, looksLikePkcs12, readCertificateFile, type CertificateFile, type CertificateFileKind } from './certificate-file';
export { FREE_ATTEMPTS, delayAfter } from './throttle';
