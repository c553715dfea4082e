import { describe, expect, it } from 'vitest';
import { P12_MAX_BYTES } from '../../preload/channels/files';
import {
  fileRefusal,
  initialState,
  installBlocker,
  normalisePassword,
  returnStepFor,
  transition,
  type ImportEvent,
  type ImportState,
} from '../../renderer/pages/files/import-machine';
import { brokenRules, meetsRule, pinProblems } from '../../renderer/pages/files/pin-check';
import { RULES, STORE, certificatesOnlyReport, importResult, keyOnlyReport, older, report } from '../helpers/renderer-files-fixtures';

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
    expect(fileRefusal({ name: 'cert.pem', size: 10 })).toBe('wrong-type');
    expect(fileRefusal({ name: 'x.p12.txt', size: 10 })).toBe('wrong-type');
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
