/**
 * How every card operation reaches its token: resolve the token key to a module and slot, check
 * that the same card still sits there, open one session, log in, report progress, and turn any
 * failure into an error that says what happened.
 *
 * The hard part is the card pulled (or the module reset) mid-operation. Modules do not agree on
 * what they return then: a real card says CKR_DEVICE_REMOVED or CKR_TOKEN_NOT_PRESENT, SoftHSM2
 * with its token directory gone says CKR_GENERAL_ERROR or CKR_OBJECT_HANDLE_INVALID, a module
 * finalised underneath says CKR_CRYPTOKI_NOT_INITIALIZED. So on any unexpected failure we ask the
 * slot again (C_GetTokenInfo): if the same token is no longer there, the error is 'token-removed'
 * whatever the module said.
 */
import { EidError, isEidError } from '../errors';
import { CKR, ckrOf, ckString, pkcs11js, toCardError, type Pkcs11Module } from './pkcs11';
import { blockedSecretError, soPinStateFromFlags, TOKEN_FLAGS, userPinStateFromFlags, wrongSecretError } from './pin-flags';
import { profileFor, type ModuleProfile } from './profiles';
import type { CardService } from './service';
import type { CardSnapshot, TokenView } from './types';

/** The steps an operation goes through, for the UI's progress and "do not remove the card". */
export type OperationStep =
  | 'login'
  | 'changing-pin'
  | 'unblocking-pin'
  | 'signing'
  | 'generating-key'
  | 'signing-request'
  | 'writing-certificate'
  | 'deleting-keys'
  | 'done';

/** One progress report. `critical`: pulling the card now would leave something half done. */
export interface OperationProgress {
  step: OperationStep;
  critical: boolean;
}

/** Options every operation takes. */
export interface OperationOptions {
  /**
   * Called at each step, awaited before the step runs. The UI shows "Do not remove the card"
   * while `critical` is true (seed 000); tests use it to pull the token at an exact moment.
   */
  onProgress?: (p: OperationProgress) => void | Promise<void>;
}

const CRITICAL: ReadonlySet<OperationStep> = new Set(['changing-pin', 'unblocking-pin', 'generating-key', 'signing-request', 'writing-certificate', 'deleting-keys']);

/** A token located for an operation. */
export interface TokenRef {
  key: string;
  module: Pkcs11Module;
  slot: Buffer;
  token: TokenView;
  profile: ModuleProfile;
}

/**
 * Finds the token a key names, in a snapshot of the configured modules only (a key coming over IPC
 * must never make us load a library the user did not configure). `recent` is a snapshot the
 * caller took moments ago (the CLI's own scan, the app's watcher): scanning a real card reads every
 * certificate on it, which takes a while. Reusing it is safe because onToken checks, before
 * anything else, that the slot still holds the token with this serial number.
 */
export async function resolveToken(
  service: CardService,
  key: string,
  profiles: (path: string) => ModuleProfile = profileFor,
  recent?: CardSnapshot,
): Promise<TokenRef> {
  const inRecent = recent?.modules.find((m) => m.status === 'ok' && m.tokens.some((t) => t.key === key));
  const found = inRecent ? { module: service.module(inRecent.path), token: inRecent.tokens.find((t) => t.key === key) as TokenView } : await service.findToken(key);
  if (!found) {
    throw new EidError('token-not-present', 'The card is not in the reader any more (or its module is not loaded). Insert it and try again.', { tokenKey: key });
  }
  return { key, module: found.module, slot: Buffer.from(found.token.slotId, 'hex'), token: found.token, profile: profiles(found.module.path) };
}

/** What an operation gets inside its session. */
export interface TokenSession {
  readonly ref: TokenRef;
  readonly api: Pkcs11Module['api'];
  readonly session: Buffer;
  /** Reports a step (and awaits the listener). */
  progress(step: OperationStep): Promise<void>;
  /** Fresh CK_TOKEN_INFO flags. */
  flags(): number;
}

/**
 * The CKR of anything pkcs11js throws. Most calls throw a Pkcs11Error with `code`; template
 * errors (C_CreateObject, C_GenerateKeyPair) come as a plain Error "CKR_NAME:number".
 */
export function ckrCode(err: unknown): number | undefined {
  const direct = ckrOf(err);
  if (direct !== undefined) return direct;
  if (isEidError(err)) {
    const s = err.details?.ckr;
    return typeof s === 'string' && /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : undefined;
  }
  const m = /^CKR_[A-Z_0-9]+:(\d+)/.exec((err as Error | null)?.message ?? '');
  return m ? Number(m[1]) : undefined;
}

/** toCardError for errors whose CKR is only in the message. */
function mapCardError(err: unknown, operation: string): EidError {
  if (isEidError(err)) return err;
  const ckr = ckrCode(err);
  if (ckr !== undefined && ckrOf(err) === undefined) {
    const name = ((err as Error).message ?? '').split(':')[0];
    return toCardError(Object.assign(new Error(name), { code: ckr }), operation);
  }
  return toCardError(err, operation);
}

/** Is the token the key names still in its slot, initialised and answering? */
export function tokenStillThere(ref: TokenRef): boolean {
  try {
    const info = ref.module.api.C_GetTokenInfo(ref.slot);
    return ckString(info.serialNumber) === ref.token.serialNumber && (info.flags & TOKEN_FLAGS.TOKEN_INITIALIZED) !== 0;
  } catch {
    return false;
  }
}

function removedError(ref: TokenRef, what: string, cause: unknown): EidError {
  const ckr = ckrCode(cause);
  return new EidError(
    'token-removed',
    `The card "${ref.token.label}" was removed, or its module stopped, during ${what}. Put the card back and try again.`,
    { operation: what, ...(ckr !== undefined ? { ckr: `0x${ckr.toString(16)}` } : {}) },
    { cause },
  );
}

/** Turns a failure into the error the user reads, checking the slot when the module was vague. */
export function explain(err: unknown, ref: TokenRef, what: string): EidError {
  // Our own errors (wrong PIN, key mismatch, token removed...) already say what happened.
  if (isEidError(err) && err.code !== 'pkcs11') return err;
  const mapped = mapCardError(err, what);
  if (mapped.code === 'token-removed') return removedError(ref, what, err);
  if (mapped.code !== 'pkcs11') return mapped;
  return tokenStillThere(ref) ? mapped : removedError(ref, what, err);
}

/**
 * Runs `fn` in one session on the token (exclusive on its module; the session is always closed,
 * which also logs out). Checks first that the slot still holds the same token.
 */
export async function onToken<T>(
  ref: TokenRef,
  opts: { rw: boolean; what: string; onProgress?: OperationOptions['onProgress'] },
  fn: (ts: TokenSession) => Promise<T> | T,
): Promise<T> {
  try {
    return await ref.module.withSession(ref.slot, { rw: opts.rw, operation: opts.what }, async (session) => {
      if (!tokenStillThere(ref)) throw removedError(ref, opts.what, undefined);
      // How far the operation got, so a "card removed" error can say whether the card may have
      // been changed (a critical step was reached) or certainly was not.
      let lastStep: string | null = null;
      let criticalReached = false;
      const ts: TokenSession = {
        ref,
        api: ref.module.api,
        session,
        progress: async (step) => {
          lastStep = step;
          criticalReached ||= CRITICAL.has(step);
          await opts.onProgress?.({ step, critical: CRITICAL.has(step) });
        },
        flags: () => ref.module.api.C_GetTokenInfo(ref.slot).flags,
      };
      try {
        return await fn(ts);
      } catch (err) {
        const e = explain(err, ref, opts.what);
        if (e.code !== 'token-removed') throw e;
        throw new EidError(e.code, e.message, { ...(e.details ?? {}), step: lastStep, criticalReached }, { cause: e.cause ?? err });
      }
    });
  } catch (err) {
    if (isEidError(err) && err.code !== 'pkcs11') throw err;
    // C_OpenSession itself failed: is the card gone?
    const there = await ref.module.exclusive(() => tokenStillThere(ref)).catch(() => false);
    throw there ? mapCardError(err, opts.what) : removedError(ref, opts.what, err);
  }
}

/** Safe flags read after a failure (the failure may be the token going away). */
function flagsAfterFailure(ts: TokenSession): number {
  try {
    return ts.flags();
  } catch {
    return 0;
  }
}

/**
 * C_Login as the user. A wrong PIN becomes 'pin-incorrect' with the tries left read from the
 * flags right after the failure; a blocked one 'pin-locked'. If the token is already logged in
 * (another application's session), we log out and in again so the PIN is really checked.
 */
export function loginUser(ts: TokenSession, pin: string): void {
  login(ts, pkcs11js().CKU_USER, pin, 'pin');
}

/** C_Login as SO (the PUK on cards, the SO PIN on SoftHSM2): wrong -> 'puk-incorrect'. */
export function loginSo(ts: TokenSession, puk: string): void {
  login(ts, pkcs11js().CKU_SO, puk, 'puk');
}

/** C_Login(CKU_CONTEXT_SPECIFIC) for keys with CKA_ALWAYS_AUTHENTICATE (typical of signing keys). */
export function loginContextSpecific(ts: TokenSession, pin: string): void {
  login(ts, pkcs11js().CKU_CONTEXT_SPECIFIC, pin, 'pin');
}

function login(ts: TokenSession, userType: number, secret: string, kind: 'pin' | 'puk', retried = false): void {
  try {
    ts.api.C_Login(ts.session, userType, secret);
  } catch (err) {
    const ckr = ckrCode(err);
    if (ckr === CKR.USER_ALREADY_LOGGED_IN && !retried) {
      try {
        ts.api.C_Logout(ts.session);
      } catch {
        /* logged in as the other user type: C_Login below reports it */
      }
      login(ts, userType, secret, kind, true);
      return;
    }
    throw secretError(ts, err, kind);
  }
}

/** Maps a failed C_Login / C_SetPIN / C_InitPIN to the PIN or PUK error, reading the flags. */
export function secretError(ts: TokenSession, err: unknown, kind: 'pin' | 'puk'): unknown {
  const ckr = ckrCode(err);
  const name = kind === 'pin' ? 'PIN' : ts.ref.profile.pukName;
  if (ckr === CKR.PIN_INCORRECT) {
    const flags = flagsAfterFailure(ts);
    const state = kind === 'pin' ? userPinStateFromFlags(flags) : soPinStateFromFlags(flags);
    return wrongSecretError(kind, state, name);
  }
  if (ckr === CKR.PIN_LOCKED) return blockedSecretError(kind, name, ts.ref.profile.pukName);
  if (ckr === CKR.PIN_LEN_RANGE) {
    // On login a PIN of the wrong length is simply not this card's PIN.
    const flags = flagsAfterFailure(ts);
    return wrongSecretError(kind, kind === 'pin' ? userPinStateFromFlags(flags) : soPinStateFromFlags(flags), name);
  }
  return err;
}

/** Reads attributes one call at a time when the batch fails (one unsupported attribute spoils a batch). */
export function readAttributes(ts: Pick<TokenSession, 'api' | 'session'>, handle: Buffer, types: readonly number[]): Map<number, Buffer | null> {
  const out = new Map<number, Buffer | null>();
  try {
    const values = ts.api.C_GetAttributeValue(ts.session, handle, types.map((type) => ({ type })));
    values.forEach((a, i) => out.set(types[i], a.value instanceof Buffer ? a.value : null));
    return out;
  } catch {
    for (const type of types) {
      try {
        const [a] = ts.api.C_GetAttributeValue(ts.session, handle, [{ type }]);
        out.set(type, a.value instanceof Buffer ? a.value : null);
      } catch {
        out.set(type, null);
      }
    }
    return out;
  }
}

/** CK_BBOOL attribute value. */
export function attrBool(v: Buffer | null | undefined): boolean | null {
  return v && v.length ? v[0] !== 0 : null;
}

/** CK_ULONG attribute value (native byte order; all our targets are little-endian). */
export function attrUlong(v: Buffer | null | undefined): number | null {
  if (!v || !v.length) return null;
  if (v.length >= 8) return Number(v.readBigUInt64LE(0));
  if (v.length >= 4) return v.readUInt32LE(0);
  return v[0];
}

/** Normalises a user-given CKA_ID: hex, optional colons/spaces, upper case. */
export function normaliseId(id: string): string {
  const hex = id.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new EidError('validation', `"${id}" is not a key id in hex (like 02 or 4A3F).`);
  return hex.toUpperCase();
}
