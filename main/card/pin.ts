/**
 * PIN status, PIN change and PUK unblock on one token.
 *
 * PKCS#11 standardises the PIN change (C_SetPIN) but not the unblock: OpenSC and SoftHSM2 reset
 * the user PIN after C_Login as SO (with the PUK or SO PIN) + C_InitPIN, some vendor modules take
 * C_SetPIN(PUK, newPin) in a public session. The module profile (profiles.ts) says which; unknown
 * modules get the standard SO way and a clear 'unblock-unsupported' when the module refuses.
 */
import { EidError, isEidError } from '../errors';
import { CKR } from './pkcs11';
import { checkPinLength, soPinStateFromFlags, type SecretState } from './pin-flags';
import type { UnblockMethod } from './profiles';
import { ckrCode, loginSo, loginUser, onToken, secretError, tokenStillThere, type OperationOptions, type TokenRef, type TokenSession } from './session';
import { pinStatusFromFlags } from './tokens';
import type { PinStatus } from './types';

/** Why an action is not offered. */
export type PinActionBlocker = 'pin-locked' | 'pin-not-initialized' | 'puk-locked' | 'unsupported' | null;

/** Everything a PIN dialog shows before the user types. */
export interface PinReport {
  tokenKey: string;
  label: string;
  serialNumber: string;
  /** The user PIN, fresh from C_GetTokenInfo. */
  pin: PinStatus;
  /** The PUK (SO PIN on SoftHSM2). */
  puk: SecretState;
  change: { possible: boolean; blockedBy: PinActionBlocker };
  unblock: {
    possible: boolean;
    blockedBy: PinActionBlocker;
    method: UnblockMethod;
    /** What this card family calls the unblock secret ("PUK" or "SO PIN"). */
    secretName: 'PUK' | 'SO PIN';
  };
}

/** Builds the report from flags and the profile (pure, unit-tested). */
export function pinReport(ref: Pick<TokenRef, 'key' | 'token' | 'profile'>, flags: number, minLength: number, maxLength: number): PinReport {
  const pin = pinStatusFromFlags(flags, minLength, maxLength);
  const puk = soPinStateFromFlags(flags);
  const changeBlocker: PinActionBlocker = !pin.initialized ? 'pin-not-initialized' : pin.locked ? 'pin-locked' : null;
  const unblockBlocker: PinActionBlocker = ref.profile.unblock === 'none' ? 'unsupported' : puk.locked ? 'puk-locked' : null;
  return {
    tokenKey: ref.key,
    label: ref.token.label,
    serialNumber: ref.token.serialNumber,
    pin,
    puk,
    change: { possible: changeBlocker === null, blockedBy: changeBlocker },
    unblock: { possible: unblockBlocker === null, blockedBy: unblockBlocker, method: ref.profile.unblock, secretName: ref.profile.pukName },
  };
}

/** Fresh PIN status of the token (no session, no login). */
export async function readPinReport(ref: TokenRef): Promise<PinReport> {
  return ref.module.exclusive(() => {
    if (!tokenStillThere(ref)) throw new EidError('token-removed', `The card "${ref.token.label}" is no longer in the reader. Put it back and try again.`);
    const info = ref.module.api.C_GetTokenInfo(ref.slot);
    return pinReport(ref, info.flags, info.minPinLen, info.maxPinLen);
  });
}

/** The card refused a new PIN's length although the token info allowed it. */
function lengthRefused(min: number, max: number): EidError {
  return new EidError('pin-len-range', `The card refused the new PIN's length (it reports ${min} to ${max} characters). Try another length.`, { min, max });
}

function tokenInfo(ts: TokenSession): { flags: number; min: number; max: number } {
  const i = ts.api.C_GetTokenInfo(ts.ref.slot);
  return { flags: i.flags, min: i.minPinLen, max: i.maxPinLen };
}

/**
 * Changes the user PIN: checks the new PIN against the card's length rules, logs in with the old
 * one (a wrong old PIN is reported with the tries left), then C_SetPIN in that R/W session. A PIN
 * the card marks "to be changed" may refuse the login with CKR_PIN_EXPIRED; then C_SetPIN runs in
 * the public session, as PKCS#11 allows.
 */
export async function changePin(ref: TokenRef, req: { oldPin: string; newPin: string }, opts: OperationOptions = {}): Promise<PinReport> {
  return onToken(ref, { rw: true, what: 'the PIN change', onProgress: opts.onProgress }, async (ts) => {
    const before = tokenInfo(ts);
    const status = pinStatusFromFlags(before.flags, before.min, before.max);
    if (status.locked) throw secretError(ts, Object.assign(new Error('CKR_PIN_LOCKED'), { code: CKR.PIN_LOCKED }), 'pin');
    checkPinLength(req.newPin, before.min, before.max);
    await ts.progress('login');
    let loggedIn = true;
    try {
      loginUser(ts, req.oldPin);
    } catch (err) {
      if (ckrCode(err) !== CKR.PIN_EXPIRED) throw err;
      loggedIn = false;
    }
    await ts.progress('changing-pin');
    try {
      ts.api.C_SetPIN(ts.session, req.oldPin, req.newPin);
    } catch (err) {
      const ckr = ckrCode(err);
      if (ckr === CKR.PIN_LEN_RANGE) throw lengthRefused(before.min, before.max);
      if (ckr === CKR.PIN_INCORRECT || ckr === CKR.PIN_LOCKED) throw secretError(ts, err, 'pin');
      throw err;
    }
    if (loggedIn) ts.api.C_Logout(ts.session);
    await ts.progress('done');
    const after = tokenInfo(ts);
    return pinReport(ref, after.flags, after.min, after.max);
  });
}

/** CKRs by which a module says "I do not unblock this way". */
const NOT_THIS_WAY: ReadonlySet<number> = new Set([
  CKR.FUNCTION_NOT_SUPPORTED,
  CKR.USER_TYPE_INVALID,
  0x0006, // CKR_FUNCTION_FAILED: several card modules answer this to an SO login they do not offer
  0x00b5, // CKR_SESSION_READ_ONLY
  0x0101, // CKR_USER_NOT_LOGGED_IN: C_InitPIN refused
]);

/** The error for a module that does not unblock the way its profile says (pure, unit-tested). */
export function unblockUnsupported(modulePath: string, method: UnblockMethod, ckr: number | undefined): EidError {
  const how = method === 'so-login-init-pin' ? 'C_Login as SO + C_InitPIN' : method === 'set-pin-public-session' ? 'C_SetPIN in a public session' : 'any method';
  return new EidError(
    'unblock-unsupported',
    `This card's module (${modulePath.split(/[\\/]/).pop()}) does not unblock PINs through PKCS#11 (${how} was refused). Use the card issuer's tool or contact the issuer.`,
    { module: modulePath, method, ...(ckr !== undefined ? { ckr: `0x${ckr.toString(16)}` } : {}) },
  );
}

/**
 * Unblocks (resets) the user PIN with the PUK / SO PIN, the profile's way. A wrong PUK is
 * 'puk-incorrect' with its own tries left; a module that refuses the method is
 * 'unblock-unsupported'. Returns the fresh PIN status (the PIN is no longer blocked).
 */
export async function unblockPin(ref: TokenRef, req: { puk: string; newPin: string }, opts: OperationOptions = {}): Promise<PinReport> {
  const method = ref.profile.unblock;
  if (method === 'none') throw unblockUnsupported(ref.module.path, method, undefined);
  return onToken(ref, { rw: true, what: 'the PIN unblock', onProgress: opts.onProgress }, async (ts) => {
    const before = tokenInfo(ts);
    if (soPinStateFromFlags(before.flags).locked) throw secretError(ts, Object.assign(new Error('CKR_PIN_LOCKED'), { code: CKR.PIN_LOCKED }), 'puk');
    checkPinLength(req.newPin, before.min, before.max);
    await ts.progress('login');
    const refused = (err: unknown): never => {
      const ckr = ckrCode(err);
      if (ckr !== undefined && NOT_THIS_WAY.has(ckr)) throw unblockUnsupported(ref.module.path, method, ckr);
      throw err;
    };
    if (method === 'so-login-init-pin') {
      try {
        loginSo(ts, req.puk);
      } catch (err) {
        if (isEidError(err)) throw err;
        refused(err);
      }
      await ts.progress('unblocking-pin');
      try {
        ts.api.C_InitPIN(ts.session, req.newPin);
      } catch (err) {
        if (ckrCode(err) === CKR.PIN_LEN_RANGE) throw lengthRefused(before.min, before.max);
        refused(err);
      }
      ts.api.C_Logout(ts.session);
    } else {
      await ts.progress('unblocking-pin');
      try {
        ts.api.C_SetPIN(ts.session, req.puk, req.newPin);
      } catch (err) {
        const ckr = ckrCode(err);
        if (ckr === CKR.PIN_INCORRECT || ckr === CKR.PIN_LOCKED) throw secretError(ts, err, 'puk');
        if (ckr === CKR.PIN_LEN_RANGE) throw lengthRefused(before.min, before.max);
        refused(err);
      }
    }
    await ts.progress('done');
    const after = tokenInfo(ts);
    return pinReport(ref, after.flags, after.min, after.max);
  });
}
