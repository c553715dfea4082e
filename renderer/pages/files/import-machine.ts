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
 */
import { P12_MAX_BYTES } from '../../../preload/channels/files';
import { pinProblems, type PinProblem } from './pin-check';
import type { ImportResult, OlderCertificate, OsStoreInfo, P12Report, PinRules, UiError } from './types';

/**
 * Step ids. 'certificates-only' is its own step so that pairing a certificate with a key already
 * in the keystore (an order made with a CSR) can be added there later without touching the rest.
 */
export type StepId = 'pick' | 'password' | 'contents' | 'certificates-only' | 'pin' | 'targets' | 'installing' | 'done' | 'error';

/** The steps shown in the progress list, in order (error and certificates-only are detours). */
export const PROGRESS_STEPS: readonly StepId[] = ['pick', 'password', 'contents', 'pin', 'targets', 'installing', 'done'];

/** File extensions a PKCS#12 e-ID file arrives with. */
export const P12_EXTENSIONS: readonly string[] = ['.p12', '.pfx'];

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
  readonly phase: 'inspect' | 'import';
  readonly returnTo: StepId;
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
  /** Number of the request in flight (inspect or import), or null. */
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
}) as ImportState;

// ---------------------------------------------------------------------------------------------
// Guards (exported: the step components use the same answers to enable their buttons)

/** Why a file cannot be used, judged on its name and size alone (before reading a byte). */
export function fileRefusal(file: FileMeta): FileProblem | null {
  const name = file.name.toLowerCase();
  if (!P12_EXTENSIONS.some((ext) => name.endsWith(ext))) return 'wrong-type';
  if (file.size === 0) return 'empty';
  if (file.size > P12_MAX_BYTES) return 'too-large';
  return null;
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

/** Why the Install button is not available yet, or null when it is. */
export function installBlocker(s: ImportState): 'busy' | 'no-target' | 'no-pin' | 'no-password' | 'store-unavailable' | 'already-in-keystore' | 'cannot-install' | null {
  if (s.pending !== null) return 'busy';
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

// ---------------------------------------------------------------------------------------------
// Transitions

const SECRET_STEPS_PASSWORD: readonly StepId[] = ['pick', 'password'];
const SECRET_STEPS_PIN: readonly StepId[] = ['pick', 'password', 'contents', 'certificates-only', 'pin'];

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

function toPassword(s: ImportState): ImportState {
  return { ...s, step: 'password', report: null, passwordError: null, pinProblems: null, pinError: null, older: [], store: null, storeError: null, removeOlder: [], targetsTouched: false, targets: initialState.targets };
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
      return toPassword(s);
    case 'pin':
      return { ...s, step: 'contents', pinProblems: null, pinError: null };
    case 'targets':
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
  const next: ImportState = { ...s, pending: null, report, passwordError: null, hasPassword: true };
  return { ...next, step: report.certificatesOnly ? 'certificates-only' : 'contents' };
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

/** The next state for an event; the same state object when the event is not allowed now. */
export function transition(s: ImportState, e: ImportEvent): ImportState {
  return withSecretLifetime(step(s, e));
}

function step(s: ImportState, e: ImportEvent): ImportState {
  switch (e.type) {
    case 'FILE_REFUSED':
      return s.step === 'pick' ? { ...s, fileProblem: e.problem } : s;
    case 'FILE_READ': {
      if (s.step !== 'pick') return s;
      const problem = fileRefusal(e.file);
      if (problem) return { ...s, fileProblem: problem };
      return { ...toPassword(s), file: e.file, fileProblem: null, passwordTrimmed: false };
    }
    case 'SUBMIT_PASSWORD':
      if (s.step !== 'password' || s.pending !== null || !s.file) return s;
      return { ...s, pending: s.seq + 1, seq: s.seq + 1, passwordTrimmed: e.trimmed, passwordError: null };
    case 'INSPECT_DONE':
      if (s.step !== 'password' || s.pending !== e.request) return s;
      return inspected(s, e.report);
    case 'INSPECT_FAILED': {
      if (s.step !== 'password' || s.pending !== e.request) return s;
      const returnTo = returnStepFor(e.error.code, 'inspect');
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
      if (s.step !== 'installing' || s.pending !== e.request) return s;
      return { ...s, step: 'done', pending: null, result: e.result };
    case 'INSTALL_FAILED':
      if (s.step !== 'installing' || s.pending !== e.request) return s;
      return importFailed(s, e.error);
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
