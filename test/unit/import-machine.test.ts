import { describe, expect, it } from 'vitest';
import { CERTIFICATE_FILE_MAX_BYTES, P12_MAX_BYTES } from '../../preload/channels/files';
import {
  CERTIFICATE_PROGRESS_STEPS,
  PROGRESS_STEPS,
  canPair,
  fileKind,
  fileRefusal,
  initialState,
  installBlocker,
  isCertificateFile,
  normalisePassword,
  pairRefusal,
  pairedAsImport,
  pairingFlow,
  progressSteps,
  returnStepFor,
  transition,
  type ImportEvent,
  type ImportState,
} from '../../renderer/pages/files/import-machine';
import { brokenRules, meetsRule, pinProblems } from '../../renderer/pages/files/pin-check';
import { PAIRABLE, RULES, STORE, certificateFileReport, certificatesOnlyReport, entry, importResult, keyOnlyReport, keyRequest, older, pairResponse, report } from '../helpers/renderer-files-fixtures';

const FILE = { name: 'Åsa Öberg.P12', size: 2400, data: 'MIIJ' };
const run = (s: ImportState, ...events: ImportEvent[]) => events.reduce(transition, s);
const err = (code: string, details?: Record<string, string | number>) => ({ code, message: `main says ${code}`, ...(details ? { details } : {}) });

/** The state after a successful inspection of `r` (default: an ordinary e-ID file). */
function inspected(r = report()): ImportState {
  const s = run(initialState, { type: 'FILE_READ', file: FILE }, { type: 'SUBMIT_PASSWORD', trimmed: false });
  return transition(s, { type: 'INSPECT_DONE', request: s.pending!, report: r });
}
/** The state on the targets step with a chosen PIN and a loaded store. */
function atTargets(store = STORE, olders = [older()]): ImportState {
  return run(inspected(), { type: 'NEXT' }, { type: 'PIN_RULES_LOADED', rules: RULES }, { type: 'SUBMIT_PIN', pin: 'Körsbär7', confirm: 'Körsbär7' }, { type: 'STORE_LOADED', store, older: olders });
}

describe('pick step', () => {
  it('refuses wrong types, empty and too large files by name and size before reading', () => {
    expect(fileRefusal({ name: 'letter.pdf', size: 10 })).toBe('wrong-type');
    expect(fileRefusal({ name: 'x.p12.txt', size: 10 })).toBe('wrong-type');
    expect(fileRefusal({ name: 'cert.pem.exe', size: 10 })).toBe('wrong-type');
    expect(fileRefusal({ name: 'x.PFX', size: 0 })).toBe('empty');
    expect(fileRefusal({ name: 'x.p12', size: P12_MAX_BYTES + 1 })).toBe('too-large');
    expect(fileRefusal({ name: 'x.p12', size: P12_MAX_BYTES })).toBeNull();
    expect(fileRefusal({ name: 'Åsa.pfx', size: 1 })).toBeNull();
  });
  it('a refused file stays on pick with the reason; a good one goes to the password step', () => {
    const refused = transition(initialState, { type: 'FILE_REFUSED', problem: 'several' });
    expect(refused.step).toBe('pick');
    expect(refused.fileProblem).toBe('several');
    // FILE_READ is guarded too, so a caller that forgot to check cannot get past.
    const big = transition(initialState, { type: 'FILE_READ', file: { ...FILE, size: P12_MAX_BYTES + 1 } });
    expect(big.step).toBe('pick');
    expect(big.fileProblem).toBe('too-large');
    const ok = transition(refused, { type: 'FILE_READ', file: FILE });
    expect(ok.step).toBe('password');
    expect(ok.file).toEqual(FILE);
    expect(ok.fileProblem).toBeNull();
  });
  it('ignores file events on other steps and Back on the first step', () => {
    const s = inspected();
    expect(transition(s, { type: 'FILE_READ', file: FILE })).toBe(s);
    expect(transition(s, { type: 'FILE_REFUSED', problem: 'empty' })).toBe(s);
    expect(transition(initialState, { type: 'BACK' })).toBe(initialState);
  });
});

describe('password step', () => {
  it('trims stray spaces around the password and reports it, keeps inner spaces', () => {
    expect(normalisePassword('  12345678\n')).toEqual({ value: '12345678', trimmed: true });
    expect(normalisePassword('Å Ö ä')).toEqual({ value: 'Å Ö ä', trimmed: false });
    expect(normalisePassword('')).toEqual({ value: '', trimmed: false });
  });
  it('hands out one request at a time: a second submit while inspecting is ignored', () => {
    const s = run(initialState, { type: 'FILE_READ', file: FILE }, { type: 'SUBMIT_PASSWORD', trimmed: true });
    expect(s.pending).toBe(1);
    expect(s.passwordTrimmed).toBe(true);
    expect(transition(s, { type: 'SUBMIT_PASSWORD', trimmed: false })).toBe(s);
  });
  it('a wrong password keeps the user on the password step with the error, and nothing is held', () => {
    const s = run(initialState, { type: 'FILE_READ', file: FILE }, { type: 'SUBMIT_PASSWORD', trimmed: false });
    const wrong = transition(s, { type: 'INSPECT_FAILED', request: s.pending!, error: err('bad-password') });
    expect(wrong.step).toBe('password');
    expect(wrong.pending).toBeNull();
    expect(wrong.passwordError?.code).toBe('bad-password');
    expect(wrong.hasPassword).toBe(false);
    // Trying again clears the message while the new attempt runs, and can succeed.
    const again = transition(wrong, { type: 'SUBMIT_PASSWORD', trimmed: false });
    expect(again.passwordError).toBeNull();
    const ok = transition(again, { type: 'INSPECT_DONE', request: again.pending!, report: report() });
    expect(ok.step).toBe('contents');
    expect(ok.hasPassword).toBe(true);
  });
  it('a passing failure (host not ready) is also answered on the password step', () => {
    const s = run(initialState, { type: 'FILE_READ', file: FILE }, { type: 'SUBMIT_PASSWORD', trimmed: false });
    const failed = transition(s, { type: 'INSPECT_FAILED', request: s.pending!, error: err('unavailable') });
    expect(failed.step).toBe('password');
    expect(failed.passwordError?.code).toBe('unavailable');
  });
  it('a broken file goes to the error step, which leads back to choosing a file', () => {
    for (const code of ['malformed', 'unsupported', 'too-large', 'too-costly']) {
      const s = run(initialState, { type: 'FILE_READ', file: FILE }, { type: 'SUBMIT_PASSWORD', trimmed: false });
      const failed = transition(s, { type: 'INSPECT_FAILED', request: s.pending!, error: err(code) });
      expect(failed.step).toBe('error');
      expect(failed.error).toMatchObject({ code, phase: 'inspect', returnTo: 'pick' });
      const back = transition(failed, { type: 'RECOVER' });
      expect(back.step).toBe('pick');
      expect(back.file).toBeNull();
      expect(back.error).toBeNull();
    }
  });
  it('ignores a late answer after Back (stale request number)', () => {
    const s = run(initialState, { type: 'FILE_READ', file: FILE }, { type: 'SUBMIT_PASSWORD', trimmed: false });
    const request = s.pending!;
    const picked = run(s, { type: 'BACK' }, { type: 'FILE_READ', file: FILE });
    expect(picked.step).toBe('password');
    expect(picked.pending).toBeNull();
    expect(transition(picked, { type: 'INSPECT_DONE', request, report: report() })).toBe(picked);
    expect(transition(picked, { type: 'INSPECT_FAILED', request, error: err('bad-password') })).toBe(picked);
    // The next request gets a new number, so the old one can never match again.
    expect(transition(picked, { type: 'SUBMIT_PASSWORD', trimmed: false }).pending).toBe(request + 1);
  });
  it('Back goes to pick and forgets the file', () => {
    const s = transition(initialState, { type: 'FILE_READ', file: FILE });
    const back = transition(s, { type: 'BACK' });
    expect(back.step).toBe('pick');
    expect(back.file).toBeNull();
  });
});

describe('contents step', () => {
  it('an ordinary file goes on to the PIN step', () => {
    const s = inspected();
    expect(s.step).toBe('contents');
    const pin = transition(s, { type: 'NEXT' });
    expect(pin.step).toBe('pin');
    expect(pin.targets.keystore).toBe(true);
  });
  it('a certificates-only file gets its own step and cannot go on to install', () => {
    const s = inspected(certificatesOnlyReport());
    expect(s.step).toBe('certificates-only');
    expect(transition(s, { type: 'NEXT' })).toBe(s);
    expect(transition(s, { type: 'INSTALL' })).toBe(s);
    const back = transition(s, { type: 'BACK' });
    expect(back.step).toBe('password');
    expect(back.report).toBeNull();
    expect(back.hasPassword).toBe(false);
  });
  it('a key-only or mismatched file is shown but cannot go on', () => {
    const keyOnly = inspected(keyOnlyReport());
    expect(keyOnly.step).toBe('contents');
    expect(transition(keyOnly, { type: 'NEXT' })).toBe(keyOnly);
    const mismatch = inspected(report({ keyMismatch: true, pairs: [] }));
    expect(transition(mismatch, { type: 'NEXT' })).toBe(mismatch);
  });
  it('an e-ID already in the keystore skips the PIN and can only go to the certificate store', () => {
    const s = run(inspected(report({ inKeystore: 'feedfacecafebeef' })), { type: 'NEXT' });
    expect(s.step).toBe('targets');
    expect(s.targets.keystore).toBe(false);
    expect(transition(s, { type: 'SET_TARGET', target: 'keystore', on: true }).targets.keystore).toBe(false);
    const loaded = transition(s, { type: 'STORE_LOADED', store: STORE, older: [] });
    expect(loaded.targets.osStore).toBe(true);
    expect(installBlocker(loaded)).toBeNull();
    // Back from there skips the PIN step too.
    expect(transition(loaded, { type: 'BACK' }).step).toBe('contents');
  });
  it('Back goes to the password step, which must be typed again', () => {
    const back = transition(inspected(), { type: 'BACK' });
    expect(back.step).toBe('password');
    expect(back.hasPassword).toBe(false);
    expect(back.report).toBeNull();
    expect(back.file).toEqual(FILE);
  });
});

describe('PIN step', () => {
  const atPin = () => run(inspected(), { type: 'NEXT' }, { type: 'PIN_RULES_LOADED', rules: RULES });
  it('checks the rules and the repetition before going on; the PIN never enters the state', () => {
    const s = atPin();
    const weak = transition(s, { type: 'SUBMIT_PIN', pin: '234567', confirm: '234567' });
    expect(weak.step).toBe('pin');
    expect(weak.pinProblems).toEqual(['not-sequence']);
    const mismatch = transition(s, { type: 'SUBMIT_PIN', pin: 'Körsbär7', confirm: 'Körsbär8' });
    expect(mismatch.pinProblems).toEqual(['mismatch']);
    expect(transition(s, { type: 'SUBMIT_PIN', pin: '', confirm: '' }).pinProblems).toEqual(['empty']);
    const ok = transition(weak, { type: 'SUBMIT_PIN', pin: 'Körsbär7', confirm: 'Körsbär7' });
    expect(ok.step).toBe('targets');
    expect(ok.hasPin).toBe(true);
    expect(ok.pinProblems).toBeNull();
    for (const st of [weak, mismatch, ok]) expect(JSON.stringify(st)).not.toMatch(/Körsbär|234567/);
  });
  it('waits for the rules: no PIN is accepted before they are known', () => {
    const s = transition(inspected(), { type: 'NEXT' });
    expect(transition(s, { type: 'SUBMIT_PIN', pin: 'Körsbär7', confirm: 'Körsbär7' })).toBe(s);
    expect(transition(s, { type: 'PIN_RULES_FAILED', error: err('internal') }).pinRulesError?.code).toBe('internal');
  });
  it('Back goes to the contents; from targets Back returns to the PIN, which is dropped', () => {
    expect(transition(atPin(), { type: 'BACK' }).step).toBe('contents');
    const t = atTargets();
    expect(t.hasPin).toBe(true);
    const back = transition(t, { type: 'BACK' });
    expect(back.step).toBe('pin');
    expect(back.hasPin).toBe(false);
    expect(back.hasPassword).toBe(true);
  });
});

describe('PIN rules as the renderer checks them (same as main)', () => {
  it('length, repetition and sequences, counted in characters after NFC', () => {
    expect(brokenRules('12345', RULES)).toEqual(['min-length', 'not-sequence']);
    expect(brokenRules('111111', RULES)).toEqual(['not-repeated']);
    expect(brokenRules('654321', RULES)).toEqual(['not-sequence']);
    expect(brokenRules('890123', RULES)).toEqual(['not-sequence']);
    expect(brokenRules('abcdef', RULES)).toEqual(['not-sequence']);
    expect(brokenRules('yzabcd', RULES)).toEqual([]);
    expect(brokenRules('x'.repeat(129), RULES)).toEqual(['max-length', 'not-repeated']);
    expect(brokenRules('ÅÄÖåäö', RULES)).toEqual([]);
    // A + combining ring is one character, as main counts it.
    expect(meetsRule('A\u030aA\u030aA\u030a12', 'min-length', RULES)).toBe(false);
    expect(pinProblems('A\u030a12345x', '\u00c512345x', RULES)).toEqual([]);
  });
});

describe('targets step', () => {
  it('chooses the certificate store once it is known to be available; unavailable stores cannot be chosen', () => {
    const t = atTargets();
    expect(t.targets).toEqual({ keystore: true, osStore: true });
    const off = atTargets({ ...STORE, available: false }, []);
    expect(off.targets.osStore).toBe(false);
    expect(transition(off, { type: 'SET_TARGET', target: 'osStore', on: true })).toBe(off);
    const failed = transition(t, { type: 'STORE_FAILED', error: err('internal') });
    expect(failed.targets.osStore).toBe(false);
    expect(failed.storeError?.code).toBe('internal');
  });
  it('a choice the user made survives a reload of the store', () => {
    const t = transition(atTargets(), { type: 'SET_TARGET', target: 'osStore', on: false });
    expect(transition(t, { type: 'STORE_LOADED', store: STORE, older: [] }).targets.osStore).toBe(false);
  });
  it('older certificates are chosen one by one, only ones the store listed', () => {
    const fp = older().fingerprintSha256;
    const t = atTargets();
    const chosen = transition(t, { type: 'SET_REMOVE_OLDER', fingerprint: fp, on: true });
    expect(chosen.removeOlder).toEqual([fp]);
    expect(transition(t, { type: 'SET_REMOVE_OLDER', fingerprint: '00:11', on: true })).toBe(t);
    expect(transition(chosen, { type: 'SET_REMOVE_OLDER', fingerprint: fp, on: false }).removeOlder).toEqual([]);
    // A store that no longer lists it (or is gone) drops the choice.
    expect(transition(chosen, { type: 'STORE_LOADED', store: STORE, older: [] }).removeOlder).toEqual([]);
  });
  it('guards Install: a place must be chosen, and the keystore needs the PIN', () => {
    const t = atTargets();
    expect(installBlocker(t)).toBeNull();
    const none = run(t, { type: 'SET_TARGET', target: 'keystore', on: false }, { type: 'SET_TARGET', target: 'osStore', on: false });
    expect(installBlocker(none)).toBe('no-target');
    expect(transition(none, { type: 'INSTALL' })).toBe(none);
    // Unchecking and checking the keystore again keeps the PIN chosen on this visit.
    const again = transition(none, { type: 'SET_TARGET', target: 'keystore', on: true });
    expect(again.targets.keystore).toBe(true);
    expect(installBlocker(again)).toBeNull();
  });
});

describe('installing, done and errors', () => {
  it('installs once: a second Install, Back or Restart while installing is ignored', () => {
    const s = transition(atTargets(), { type: 'INSTALL' });
    expect(s.step).toBe('installing');
    expect(s.pending).not.toBeNull();
    expect(transition(s, { type: 'INSTALL' })).toBe(s);
    expect(transition(s, { type: 'BACK' })).toBe(s);
    expect(transition(s, { type: 'RESTART' })).toBe(s);
    expect(transition(s, { type: 'SET_TARGET', target: 'keystore', on: false })).toBe(s);
    expect(transition(s, { type: 'INSTALL_DONE', request: s.pending! + 7, result: importResult() })).toBe(s);
  });
  it('done drops both secrets and keeps what was installed where', () => {
    const s = transition(atTargets(), { type: 'INSTALL' });
    const done = transition(s, { type: 'INSTALL_DONE', request: s.pending!, result: importResult({ removed: [older().fingerprintSha256] }) });
    expect(done.step).toBe('done');
    expect(done.hasPassword).toBe(false);
    expect(done.hasPin).toBe(false);
    expect(done.result?.removed).toHaveLength(1);
    expect(transition(done, { type: 'BACK' })).toBe(done);
    expect(transition(done, { type: 'RESTART' })).toMatchObject({ step: 'pick', file: null, result: null });
  });
  const failWith = (code: string, details?: Record<string, string | number>) => {
    const s = transition(atTargets(), { type: 'INSTALL' });
    return transition(s, { type: 'INSTALL_FAILED', request: s.pending!, error: err(code, details) });
  };
  it('a store failure returns to the places, keeping what is needed to try again', () => {
    const f = failWith('os-store-failed');
    expect(f.step).toBe('error');
    expect(f.error).toMatchObject({ code: 'os-store-failed', phase: 'import', returnTo: 'targets' });
    expect(f.hasPassword && f.hasPin).toBe(true);
    const back = transition(f, { type: 'RECOVER' });
    expect(back.step).toBe('targets');
    expect(installBlocker(back)).toBeNull();
  });
  it('a PIN main refuses returns to the PIN step with its message; the PIN is dropped', () => {
    const f = failWith('pin-invalid', { rule: 'not-sequence' });
    expect(f.error?.returnTo).toBe('pin');
    expect(f.hasPin).toBe(false);
    expect(f.hasPassword).toBe(true);
    const back = transition(f, { type: 'RECOVER' });
    expect(back.step).toBe('pin');
    expect(back.pinError).toMatchObject({ code: 'pin-invalid', details: { rule: 'not-sequence' } });
  });
  it('a wrong password on import returns to the password step; both secrets are dropped', () => {
    const f = failWith('bad-password');
    expect(f.error?.returnTo).toBe('password');
    expect(f.hasPassword || f.hasPin).toBe(false);
    const back = transition(f, { type: 'RECOVER' });
    expect(back.step).toBe('password');
    expect(back.passwordError?.code).toBe('bad-password');
  });
  it('already in the keystore returns to the contents, which now say so', () => {
    const f = failWith('already-exists', { id: 'feedfacecafebeef' });
    expect(f.error?.returnTo).toBe('contents');
    const back = transition(f, { type: 'RECOVER' });
    expect(back.step).toBe('contents');
    expect(back.report?.inKeystore).toBe('feedfacecafebeef');
    expect(transition(back, { type: 'NEXT' }).step).toBe('targets');
  });
  it('a broken file found on import returns to choosing a file', () => {
    expect(failWith('key-mismatch').error?.returnTo).toBe('pick');
    expect(transition(failWith('no-private-key'), { type: 'RECOVER' }).step).toBe('pick');
  });
  it('maps codes to steps for both phases', () => {
    expect(returnStepFor('bad-password', 'inspect')).toBe('password');
    expect(returnStepFor('internal', 'inspect')).toBe('password');
    expect(returnStepFor('internal', 'import')).toBe('targets');
    expect(returnStepFor('unavailable', 'import')).toBe('targets');
    expect(returnStepFor('pin-invalid', 'import')).toBe('pin');
    expect(returnStepFor('malformed', 'import')).toBe('pick');
  });
  it('RECOVER outside the error step does nothing', () => {
    const t = atTargets();
    expect(transition(t, { type: 'RECOVER' })).toBe(t);
  });
});

describe('a whole import', () => {
  it('pick -> password (wrong, then right) -> contents -> pin (weak, then good) -> targets -> installing -> done', () => {
    let s = transition(initialState, { type: 'FILE_READ', file: FILE });
    s = transition(s, { type: 'SUBMIT_PASSWORD', trimmed: false });
    s = transition(s, { type: 'INSPECT_FAILED', request: s.pending!, error: err('bad-password') });
    s = transition(s, { type: 'SUBMIT_PASSWORD', trimmed: true });
    s = transition(s, { type: 'INSPECT_DONE', request: s.pending!, report: report() });
    s = run(s, { type: 'NEXT' }, { type: 'PIN_RULES_LOADED', rules: RULES }, { type: 'SUBMIT_PIN', pin: '111111', confirm: '111111' });
    expect(s.step).toBe('pin');
    s = run(s, { type: 'SUBMIT_PIN', pin: 'Körsbär7', confirm: 'Körsbär7' }, { type: 'STORE_LOADED', store: STORE, older: [older()] });
    s = run(s, { type: 'SET_REMOVE_OLDER', fingerprint: older().fingerprintSha256, on: true }, { type: 'INSTALL' });
    expect(s.step).toBe('installing');
    s = transition(s, { type: 'INSTALL_DONE', request: s.pending!, result: importResult() });
    expect(s.step).toBe('done');
    expect(s.removeOlder).toEqual([older().fingerprintSha256]);
  });
});

const CERT_FILE = { name: 'Åsa Öberg.P7B', size: 1800, data: 'MIIG' };
const PIN = 'Hallon-83';

/** A certificates-only .p12 whose key inspection found in the keystore, on its step. */
function certsOnly(pairable = [PAIRABLE]): ImportState {
  return inspected(certificatesOnlyReport(pairable));
}
/** Paired as far as the places step, with the key's PIN held and the store loaded. */
function pairTargets(start: ImportState = transition(certsOnly(), { type: 'PAIR' }), olders = [older()]): ImportState {
  return run(start, { type: 'SUBMIT_PAIR_PIN', pin: PIN }, { type: 'STORE_LOADED', store: STORE, older: olders });
}
const HOLDERS = { requests: [keyRequest()], entries: [entry()] };

/** A certificate file picked and inspected: on the certificates-only step, no password anywhere. */
function certFile(r = certificateFileReport([PAIRABLE])): ImportState {
  const s = transition(initialState, { type: 'FILE_READ', file: CERT_FILE });
  return transition(s, { type: 'INSPECT_DONE', request: s.pending!, report: r });
}

describe('file kinds', () => {
  it('certificate files are accepted by name and bounded by their own limit', () => {
    for (const name of ['a.cer', 'b.CRT', 'c.pem', 'd.p7b', 'e.P7C']) {
      expect(fileKind(name)).toBe('certificate');
      expect(fileRefusal({ name, size: 10 })).toBeNull();
    }
    expect(fileKind('x.pfx')).toBe('p12');
    expect(fileKind('x.csr')).toBeNull();
    expect(fileRefusal({ name: 'x.pem', size: CERTIFICATE_FILE_MAX_BYTES + 1 })).toBe('too-large');
    expect(fileRefusal({ name: 'x.p7b', size: 0 })).toBe('empty');
  });
  it('a certificate file has no password: it is inspected from the pick step, then shows what it holds', () => {
    const s = transition(initialState, { type: 'FILE_READ', file: CERT_FILE });
    // The host asks main as soon as the machine hands out a request number; nothing else moves yet.
    expect(s).toMatchObject({ step: 'pick', pending: 1, pairMode: false, hasPassword: false, file: CERT_FILE, report: null });
    expect(isCertificateFile(s)).toBe(true);
    expect(progressSteps(s)).toBe(CERTIFICATE_PROGRESS_STEPS);
    expect(CERTIFICATE_PROGRESS_STEPS).toEqual(['pick', 'contents', 'pin', 'targets', 'installing', 'done']);
    expect(progressSteps(inspected())).toBe(PROGRESS_STEPS);
    const shown = transition(s, { type: 'INSPECT_DONE', request: s.pending!, report: certificateFileReport([PAIRABLE]) });
    expect(shown).toMatchObject({ step: 'certificates-only', pending: null, hasPassword: false, pairMode: false, report: { certificatesOnly: true, pairable: [PAIRABLE] } });
    // A password submit means nothing here.
    expect(transition(s, { type: 'SUBMIT_PASSWORD', trimmed: false })).toBe(s);
    // Back leads to choosing a file again, not to a password.
    expect(transition(shown, { type: 'BACK' })).toMatchObject({ step: 'pick', file: null, report: null, pending: null });
  });
});

describe('certificate files: inspected before any PIN', () => {
  it('a second file picked while the first is inspected replaces it: the first answer is ignored', () => {
    const first = transition(initialState, { type: 'FILE_READ', file: CERT_FILE });
    const other = { ...CERT_FILE, name: 'annat.pem' };
    const second = transition(first, { type: 'FILE_READ', file: other });
    expect(second).toMatchObject({ step: 'pick', file: other, pending: first.pending! + 1 });
    expect(transition(second, { type: 'INSPECT_DONE', request: first.pending!, report: certificateFileReport() })).toBe(second);
    expect(transition(second, { type: 'INSPECT_FAILED', request: first.pending!, error: err('malformed') })).toBe(second);
    expect(transition(second, { type: 'INSPECT_DONE', request: second.pending!, report: certificateFileReport() }).step).toBe('certificates-only');
    // A .p12 picked instead goes to its password, and the certificate's answer cannot land there.
    const p12 = transition(first, { type: 'FILE_READ', file: FILE });
    expect(p12).toMatchObject({ step: 'password', pending: null, file: FILE });
    expect(transition(p12, { type: 'INSPECT_DONE', request: first.pending!, report: certificateFileReport() })).toBe(p12);
    // A refused file abandons the inspection too.
    const refused = transition(first, { type: 'FILE_REFUSED', problem: 'several' });
    expect(refused).toMatchObject({ step: 'pick', file: null, pending: null, fileProblem: 'several' });
    expect(transition(refused, { type: 'INSPECT_DONE', request: first.pending!, report: certificateFileReport() })).toBe(refused);
  });
  it('a file main cannot read goes to the error step, which leads to choosing another file (there is no password to retry)', () => {
    for (const [code, details] of [
      ['malformed', { kind: 'pkcs12' }],
      ['too-large', { limit: 32 }],
      ['no-certificate', undefined],
      ['unavailable', undefined],
      ['internal', undefined],
    ] as const) {
      const s = transition(initialState, { type: 'FILE_READ', file: CERT_FILE });
      const f = transition(s, { type: 'INSPECT_FAILED', request: s.pending!, error: err(code, details) });
      expect(f.step, code).toBe('error');
      expect(f.error, code).toMatchObject({ code, phase: 'inspect', returnTo: 'pick' });
      expect(transition(f, { type: 'RECOVER' })).toMatchObject({ step: 'pick', file: null, error: null });
    }
  });
  it('names the key from `pairable` and pairs with it, without a password', () => {
    const s = certFile();
    expect(canPair(s)).toBe(true);
    const p = transition(s, { type: 'PAIR' });
    expect(p).toMatchObject({ step: 'pair-pin', pairMode: true, pairWith: PAIRABLE, hasPassword: false });
    // Back from the PIN returns to what the file holds.
    expect(transition(p, { type: 'BACK' })).toMatchObject({ step: 'certificates-only', pairMode: false, pairWith: null, report: { pairable: [PAIRABLE] } });
  });
  it('no key here, already an e-ID here, or a certificate main would refuse: said before any PIN, and PAIR is ignored', () => {
    const cases = [
      [certificateFileReport([]), 'no-key-here'],
      [certificateFileReport([], { inKeystore: 'feedfacecafebeef' }), 'already-in-keystore'],
      [certificateFileReport([PAIRABLE], { leaf: { ...certificateFileReport().leaf!, validity: 'expired' } }), 'expired'],
      [certificateFileReport([PAIRABLE], { leaf: { ...certificateFileReport().leaf!, validity: 'not-yet-valid' } }), 'not-yet-valid'],
      [certificateFileReport([PAIRABLE], { leaf: { ...certificateFileReport().leaf!, isCA: true } }), 'ca-certificate'],
    ] as const;
    for (const [r, refusal] of cases) {
      expect(pairRefusal(r), refusal).toBe(refusal);
      const s = certFile(r);
      expect(s.step).toBe('certificates-only');
      expect(canPair(s), refusal).toBe(false);
      expect(transition(s, { type: 'PAIR' }), refusal).toBe(s);
      // And the same for a certificates-only .p12.
      expect(canPair(inspected({ ...r, protection: report().protection })), refusal).toBe(false);
    }
    expect(pairRefusal(certificateFileReport([PAIRABLE]))).toBeNull();
    expect(pairRefusal(null)).toBe('no-key-here');
  });
  it('the key’s PIN cannot be sent without a named key, nor while a request runs', () => {
    const pin = transition(certFile(), { type: 'PAIR' });
    expect(transition({ ...pin, pairWith: null }, { type: 'SUBMIT_PAIR_PIN', pin: PIN }).step).toBe('pair-pin');
    expect(transition({ ...pin, pending: 5 }, { type: 'SUBMIT_PAIR_PIN', pin: PIN }).step).toBe('pair-pin');
    expect(transition(pin, { type: 'SUBMIT_PAIR_PIN', pin: PIN }).step).toBe('targets');
  });
  it('the progress list names the pairing steps for any file that can only be paired', () => {
    expect(pairingFlow(initialState)).toBe(false);
    expect(pairingFlow(inspected())).toBe(false);
    expect(pairingFlow(transition(initialState, { type: 'FILE_READ', file: CERT_FILE }))).toBe(true);
    expect(pairingFlow(inspected(certificatesOnlyReport()))).toBe(true);
    expect(pairingFlow(transition(certsOnly(), { type: 'PAIR' }))).toBe(true);
  });
});

describe('certificates only: pairing offered or not', () => {
  it('without a key here there is nothing to pair: PAIR is ignored', () => {
    const s = inspected(certificatesOnlyReport([]));
    expect(canPair(s)).toBe(false);
    expect(transition(s, { type: 'PAIR' })).toBe(s);
  });
  it('with a key here, PAIR goes to the key’s PIN, naming the first key main will use; the password is kept', () => {
    const second = { kind: 'entry' as const, id: 'aaaaaaaaaaaaaaaa', label: 'Renewed' };
    const s = certsOnly([PAIRABLE, second]);
    expect(canPair(s)).toBe(true);
    const p = transition(s, { type: 'PAIR' });
    expect(p).toMatchObject({ step: 'pair-pin', pairMode: true, pairWith: PAIRABLE, hasPassword: true, hasPin: false });
    expect(progressSteps(p)).toBe(PROGRESS_STEPS);
    // Not while another request runs, nor from another step.
    expect(transition({ ...s, pending: 9 }, { type: 'PAIR' }).step).toBe('certificates-only');
    expect(transition(inspected(), { type: 'PAIR' }).step).toBe('contents');
  });
  it('keeps what the keystore holds, for naming the key and its wrong-PIN state', () => {
    const s = transition(certsOnly(), { type: 'KEYS_LOADED', holders: HOLDERS });
    expect(s.keyHolders).toEqual(HOLDERS);
    const failed = transition(s, { type: 'KEYS_FAILED', error: err('keystore-corrupt') });
    expect(failed.keyHoldersError?.code).toBe('keystore-corrupt');
  });
});

describe('the key’s PIN', () => {
  it('an empty PIN stays on the step; a PIN goes on to the places, held by the host only', () => {
    const p = transition(certsOnly(), { type: 'PAIR' });
    const empty = transition(p, { type: 'SUBMIT_PAIR_PIN', pin: '' });
    expect(empty).toMatchObject({ step: 'pair-pin', pinProblems: ['empty'], hasPin: false });
    const t = transition(empty, { type: 'SUBMIT_PAIR_PIN', pin: PIN });
    expect(t).toMatchObject({ step: 'targets', hasPin: true, pinProblems: null, targets: { keystore: true } });
    expect(JSON.stringify(t)).not.toContain(PIN);
    // The PIN of an existing key is not judged by the rules for new PINs: a short one is sent as typed.
    expect(transition(p, { type: 'SUBMIT_PAIR_PIN', pin: '1' }).step).toBe('targets');
  });
  it('Back from the PIN returns to the certificates-only step and leaves pair mode', () => {
    const p = transition(certsOnly(), { type: 'PAIR' });
    const back = transition(p, { type: 'BACK' });
    expect(back).toMatchObject({ step: 'certificates-only', pairMode: false, pairWith: null, hasPassword: true });
    expect(transition(back, { type: 'BACK' })).toMatchObject({ step: 'password', hasPassword: false });
  });
});

describe('pairing: places', () => {
  it('the keystore is always on; the certificate store is optional and chosen when available', () => {
    const t = pairTargets();
    expect(t.targets).toEqual({ keystore: true, osStore: true });
    expect(transition(t, { type: 'SET_TARGET', target: 'keystore', on: false })).toBe(t);
    const off = transition(t, { type: 'SET_TARGET', target: 'osStore', on: false });
    expect(off.targets).toEqual({ keystore: true, osStore: false });
    expect(installBlocker(off)).toBeNull();
    // An already-in-keystore or install-only check does not apply to pairing.
    expect(installBlocker(t)).toBeNull();
  });
  it('needs the key’s PIN, the file’s password for a .p12 (not for a certificate file), and a usable store when chosen', () => {
    const t = pairTargets();
    expect(installBlocker({ ...t, hasPin: false })).toBe('no-key-pin');
    expect(installBlocker({ ...t, hasPassword: false })).toBe('no-password');
    const cert = run(certFile(), { type: 'PAIR' }, { type: 'SUBMIT_PAIR_PIN', pin: PIN }, { type: 'STORE_LOADED', store: STORE, older: [] });
    expect(cert.hasPassword).toBe(false);
    expect(installBlocker(cert)).toBeNull();
    // A store without its tools is simply not chosen: pairing into the keystore alone goes on.
    const noStore = transition(pairTargets(undefined, []), { type: 'STORE_LOADED', store: { ...STORE, available: false }, older: [] });
    expect(noStore.targets.osStore).toBe(false);
    expect(installBlocker(noStore)).toBeNull();
    expect(installBlocker({ ...t, store: { ...STORE, available: false } })).toBe('store-unavailable');
  });
  it('Back from the places returns to the key’s PIN, which is dropped', () => {
    const back = transition(pairTargets(), { type: 'BACK' });
    expect(back).toMatchObject({ step: 'pair-pin', hasPin: false, hasPassword: true, pairMode: true });
  });
});

describe('pairing: running, done, refused', () => {
  const started = (t = pairTargets()) => transition(t, { type: 'INSTALL' });
  it('pairs once: a second Pair, Back, Restart or an import answer while pairing is ignored', () => {
    const s = started();
    expect(s.step).toBe('installing');
    expect(transition(s, { type: 'INSTALL' })).toBe(s);
    expect(transition(s, { type: 'BACK' })).toBe(s);
    expect(transition(s, { type: 'RESTART' })).toBe(s);
    expect(transition(s, { type: 'INSTALL_DONE', request: s.pending!, result: importResult() })).toBe(s);
    expect(transition(s, { type: 'PAIR_DONE', request: s.pending! + 1, result: pairResponse(), removed: [], removeFailed: [] })).toBe(s);
    // And an import's answers cannot finish a pairing, nor a pairing's an import.
    const imp = transition(atTargets(), { type: 'INSTALL' });
    expect(transition(imp, { type: 'PAIR_DONE', request: imp.pending!, result: pairResponse(), removed: [], removeFailed: [] })).toBe(imp);
    expect(transition(imp, { type: 'PAIR_FAILED', request: imp.pending!, error: err('no-matching-key') })).toBe(imp);
  });
  it('done: what was paired, where, with which key; older certificates removed afterwards; both secrets dropped', () => {
    const t = run(pairTargets(), { type: 'SET_REMOVE_OLDER', fingerprint: older().fingerprintSha256, on: true }, { type: 'INSTALL' });
    const result = pairResponse({ older: [older(), older('EF:'.repeat(31) + '01')] });
    const done = transition(t, { type: 'PAIR_DONE', request: t.pending!, result, removed: [older().fingerprintSha256], removeFailed: [] });
    expect(done.step).toBe('done');
    expect(done.hasPin || done.hasPassword).toBe(false);
    expect(done.paired).toEqual({ replacedRequest: true, renewalOf: null, with: PAIRABLE });
    expect(done.result?.imported[0]).toMatchObject({ keystoreId: result.entryId, holder: result.holder, osStore: result.osStore });
    expect(done.result?.removed).toEqual([older().fingerprintSha256]);
    expect(done.result?.older.map((o) => o.fingerprintSha256)).toEqual(['EF:'.repeat(31) + '01']);
    expect(transition(done, { type: 'RESTART' })).toMatchObject({ step: 'pick', pairMode: false, paired: null, result: null });
  });
  it('a renewal for an e-ID’s key says which e-ID it renews', () => {
    const t = started();
    const done = transition(t, { type: 'PAIR_DONE', request: t.pending!, result: pairResponse({ replacedRequest: false, renewalOf: 'aaaaaaaaaaaaaaaa' }), removed: [], removeFailed: [] });
    expect(done.paired).toMatchObject({ replacedRequest: false, renewalOf: 'aaaaaaaaaaaaaaaa' });
  });
  it('a wrong or throttled PIN comes back to the key’s PIN step with the reason; the places are kept', () => {
    for (const [code, details] of [
      ['pin-incorrect', { attempts: 1, attemptsBeforeDelay: 2, retryAfterSeconds: 0 }],
      ['throttled', { retryAfterSeconds: 30, attempts: 4 }],
    ] as const) {
      const t = transition(pairTargets(), { type: 'SET_TARGET', target: 'osStore', on: false });
      const s = transition(t, { type: 'INSTALL' });
      const f = transition(s, { type: 'PAIR_FAILED', request: s.pending!, error: err(code, details) });
      expect(f).toMatchObject({ step: 'pair-pin', pending: null, hasPin: false, hasPassword: true, error: null });
      expect(f.pairPinError).toMatchObject({ code, details });
      // Typing it again goes back to the places as they were chosen.
      const again = transition(f, { type: 'SUBMIT_PAIR_PIN', pin: PIN });
      expect(again).toMatchObject({ step: 'targets', pairPinError: null, targets: { keystore: true, osStore: false } });
    }
  });
  it('no key here for the certificate, or a certificate that cannot be paired, leads to choosing another file', () => {
    for (const [code, details] of [
      ['no-matching-key', undefined],
      ['validation', { reason: 'expired' }],
      ['validation', { reason: 'ca-certificate' }],
      ['already-exists', { id: 'feedfacecafebeef' }],
      ['malformed', undefined],
    ] as const) {
      const s = started();
      const f = transition(s, { type: 'PAIR_FAILED', request: s.pending!, error: err(code, details) });
      expect(f.step).toBe('error');
      expect(f.error).toMatchObject({ code, phase: 'pair', returnTo: 'pick' });
      expect(f.hasPin || f.hasPassword).toBe(false);
      expect(transition(f, { type: 'RECOVER' })).toMatchObject({ step: 'pick', file: null, pairMode: false, error: null });
    }
  });
  it('a store failure returns to the places with both secrets kept; a wrong file password to the password', () => {
    const s = started();
    const f = transition(s, { type: 'PAIR_FAILED', request: s.pending!, error: err('os-store-failed', { rollback: 'complete' }) });
    expect(f.error).toMatchObject({ phase: 'pair', returnTo: 'targets' });
    expect(f.hasPin && f.hasPassword).toBe(true);
    const back = transition(f, { type: 'RECOVER' });
    expect(back).toMatchObject({ step: 'targets', pairMode: true });
    expect(installBlocker(back)).toBeNull();
    const s2 = started();
    const wrong = transition(s2, { type: 'PAIR_FAILED', request: s2.pending!, error: err('bad-password') });
    expect(wrong.error?.returnTo).toBe('password');
    expect(transition(wrong, { type: 'RECOVER' })).toMatchObject({ step: 'password', pairMode: false, passwordError: { code: 'bad-password' } });
  });
  it('maps pairing codes to steps', () => {
    expect(returnStepFor('pin-incorrect', 'pair')).toBe('pair-pin');
    expect(returnStepFor('throttled', 'pair')).toBe('pair-pin');
    expect(returnStepFor('no-matching-key', 'pair')).toBe('pick');
    expect(returnStepFor('not-found', 'pair')).toBe('pick');
    expect(returnStepFor('unavailable', 'pair')).toBe('targets');
    expect(returnStepFor('keystore-locked', 'pair')).toBe('targets');
    expect(returnStepFor('internal', 'pair')).toBe('targets');
    // The import keeps its own mapping.
    expect(returnStepFor('already-exists', 'import')).toBe('contents');
    expect(returnStepFor('already-exists', 'pair')).toBe('pick');
  });
  it('pairedAsImport keeps the older certificates not removed', () => {
    const r = pairResponse({ older: [older()] });
    expect(pairedAsImport(r, [], []).older).toHaveLength(1);
    expect(pairedAsImport(r, [older().fingerprintSha256], []).older).toHaveLength(0);
    expect(pairedAsImport(r, [], [{ fingerprintSha256: 'x', code: 'not-found', message: 'm' }]).removeFailed).toHaveLength(1);
  });
});

describe('a whole pairing', () => {
  it('certificate file -> contents (inspected) -> key PIN (wrong, then right) -> places -> pairing -> done', () => {
    let s = transition(initialState, { type: 'FILE_READ', file: CERT_FILE });
    s = transition(s, { type: 'INSPECT_DONE', request: s.pending!, report: certificateFileReport([PAIRABLE]) });
    expect(s.step).toBe('certificates-only');
    s = run(s, { type: 'KEYS_LOADED', holders: HOLDERS }, { type: 'PAIR' }, { type: 'SUBMIT_PAIR_PIN', pin: 'wrong' });
    s = run(s, { type: 'STORE_LOADED', store: STORE, older: [older()] }, { type: 'SET_REMOVE_OLDER', fingerprint: older().fingerprintSha256, on: true }, { type: 'INSTALL' });
    s = transition(s, { type: 'PAIR_FAILED', request: s.pending!, error: err('pin-incorrect', { attempts: 1, attemptsBeforeDelay: 2, retryAfterSeconds: 0 }) });
    expect(s.step).toBe('pair-pin');
    s = run(s, { type: 'SUBMIT_PAIR_PIN', pin: PIN }, { type: 'INSTALL' });
    expect(s.step).toBe('installing');
    s = transition(s, { type: 'PAIR_DONE', request: s.pending!, result: pairResponse(), removed: [], removeFailed: [] });
    expect(s).toMatchObject({ step: 'done', paired: { replacedRequest: true, renewalOf: null, with: PAIRABLE } });
    // The older certificate chosen on the places step survived the wrong PIN and goes with the pairing.
    expect(s.removeOlder).toEqual([older().fingerprintSha256]);
    expect(JSON.stringify(s)).not.toMatch(/Hallon|wrong"/);
  });
});
