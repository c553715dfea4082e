/**
 * Runs the import machine against the bridge: holds the state, starts the requests the machine
 * accepts, feeds their answers back, and keeps the two secrets.
 *
 * The file's password and the chosen keystore PIN live in a ref here, never in the machine state,
 * React state, the URL or storage, and are never logged. The machine's `hasPassword` / `hasPin`
 * say when they may be held; this hook drops them the moment a flag turns false (Back to their
 * step, a finished or failed import that needs them retyped, Restart) and when the wizard closes.
 * JavaScript cannot wipe a string, so dropping the only reference is what "cleared" means here.
 * In pair mode the PIN is the existing PIN of the key being paired, held the same way.
 *
 * A certificate file (.cer/.pem/.p7b) has no password: the moment the machine accepts it, it is
 * inspected (`certificate:inspect`), so the step after picking shows what it holds and which key
 * here it belongs to, exactly as for a certificates-only .p12 after its password.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { bridge } from '../../bridge-client';
import { fileKind, initialState, normalisePassword, transition, type ImportEvent, type ImportState } from './import-machine';
import { readPickedFile } from './read-file';
import { toUiError, type ImportResult, type PairResponse } from './types';

interface Secrets {
  password: string | null;
  pin: string | null;
}

/** What the wizard's steps can do. */
export interface ImportWizard {
  readonly state: ImportState;
  /** A file is being read, or a certificate file inspected (between picking and the next step). */
  readonly reading: boolean;
  chooseFiles(files: ArrayLike<File> | null | undefined): Promise<void>;
  submitPassword(raw: string): Promise<void>;
  next(): void;
  submitPin(pin: string, confirm: string): void;
  /** Certificates only: pair with the key inspection named. */
  pair(): void;
  /** The PIN of the key being paired. */
  submitPairPin(pin: string): void;
  setTarget(target: 'keystore' | 'osStore', on: boolean): void;
  setRemoveOlder(fingerprint: string, on: boolean): void;
  install(): Promise<void>;
  back(): void;
  recover(): void;
  restart(): void;
}

/** The import wizard's state and actions. */
export function useImportWizard(): ImportWizard {
  const [state, setState] = useState<ImportState>(initialState);
  // How many picks are being read or inspected (a second file can be dropped while the first is).
  const [reading, setReading] = useState(0);
  const current = useRef<ImportState>(initialState);
  const secrets = useRef<Secrets>({ password: null, pin: null });

  const send = useCallback((e: ImportEvent): ImportState => {
    const prev = current.current;
    const next = transition(prev, e);
    if (next !== prev) {
      current.current = next;
      setState(next);
    }
    if (!next.hasPassword) secrets.current.password = null;
    if (!next.hasPin) secrets.current.pin = null;
    return next;
  }, []);

  // Closing the wizard (unmount) forgets both secrets.
  useEffect(() => {
    const held = secrets.current;
    return () => {
      held.password = null;
      held.pin = null;
    };
  }, []);

  // The PIN rules are shown before the user types: load them once, when the PIN step is near.
  const needRules = (state.step === 'contents' || state.step === 'pin') && !state.pinRules;
  useEffect(() => {
    if (!needRules) return;
    let live = true;
    bridge.call('keystore:pin-rules', {}).then(
      (rules) => live && send({ type: 'PIN_RULES_LOADED', rules }),
      (err) => live && send({ type: 'PIN_RULES_FAILED', error: toUiError(err) }),
    );
    return () => {
      live = false;
    };
  }, [needRules, send]);

  // The keystore's requests and e-IDs, to name the key and its wrong-PIN state: each time a
  // pairing step opens (after a wrong PIN the counts have changed).
  const needKeys = state.step === 'certificates-only' || state.step === 'pair-pin';
  useEffect(() => {
    if (!needKeys) return;
    let live = true;
    Promise.all([bridge.call('keystore:requests', {}), bridge.call('keystore:list', {})]).then(
      ([r, l]) => live && send({ type: 'KEYS_LOADED', holders: { requests: r.requests, entries: l.entries } }),
      (err) => live && send({ type: 'KEYS_FAILED', error: toUiError(err) }),
    );
    return () => {
      live = false;
    };
  }, [needKeys, send]);

  // The certificate store and its older certificates of this identity, each time the places step opens.
  const leafDer = state.report?.leafDer ?? null;
  const onTargets = state.step === 'targets';
  useEffect(() => {
    if (!onTargets) return;
    let live = true;
    (async () => {
      try {
        if (leafDer) {
          const r = await bridge.call('os-store:older', { certificate: leafDer });
          if (live) send({ type: 'STORE_LOADED', store: { kind: r.kind, location: r.location, available: r.available }, older: r.older });
          return;
        }
        const info = await bridge.call('os-store:info', {});
        if (live) send({ type: 'STORE_LOADED', store: info, older: [] });
      } catch (err) {
        if (live) send({ type: 'STORE_FAILED', error: toUiError(err) });
      }
    })();
    return () => {
      live = false;
    };
  }, [onTargets, leafDer, send]);

  const chooseFiles = useCallback(
    async (files: ArrayLike<File> | null | undefined) => {
      if (current.current.step !== 'pick') return;
      setReading((n) => n + 1);
      try {
        const out = await readPickedFile(files);
        const next = send(out.ok ? { type: 'FILE_READ', file: out.file } : { type: 'FILE_REFUSED', problem: out.problem });
        // A certificate file the machine took is inspected now (it asked by handing out a request number).
        const file = next.file;
        if (next.step !== 'pick' || next.pending === null || !file) return;
        const request = next.pending;
        try {
          const report = await bridge.call('certificate:inspect', { fileName: file.name, data: file.data });
          send({ type: 'INSPECT_DONE', request, report });
        } catch (err) {
          send({ type: 'INSPECT_FAILED', request, error: toUiError(err) });
        }
      } finally {
        setReading((n) => n - 1);
      }
    },
    [send],
  );

  const submitPassword = useCallback(
    async (raw: string) => {
      const { value, trimmed } = normalisePassword(raw);
      const started = send({ type: 'SUBMIT_PASSWORD', trimmed });
      const file = started.file;
      if (started.step !== 'password' || started.pending === null || !file) return;
      const request = started.pending;
      try {
        const report = await bridge.call('p12:inspect', { fileName: file.name, data: file.data, password: value });
        // Held only if the machine took the answer (not after Back or Cancel).
        const after = send({ type: 'INSPECT_DONE', request, report });
        if (after.hasPassword && after.report === report) secrets.current.password = value;
      } catch (err) {
        send({ type: 'INSPECT_FAILED', request, error: toUiError(err) });
      }
    },
    [send],
  );

  const submitPin = useCallback(
    (pin: string, confirm: string) => {
      const before = current.current;
      const after = send({ type: 'SUBMIT_PIN', pin, confirm });
      if (after !== before && after.hasPin) secrets.current.pin = pin;
    },
    [send],
  );

  const submitPairPin = useCallback(
    (pin: string) => {
      const before = current.current;
      const after = send({ type: 'SUBMIT_PAIR_PIN', pin });
      if (after !== before && after.hasPin) secrets.current.pin = pin;
    },
    [send],
  );

  /**
   * Pairs, then removes the older certificates the user chose, but only ones main reports as older
   * certificates of the new e-ID in the store (as p12:import does). A failed removal is reported,
   * not undone: the new e-ID is installed and usable by then.
   */
  const runPair = useCallback(
    async (started: ImportState, request: number) => {
      const file = started.file;
      const { password, pin } = secrets.current;
      if (!file) return;
      const source =
        fileKind(file.name) === 'p12'
          ? ({ kind: 'p12', fileName: file.name, data: file.data, password: password ?? '' } as const)
          : ({ kind: 'certificate', fileName: file.name, data: file.data } as const);
      let result: PairResponse;
      try {
        // The key the page named is the key main pairs with (not main's own first choice).
        const target = started.pairWith ? { target: { kind: started.pairWith.kind, id: started.pairWith.id } } : {};
        result = await bridge.call('keystore:pair', { source, pin: pin ?? '', targets: { keystore: true, osStore: started.targets.osStore }, ...target });
      } catch (err) {
        send({ type: 'PAIR_FAILED', request, error: toUiError(err) });
        return;
      }
      const older = new Set(result.older.map((o) => o.fingerprintSha256));
      const removed: string[] = [];
      const removeFailed: ImportResult['removeFailed'] = [];
      for (const fingerprint of started.removeOlder) {
        if (!older.has(fingerprint)) {
          removeFailed.push({ fingerprintSha256: fingerprint, code: 'not-found', message: 'That certificate is not an older certificate of this e-ID in the certificate store; it was left alone.' });
          continue;
        }
        try {
          await bridge.call('os-store:remove', { fingerprint });
          removed.push(fingerprint);
        } catch (err) {
          const e = toUiError(err);
          removeFailed.push({ fingerprintSha256: fingerprint, code: e.code, message: e.message });
        }
      }
      send({ type: 'PAIR_DONE', request, result, removed, removeFailed });
    },
    [send],
  );

  const install = useCallback(async () => {
    const before = current.current;
    const started = send({ type: 'INSTALL' });
    if (started === before || started.step !== 'installing' || started.pending === null || !started.file) return;
    const request = started.pending;
    if (started.pairMode) {
      await runPair(started, request);
      return;
    }
    const { file, targets, removeOlder } = started;
    const { password, pin } = secrets.current;
    try {
      const result = await bridge.call('p12:import', {
        fileName: file.name,
        data: file.data,
        password: password ?? '',
        targets: { keystore: targets.keystore, osStore: targets.osStore },
        removeOlder: [...removeOlder],
        ...(targets.keystore && pin !== null ? { keystorePin: pin } : {}),
      });
      send({ type: 'INSTALL_DONE', request, result });
    } catch (err) {
      send({ type: 'INSTALL_FAILED', request, error: toUiError(err) });
    }
  }, [send, runPair]);

  return {
    state,
    reading: reading > 0,
    chooseFiles,
    submitPassword,
    next: useCallback(() => void send({ type: 'NEXT' }), [send]),
    submitPin,
    pair: useCallback(() => void send({ type: 'PAIR' }), [send]),
    submitPairPin,
    setTarget: useCallback((target: 'keystore' | 'osStore', on: boolean) => void send({ type: 'SET_TARGET', target, on }), [send]),
    setRemoveOlder: useCallback((fingerprint: string, on: boolean) => void send({ type: 'SET_REMOVE_OLDER', fingerprint, on }), [send]),
    install,
    back: useCallback(() => void send({ type: 'BACK' }), [send]),
    recover: useCallback(() => void send({ type: 'RECOVER' }), [send]),
    restart: useCallback(() => void send({ type: 'RESTART' }), [send]),
  };
}
