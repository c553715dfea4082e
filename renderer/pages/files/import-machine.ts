/**
 * The "Import e-ID from file" wizard as a pure state machine: steps, transitions and guards, with
 * no React, no DOM and no bridge, so every path (a wrong password, a certificates-only file, a
 * failed import) is unit-tested on its own and the step components stay dumb.
 *
 * Secrets never enter this state. The file's password and the chosen keystore PIN are held by
 * the wizard host for as long as the machine says they are needed (`hasPassword`, `hasPin`); the
 * machine only decides when that ends: the host drops them whenever a flag turns false. Events that
 * need to judge a PIN (SUBMIT_PIN) carry it for the guard, and it is not copied into the state.
 *
 * Async work (inspect, import, loading rules and the store) is started by the host; the machine
 * hands out a request number when it accepts the start and ignores answers with another number, so
 * a late answer after Back or Cancel cannot move the wizard, and nothing can be submitted twice.
 *
 * Pairing (an order made with a CSR, seed 003: the certificate arrives without its key, which
 * eID Desk made and kept) runs through the same machine in "pair mode", always from
 * 'certificates-only' and only when inspection names a key here (`report.pairable`) and the
 * certificate can be paired (`pairRefusal`). A certificates-only .p12 gets there after its
 * password; a certificate file (.cer/.crt/.pem/.p7b/.p7c) has no password and is inspected
 * (`certificate:inspect`) straight from 'pick', so the user sees what it holds, which key it
 * belongs to, or that no key here does, before typing any PIN. 'pair-pin' asks the PIN of that
 * key (chosen when the request was made; it is not checked against the rules again), then
 * 'targets' (with the older certificates of the leaf in the OS store) and 'installing' are shared
 * with the import, with the keystore always on.
 */
import { CERTIFICATE_FILE_MAX_BYTES, P12_MAX_BYTES } from '../../../preload/channels/files';
import { pinProblems, type PinProblem } from './pin-check';
import type { ImportResult, KeyRequest, KeystoreEntry, OlderCertificate, OsStoreInfo, P12Report, Pairable, PairResponse, PinRules, UiError } from './types';

/**
 * Step ids. 'certificates-only' is the detour for a file without a key; 'pair-pin' asks the PIN
 * of the key a certificate is paired with.
 */
export type StepId = 'pick' | 'password' | 'contents' | 'certificates-only' | 'pair-pin' | 'pin' | 'targets' | 'installing' | 'done' | 'error';

/** The steps shown in the progress list, in order (error and certificates-only are detours). */
export const PROGRESS_STEPS: readonly StepId[] = ['pick', 'password', 'contents', 'pin', 'targets', 'installing', 'done'];

/** The progress list of a certificate file: no password; 'pin' is the key's PIN, 'installing' the pairing. */
export const CERTIFICATE_PROGRESS_STEPS: readonly StepId[] = ['pick', 'contents', 'pin', 'targets', 'installing', 'done'];

/** File extensions a PKCS#12 e-ID file arrives with. */
export const P12_EXTENSIONS: readonly string[] = ['.p12', '.pfx'];

/**
 * File extensions of a certificate delivered for a CSR: DER or PEM (.cer/.crt/.pem) or a
 * certs-only PKCS#7 (.p7b/.p7c). Main reads every one of them (main/keystore/certificate-file.ts).
 */
export const CERTIFICATE_EXTENSIONS: readonly string[] = ['.cer', '.crt', '.pem', '.p7b', '.p7c'];

/** What kind of file a name says it is: a PKCS#12 e-ID, a certificate, or neither. */
export function fileKind(name: string): 'p12' | 'certificate' | null {
  const n = name.toLowerCase();
  if (P12_EXTENSIONS.some((ext) => n.endsWith(ext))) return 'p12';
  if (CERTIFICATE_EXTENSIONS.some((ext) => n.endsWith(ext))) return 'certificate';
  return null;
}

/** Why a certificates-only file cannot be paired here, judged on its inspection before any PIN. */
export type PairRefusal = 'already-in-keystore' | 'no-key-here' | 'ca-certificate' | 'expired' | 'not-yet-valid';

/** A file as picked, before reading it. */
export interface FileMeta {
  readonly name: string;
  readonly size: number;
}

/** A file read into memory: its bytes as base64, as the bridge carries them. */
export interface PickedFile extends FileMeta {
  readonly data: string;
}

/** Why a file was refused before it was read. */
export type FileProblem = 'wrong-type' | 'too-large' | 'empty' | 'several' | 'unreadable';

/** The error step's content: what failed, in which phase, and where "back" leads. */
export interface WizardError extends UiError {
  readonly phase: 'inspect' | 'import' | 'pair';
  readonly returnTo: StepId;
}

/** The keys in the keystore a certificate can be paired with, as the pairing steps show them. */
export interface KeyHolders {
  readonly requests: readonly KeyRequest[];
  readonly entries: readonly KeystoreEntry[];
}

/** What a finished pairing did beyond what the done step shows for an import. */
export interface PairedInfo {
  /** A key request became the new e-ID (and is gone). */
  readonly replacedRequest: boolean;
  /** The e-ID whose key the certificate renews, if so. */
  readonly renewalOf: string | null;
  /** The request or e-ID inspection named, which main paired with. */
  readonly with: Pairable | null;
}

/** Which stores the user chose. */
export interface Targets {
  readonly keystore: boolean;
  readonly osStore: boolean;
}

/** The whole wizard state. Plain data: no secrets, nothing that cannot be shown in a test diff. */
export interface ImportState {
  readonly step: StepId;
  readonly file: PickedFile | null;
  readonly fileProblem: FileProblem | null;
  /** Number of the request in flight (inspect, import or pairing), or null. A certificate file is inspected on 'pick'. */
  readonly pending: number | null;
  /** Last request number handed out. */
  readonly seq: number;
  /** The password step's message after a wrong password (or another inspect failure shown there). */
  readonly passwordError: UiError | null;
  /** The last password sent had spaces around it that were removed (the UI says so). */
  readonly passwordTrimmed: boolean;
  /** The host holds the file's password for the import. */
  readonly hasPassword: boolean;
  readonly report: P12Report | null;
  readonly pinRules: PinRules | null;
  readonly pinRulesError: UiError | null;
  /** What is wrong with the PINs the user last submitted (never the PINs themselves). */
  readonly pinProblems: readonly PinProblem[] | null;
  /** The PIN step's message after main refused the PIN on import. */
  readonly pinError: UiError | null;
  /** The host holds the chosen keystore PIN for the import. */
  readonly hasPin: boolean;
  readonly store: OsStoreInfo | null;
  readonly older: readonly OlderCertificate[];
  readonly storeError: UiError | null;
  readonly targets: Targets;
  /** The user changed a checkbox, so loading the store must not reset the choice. */
  readonly targetsTouched: boolean;
  /** Fingerprints of older certificates to remove. */
  readonly removeOlder: readonly string[];
  readonly result: ImportResult | null;
  readonly error: WizardError | null;
  /** Pairing a certificate with a key in the keystore, instead of importing an e-ID. */
  readonly pairMode: boolean;
  /** The key inspection says the certificate belongs to (sent to main as `target`: the first it lists). */
  readonly pairWith: Pairable | null;
  /** Requests and e-IDs of the keystore, to name the key and show its wrong-PIN state. */
  readonly keyHolders: KeyHolders | null;
  readonly keyHoldersError: UiError | null;
  /** The pairing was refused for the key's PIN (pin-incorrect, throttled): shown on 'pair-pin'. */
  readonly pairPinError: UiError | null;
  /** What a finished pairing did (with `result` for the rest). */
  readonly paired: PairedInfo | null;
}

/** Everything that can happen to the wizard. */
export type ImportEvent =
  | { type: 'FILE_REFUSED'; problem: FileProblem }
  | { type: 'FILE_READ'; file: PickedFile }
  | { type: 'SUBMIT_PASSWORD'; trimmed: boolean }
  | { type: 'INSPECT_DONE'; request: number; report: P12Report }
  | { type: 'INSPECT_FAILED'; request: number; error: UiError }
  | { type: 'NEXT' }
  | { type: 'PIN_RULES_LOADED'; rules: PinRules }
  | { type: 'PIN_RULES_FAILED'; error: UiError }
  | { type: 'SUBMIT_PIN'; pin: string; confirm: string }
  | { type: 'STORE_LOADED'; store: OsStoreInfo; older: readonly OlderCertificate[] }
  | { type: 'STORE_FAILED'; error: UiError }
  | { type: 'SET_TARGET'; target: keyof Targets; on: boolean }
  | { type: 'SET_REMOVE_OLDER'; fingerprint: string; on: boolean }
  | { type: 'INSTALL' }
  | { type: 'INSTALL_DONE'; request: number; result: ImportResult }
  | { type: 'INSTALL_FAILED'; request: number; error: UiError }
  | { type: 'PAIR' }
  | { type: 'KEYS_LOADED'; holders: KeyHolders }
  | { type: 'KEYS_FAILED'; error: UiError }
  | { type: 'SUBMIT_PAIR_PIN'; pin: string }
  | { type: 'PAIR_DONE'; request: number; result: PairResponse; removed: readonly string[]; removeFailed: ImportResult['removeFailed'] }
  | { type: 'PAIR_FAILED'; request: number; error: UiError }
  | { type: 'BACK' }
  | { type: 'RECOVER' }
  | { type: 'RESTART' };

/** The state a wizard starts in. */
export const initialState: ImportState = Object.freeze({
  step: 'pick',
  file: null,
  fileProblem: null,
  pending: null,
  seq: 0,
  passwordError: null,
  passwordTrimmed: false,
  hasPassword: false,
  report: null,
  pinRules: null,
  pinRulesError: null,
  pinProblems: null,
  pinError: null,
  hasPin: false,
  store: null,
  older: [],
  storeError: null,
  targets: { keystore: true, osStore: false },
  targetsTouched: false,
  removeOlder: [],
  result: null,
  error: null,
  pairMode: false,
  pairWith: null,
  keyHolders: null,
  keyHoldersError: null,
  pairPinError: null,
  paired: null,
}) as ImportState;

// ---------------------------------------------------------------------------------------------
// Guards (exported: the step components use the same answers to enable their buttons)

/** Why a file cannot be used, judged on its name and size alone (before reading a byte). */
export function fileRefusal(file: FileMeta): FileProblem | null {
  const kind = fileKind(file.name);
  if (!kind) return 'wrong-type';
  if (file.size === 0) return 'empty';
  if (file.size > (kind === 'p12' ? P12_MAX_BYTES : CERTIFICATE_FILE_MAX_BYTES)) return 'too-large';
  return null;
}

/** Whether the picked file is a certificate file (no password; it can only be paired). */
export function isCertificateFile(s: Pick<ImportState, 'file'>): boolean {
  return !!s.file && fileKind(s.file.name) === 'certificate';
}

/** The progress list for this state: a certificate file has no password step. */
export function progressSteps(s: Pick<ImportState, 'file'>): readonly StepId[] {
  return isCertificateFile(s) ? CERTIFICATE_PROGRESS_STEPS : PROGRESS_STEPS;
}

/**
 * Whether the progress list names the pairing steps ("Key PIN", "Pairing") rather than the
 * import's: in pair mode, after a refused pairing, and for any file that can only be paired (a
 * certificate file, or a .p12 with certificates only) from the moment that is known.
 */
export function pairingFlow(s: Pick<ImportState, 'file' | 'pairMode' | 'error' | 'report'>): boolean {
  return s.pairMode || s.error?.phase === 'pair' || isCertificateFile(s) || s.report?.certificatesOnly === true;
}

/**
 * Why a certificates-only file cannot be paired here, from its inspection, so it is said before
 * any PIN is typed: the certificate is already an e-ID here, no key here belongs to it (it is
 * where the CSR was made), or main would refuse it anyway (a CA certificate, expired, not yet
 * valid: the same checks as Keystore.pair). Null when it can be paired.
 */
export function pairRefusal(report: P12Report | null): PairRefusal | null {
  if (!report || !report.leaf) return 'no-key-here';
  if (report.inKeystore) return 'already-in-keystore';
  if (report.pairable.length === 0) return 'no-key-here';
  if (report.leaf.isCA) return 'ca-certificate';
  if (report.leaf.validity !== 'valid') return report.leaf.validity;
  return null;
}

/**
 * Whether the certificates-only step can offer pairing: inspection named a key here, the
 * certificate can be paired, and the file's password is held (a certificate file has none).
 */
export function canPair(s: ImportState): boolean {
  return s.step === 'certificates-only' && s.pending === null && (s.hasPassword || isCertificateFile(s)) && pairRefusal(s.report) === null;
}

/**
 * The password as it is sent: surrounding spaces, tabs and line breaks removed (they come with
 * copying from a PIN letter in a mail or PDF; seed 003 warns about exactly that). Spaces inside
 * are kept: they may belong to the password.
 */
export function normalisePassword(raw: string): { value: string; trimmed: boolean } {
  const value = raw.trim();
  return { value, trimmed: value !== raw };
}

/** Whether the file holds something this wizard can install (a key with its certificate). */
export function canInstallReport(report: P12Report | null): boolean {
  return !!report && !report.certificatesOnly && !report.keyOnly && !report.keyMismatch && report.leaf !== null && report.pairs.length > 0;
}

/** Why the Install (or Pair) button is not available yet, or null when it is. */
export function installBlocker(
  s: ImportState,
): 'busy' | 'no-target' | 'no-pin' | 'no-key-pin' | 'no-password' | 'store-unavailable' | 'already-in-keystore' | 'cannot-install' | null {
  if (s.pending !== null) return 'busy';
  if (s.pairMode) {
    // The keystore always takes a paired e-ID (the key is there); the OS store is optional.
    if (!s.hasPin) return 'no-key-pin';
    if (s.file && fileKind(s.file.name) === 'p12' && !s.hasPassword) return 'no-password';
    if ((s.targets.osStore || s.removeOlder.length > 0) && !s.store?.available) return 'store-unavailable';
    return null;
  }
  if (!canInstallReport(s.report)) return 'cannot-install';
  if (!s.hasPassword) return 'no-password';
  if (s.targets.keystore && s.report?.inKeystore) return 'already-in-keystore';
  if (!s.targets.keystore && !s.targets.osStore) return 'no-target';
  if (s.targets.keystore && !s.hasPin) return 'no-pin';
  if ((s.targets.osStore || s.removeOlder.length > 0) && !s.store?.available) return 'store-unavailable';
  return null;
}

/** Whether older certificates can be chosen for removal (the store must be usable). */
export function canChooseOlder(s: ImportState): boolean {
  return s.store?.available === true && s.older.length > 0;
}

/**
 * Where the user goes back to after a failed step, so they fix the right thing: the password for
 * a wrong password, the PIN for a PIN main refused, the file for a file that is broken, the places
 * for a store that failed. Exported so the error screen can name the step on its button.
 */
export function returnStepFor(code: string, phase: WizardError['phase']): StepId {
  if (phase === 'pair') return pairReturnStep(code);
  switch (code) {
    case 'bad-password':
      return 'password';
    case 'pin-invalid':
    case 'pin-len-range':
      return phase === 'import' ? 'pin' : 'password';
    case 'already-exists':
      return 'contents';
    case 'malformed':
    case 'unsupported':
    case 'too-large':
    case 'too-costly':
    case 'no-private-key':
    case 'no-certificate':
    case 'key-mismatch':
      return 'pick';
    default:
      return phase === 'import' ? 'targets' : 'password';
  }
}

/**
 * Where a failed pairing leads: the key's PIN for a wrong or throttled PIN (answered on that step
 * itself), the password for a wrong one, the places for a store that failed, and a new file for
 * everything about the certificate: no key here for it, already paired, expired or not yet
 * valid, a CA certificate, several keys, a complete e-ID (details.reason of 'validation').
 */
function pairReturnStep(code: string): StepId {
  switch (code) {
    case 'pin-incorrect':
    case 'throttled':
      return 'pair-pin';
    case 'bad-password':
      return 'password';
    case 'no-matching-key':
    case 'already-exists':
    case 'validation':
    case 'not-found':
    case 'malformed':
    case 'unsupported':
    case 'too-large':
    case 'too-costly':
    case 'no-certificate':
    case 'key-mismatch':
      return 'pick';
    default:
      return 'targets';
  }
}

// ---------------------------------------------------------------------------------------------
// Transitions

const SECRET_STEPS_PASSWORD: readonly StepId[] = ['pick', 'password'];
const SECRET_STEPS_PIN: readonly StepId[] = ['pick', 'password', 'contents', 'certificates-only', 'pair-pin', 'pin'];

/**
 * Secret lifetime, applied after every transition: a password is held only from a successful
 * inspection until the import, a PIN only from the PIN step until the import. Going back to the
 * step that asked for one (or before it), finishing, or recovering to such a step drops it.
 */
function withSecretLifetime(s: ImportState): ImportState {
  const at = s.step === 'error' && s.error ? s.error.returnTo : s.step;
  const done = s.step === 'done';
  const hasPassword = s.hasPassword && !done && !SECRET_STEPS_PASSWORD.includes(at);
  const hasPin = s.hasPin && !done && !SECRET_STEPS_PIN.includes(at);
  return hasPassword === s.hasPassword && hasPin === s.hasPin ? s : { ...s, hasPassword, hasPin };
}

function toPick(s: ImportState): ImportState {
  return { ...initialState, seq: s.seq, pinRules: s.pinRules };
}

/** Everything chosen for the places and for pairing, forgotten (the file and its password may stay). */
function clearChoices(s: ImportState): ImportState {
  return {
    ...s,
    pinProblems: null,
    pinError: null,
    older: [],
    store: null,
    storeError: null,
    removeOlder: [],
    targetsTouched: false,
    targets: initialState.targets,
    pairMode: false,
    pairWith: null,
    pairPinError: null,
  };
}

function toPassword(s: ImportState): ImportState {
  return { ...clearChoices(s), step: 'password', report: null, passwordError: null };
}

/** Back from what inspection showed: to the password of a .p12, to choosing a file for a certificate file. */
function beforeContents(s: ImportState): ImportState {
  return isCertificateFile(s) ? toPick(s) : toPassword(s);
}

/** Into pair mode on the key's PIN step, with the key inspection named. */
function toPairPin(s: ImportState, pairWith: Pairable): ImportState {
  return { ...clearChoices(s), step: 'pair-pin', pairMode: true, pairWith };
}

function afterContents(s: ImportState): ImportState {
  // An e-ID already in the keystore can still go to the certificate store; no new PIN is needed.
  if (s.report?.inKeystore) return { ...s, step: 'targets', targets: { ...s.targets, keystore: false } };
  return { ...s, step: 'pin', pinProblems: null, pinError: null, targets: s.targetsTouched ? s.targets : { ...s.targets, keystore: true } };
}

function back(s: ImportState): ImportState {
  switch (s.step) {
    case 'password':
      return toPick(s);
    case 'contents':
    case 'certificates-only':
      return beforeContents(s);
    case 'pair-pin':
      // Pairing always starts from what inspection showed.
      return s.report ? { ...clearChoices(s), step: 'certificates-only' } : toPick(s);
    case 'pin':
      return { ...s, step: 'contents', pinProblems: null, pinError: null };
    case 'targets':
      if (s.pairMode) return { ...s, step: 'pair-pin', pinProblems: null, pairPinError: null };
      return s.report?.inKeystore ? { ...s, step: 'contents' } : { ...s, step: 'pin', pinProblems: null, pinError: null };
    default:
      // pick (the host closes the wizard), installing (nothing may interrupt), done, error (RECOVER).
      return s;
  }
}

function recover(s: ImportState): ImportState {
  if (s.step !== 'error' || !s.error) return s;
  const to = s.error.returnTo;
  const base = { ...s, error: null };
  switch (to) {
    case 'pick':
      return toPick(base);
    case 'password':
      return { ...toPassword(base), passwordError: s.error.code === 'bad-password' ? { code: s.error.code, message: s.error.message } : null };
    case 'pin':
      return { ...base, step: 'pin', pinProblems: null, pinError: { code: s.error.code, message: s.error.message, ...(s.error.details ? { details: s.error.details } : {}) } };
    default:
      return { ...base, step: to };
  }
}

function inspected(s: ImportState, report: P12Report): ImportState {
  // A certificate file has no password to hold; a .p12's is held from here until the import.
  const next: ImportState = { ...s, pending: null, report, passwordError: null, hasPassword: !isCertificateFile(s) };
  return { ...next, step: report.certificatesOnly ? 'certificates-only' : 'contents' };
}

/** Whether an inspection answer may land now: on the password step for a .p12, on 'pick' for a certificate file. */
function inspecting(s: ImportState, request: number): boolean {
  if (s.pending !== request) return false;
  return isCertificateFile(s) ? s.step === 'pick' : s.step === 'password';
}

function storeLoaded(s: ImportState, store: OsStoreInfo, older: readonly OlderCertificate[]): ImportState {
  const keep = new Set(older.map((o) => o.fingerprintSha256));
  const targets = s.targetsTouched ? { ...s.targets, osStore: s.targets.osStore && store.available } : { ...s.targets, osStore: store.available };
  return { ...s, store, older, storeError: null, targets, removeOlder: store.available ? s.removeOlder.filter((f) => keep.has(f)) : [] };
}

function importFailed(s: ImportState, error: UiError): ImportState {
  const returnTo = returnStepFor(error.code, 'import');
  // Main says which entry already holds the e-ID: the contents step can then say so.
  const existing = error.code === 'already-exists' && typeof error.details?.id === 'string' ? error.details.id : null;
  const report = existing && s.report ? { ...s.report, inKeystore: existing } : s.report;
  return { ...s, pending: null, report, step: 'error', error: { ...error, phase: 'import', returnTo } };
}

function pairFailed(s: ImportState, error: UiError): ImportState {
  const returnTo = returnStepFor(error.code, 'pair');
  // A wrong or throttled PIN is answered on the PIN step itself, with the places kept.
  if (returnTo === 'pair-pin') return { ...s, pending: null, step: 'pair-pin', pairPinError: error, pinProblems: null };
  return { ...s, pending: null, step: 'error', error: { ...error, phase: 'pair', returnTo } };
}

/**
 * A pairing's answer in the shape the done step shows for an import: the one e-ID made, where it
 * went, and the older certificates removed afterwards (by the host, through os-store:remove) or
 * still there.
 */
export function pairedAsImport(r: PairResponse, removed: readonly string[], removeFailed: ImportResult['removeFailed']): ImportResult {
  const gone = new Set(removed);
  return {
    imported: [{ holder: r.holder, identity: r.identity, notAfter: r.notAfter, fingerprintSha256: r.fingerprintSha256, keystoreId: r.entryId, osStore: r.osStore }],
    older: r.older.filter((o) => !gone.has(o.fingerprintSha256)),
    removed: [...removed],
    removeFailed: [...removeFailed],
  };
}

/** The next state for an event; the same state object when the event is not allowed now. */
export function transition(s: ImportState, e: ImportEvent): ImportState {
  return withSecretLifetime(step(s, e));
}

function step(s: ImportState, e: ImportEvent): ImportState {
  switch (e.type) {
    case 'FILE_REFUSED':
      // A refused file also abandons the inspection of a file picked before it.
      return s.step === 'pick' ? { ...s, fileProblem: e.problem, file: null, pending: null } : s;
    case 'FILE_READ': {
      if (s.step !== 'pick') return s;
      const problem = fileRefusal(e.file);
      if (problem) return { ...s, fileProblem: problem, file: null, pending: null };
      // A certificate file has no password: it is inspected at once (the host asks main), and a
      // file picked while another is inspected replaces it (the earlier answer is ignored).
      if (fileKind(e.file.name) === 'certificate') return { ...toPick(s), file: e.file, pending: s.seq + 1, seq: s.seq + 1 };
      return { ...toPassword(s), file: e.file, fileProblem: null, passwordTrimmed: false, pending: null };
    }
    case 'SUBMIT_PASSWORD':
      if (s.step !== 'password' || s.pending !== null || !s.file) return s;
      return { ...s, pending: s.seq + 1, seq: s.seq + 1, passwordTrimmed: e.trimmed, passwordError: null };
    case 'INSPECT_DONE':
      if (!inspecting(s, e.request)) return s;
      return inspected(s, e.report);
    case 'INSPECT_FAILED': {
      if (!inspecting(s, e.request)) return s;
      // A certificate file has no password to try again: whatever failed, another file is the way on.
      const returnTo = isCertificateFile(s) ? 'pick' : returnStepFor(e.error.code, 'inspect');
      // A wrong password (or a passing problem) is answered on the password step itself.
      if (returnTo === 'password') return { ...s, pending: null, passwordError: e.error };
      return { ...s, pending: null, step: 'error', error: { ...e.error, phase: 'inspect', returnTo } };
    }
    case 'NEXT':
      if (s.step !== 'contents' || !canInstallReport(s.report)) return s;
      return afterContents(s);
    case 'PIN_RULES_LOADED':
      return { ...s, pinRules: e.rules, pinRulesError: null };
    case 'PIN_RULES_FAILED':
      return { ...s, pinRulesError: e.error };
    case 'SUBMIT_PIN': {
      if (s.step !== 'pin' || !s.pinRules) return s;
      const problems = pinProblems(e.pin, e.confirm, s.pinRules);
      if (problems.length > 0) return { ...s, pinProblems: problems, pinError: null };
      return { ...s, step: 'targets', pinProblems: null, pinError: null, hasPin: true };
    }
    case 'STORE_LOADED':
      return storeLoaded(s, e.store, e.older);
    case 'STORE_FAILED':
      return { ...s, storeError: e.error, store: null, older: [], removeOlder: [], targets: { ...s.targets, osStore: false } };
    case 'SET_TARGET': {
      if (s.step !== 'targets' || s.pending !== null) return s;
      if (s.pairMode && e.target === 'keystore') return s;
      if (e.on && e.target === 'osStore' && !s.store?.available) return s;
      if (e.on && e.target === 'keystore' && (s.report?.inKeystore || !s.hasPin)) return s;
      return { ...s, targets: { ...s.targets, [e.target]: e.on }, targetsTouched: true };
    }
    case 'SET_REMOVE_OLDER': {
      if (s.step !== 'targets' || s.pending !== null) return s;
      if (e.on && (!canChooseOlder(s) || !s.older.some((o) => o.fingerprintSha256 === e.fingerprint))) return s;
      const rest = s.removeOlder.filter((f) => f !== e.fingerprint);
      return { ...s, removeOlder: e.on ? [...rest, e.fingerprint] : rest };
    }
    case 'INSTALL':
      if (s.step !== 'targets' || installBlocker(s) !== null) return s;
      return { ...s, step: 'installing', pending: s.seq + 1, seq: s.seq + 1 };
    case 'INSTALL_DONE':
      if (s.step !== 'installing' || s.pairMode || s.pending !== e.request) return s;
      return { ...s, step: 'done', pending: null, result: e.result };
    case 'INSTALL_FAILED':
      if (s.step !== 'installing' || s.pairMode || s.pending !== e.request) return s;
      return importFailed(s, e.error);
    case 'PAIR':
      if (!canPair(s) || !s.report) return s;
      // Main pairs with the first key it finds, which is the first one inspection lists.
      return toPairPin(s, s.report.pairable[0]);
    case 'KEYS_LOADED':
      return { ...s, keyHolders: e.holders, keyHoldersError: null };
    case 'KEYS_FAILED':
      return { ...s, keyHoldersError: e.error };
    case 'SUBMIT_PAIR_PIN':
      if (s.step !== 'pair-pin' || s.pending !== null || !s.pairWith) return s;
      if (e.pin.length === 0) return { ...s, pinProblems: ['empty'] };
      return { ...s, step: 'targets', pinProblems: null, pairPinError: null, hasPin: true, targets: { ...s.targets, keystore: true } };
    case 'PAIR_DONE':
      if (s.step !== 'installing' || !s.pairMode || s.pending !== e.request) return s;
      return {
        ...s,
        step: 'done',
        pending: null,
        result: pairedAsImport(e.result, e.removed, e.removeFailed),
        paired: { replacedRequest: e.result.replacedRequest, renewalOf: e.result.renewalOf, with: s.pairWith },
      };
    case 'PAIR_FAILED':
      if (s.step !== 'installing' || !s.pairMode || s.pending !== e.request) return s;
      return pairFailed(s, e.error);
    case 'BACK': {
      if (s.step === 'installing') return s;
      // Back while inspecting abandons the request: its answer will be ignored.
      const b = back(s);
      return b === s ? s : { ...b, pending: null };
    }
    case 'RECOVER':
      return recover(s);
    case 'RESTART':
      return s.step === 'installing' ? s : toPick(s);
  }
}
