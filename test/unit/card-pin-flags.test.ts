import { describe, expect, it } from 'vitest';
import { checkPinLength, soPinStateFromFlags, TOKEN_FLAGS as F, userPinStateFromFlags, wrongSecretError, blockedSecretError } from '../../main/card/pin-flags';
import { pinReport } from '../../main/card/pin';
import { GENERIC_PROFILE, PROFILES, profileFor } from '../../main/card/profiles';
import { pinStatusFromFlags } from '../../main/card/tokens';
import { EidError } from '../../main/errors';
import type { TokenView } from '../../main/card/types';

// Synthetic flags as real cards set them (SoftHSM2 only ever sets COUNT_LOW).
const BASE = F.TOKEN_INITIALIZED | F.USER_PIN_INITIALIZED;

describe('PIN flag decoding', () => {
  it('user PIN: fresh, count low, final try, locked, to be changed', () => {
    expect(pinStatusFromFlags(BASE, 6, 8)).toMatchObject({ initialized: true, countLow: false, finalTry: false, locked: false, toBeChanged: false, triesLeft: null, minLength: 6, maxLength: 8 });
    expect(pinStatusFromFlags(BASE | F.USER_PIN_COUNT_LOW, 6, 8)).toMatchObject({ countLow: true, triesLeft: null });
    expect(pinStatusFromFlags(BASE | F.USER_PIN_COUNT_LOW | F.USER_PIN_FINAL_TRY, 6, 8)).toMatchObject({ finalTry: true, triesLeft: 1 });
    expect(pinStatusFromFlags(BASE | F.USER_PIN_LOCKED, 6, 8)).toMatchObject({ locked: true, triesLeft: 0 });
    expect(pinStatusFromFlags(BASE | F.USER_PIN_TO_BE_CHANGED, 6, 8)).toMatchObject({ toBeChanged: true, locked: false });
    expect(pinStatusFromFlags(F.TOKEN_INITIALIZED, 4, 8).initialized).toBe(false);
    expect(pinStatusFromFlags(BASE | F.PROTECTED_AUTHENTICATION_PATH, 4, 8).protectedAuthenticationPath).toBe(true);
    // SO bits never leak into the user PIN state.
    expect(pinStatusFromFlags(BASE | F.SO_PIN_LOCKED | F.SO_PIN_FINAL_TRY, 4, 8)).toMatchObject({ locked: false, finalTry: false, soLocked: true });
  });

  it('the pure decoder agrees with pinStatusFromFlags on every combination of the four user bits', () => {
    const bits = [F.USER_PIN_COUNT_LOW, F.USER_PIN_FINAL_TRY, F.USER_PIN_LOCKED, F.USER_PIN_TO_BE_CHANGED];
    for (let m = 0; m < 16; m++) {
      const flags = bits.reduce((acc, b, i) => (m & (1 << i) ? acc | b : acc), BASE);
      const a = pinStatusFromFlags(flags, 4, 8);
      expect(userPinStateFromFlags(flags)).toEqual({ countLow: a.countLow, finalTry: a.finalTry, locked: a.locked, toBeChanged: a.toBeChanged, triesLeft: a.triesLeft });
    }
  });

  it('SO PIN / PUK bits', () => {
    expect(soPinStateFromFlags(BASE)).toEqual({ countLow: false, finalTry: false, locked: false, toBeChanged: false, triesLeft: null });
    expect(soPinStateFromFlags(BASE | F.SO_PIN_COUNT_LOW)).toMatchObject({ countLow: true, triesLeft: null });
    expect(soPinStateFromFlags(BASE | F.SO_PIN_FINAL_TRY)).toMatchObject({ finalTry: true, triesLeft: 1 });
    expect(soPinStateFromFlags(BASE | F.SO_PIN_LOCKED | F.SO_PIN_FINAL_TRY)).toMatchObject({ locked: true, triesLeft: 0 });
    expect(soPinStateFromFlags(BASE | F.USER_PIN_LOCKED).locked).toBe(false);
  });
});

describe('wrong and blocked secrets', () => {
  it('states the tries left when the flags tell', () => {
    const final = wrongSecretError('pin', userPinStateFromFlags(BASE | F.USER_PIN_FINAL_TRY), 'PIN');
    expect(final.code).toBe('pin-incorrect');
    expect(final.message).toBe('The PIN is incorrect. One try is left before the PIN is blocked.');
    expect(final.details).toEqual({ triesLeft: 1, countLow: false, finalTry: true });
    const low = wrongSecretError('pin', userPinStateFromFlags(BASE | F.USER_PIN_COUNT_LOW), 'PIN');
    expect(low.message).toBe('The PIN is incorrect. Only a few tries are left before the PIN is blocked.');
    expect(low.details?.triesLeft).toBeNull();
    expect(wrongSecretError('pin', userPinStateFromFlags(BASE), 'PIN').message).toBe('The PIN is incorrect.');
  });

  it('a wrong try that blocks the secret is reported as blocked', () => {
    const e = wrongSecretError('pin', userPinStateFromFlags(BASE | F.USER_PIN_LOCKED), 'PIN');
    expect(e.code).toBe('pin-locked');
    expect(e.details).toEqual({ triesLeft: 0 });
    const p = wrongSecretError('puk', soPinStateFromFlags(BASE | F.SO_PIN_LOCKED), 'PUK');
    expect(p.code).toBe('puk-locked');
    expect(p.message).toMatch(/PUK is blocked too.*contact the card issuer/);
  });

  it('PUK errors use the card family name', () => {
    const e = wrongSecretError('puk', soPinStateFromFlags(BASE | F.SO_PIN_FINAL_TRY), 'SO PIN');
    expect(e.code).toBe('puk-incorrect');
    expect(e.message).toBe('The SO PIN is incorrect. One try is left before the SO PIN is blocked.');
    expect(blockedSecretError('pin', 'PIN', 'SO PIN').message).toBe('The PIN is blocked after too many wrong tries. Unblock it with the SO PIN.');
  });
});

describe('PIN length rules', () => {
  const code = (f: () => void): EidError | undefined => {
    try {
      f();
    } catch (e) {
      return e as EidError;
    }
    return undefined;
  };
  it('checks min and max in bytes, with the rule in the message', () => {
    expect(code(() => checkPinLength('123456', 6, 8))).toBeUndefined();
    const short = code(() => checkPinLength('12345', 6, 8))!;
    expect(short.code).toBe('pin-len-range');
    expect(short.message).toBe('The new PIN must be 6 to 8 characters long for this card.');
    expect(short.details).toEqual({ min: 6, max: 8, length: 5 });
    expect(code(() => checkPinLength('123456789', 6, 8))?.details).toMatchObject({ length: 9 });
    expect(code(() => checkPinLength('1234567', 8, 8))?.message).toMatch(/exactly 8/);
    // Å is two bytes in UTF-8: PKCS#11 counts bytes.
    expect(code(() => checkPinLength('ÅÅÅÅ', 4, 6))?.details).toMatchObject({ length: 8 });
  });
  it('treats 0 and CK_UNAVAILABLE_INFORMATION as no limit, but never allows an empty PIN', () => {
    expect(code(() => checkPinLength('1'.repeat(300), 4, 0xffffffff))).toBeUndefined();
    expect(code(() => checkPinLength('1'.repeat(300), 4, 2 ** 64 - 1))).toBeUndefined();
    expect(code(() => checkPinLength('1', 0, 0))).toBeUndefined();
    expect(code(() => checkPinLength('', 0, 0))?.message).toBe('The new PIN must be at least 1 characters long for this card.');
  });
});

describe('module profiles and the PIN report', () => {
  it('selects the profile by file name on every platform, generic otherwise', () => {
    expect(profileFor('/usr/lib/softhsm/libsofthsm2.so').id).toBe('softhsm2');
    expect(profileFor('C:\\Program Files\\SoftHSM2\\lib\\softhsm2-x64.dll').id).toBe('softhsm2');
    expect(profileFor('/opt/homebrew/lib/softhsm/libsofthsm2.so').rescanNeedsReinitialize).toBe(true);
    expect(profileFor('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so').id).toBe('opensc');
    expect(profileFor('C:\\Windows\\System32\\eTPKCS11.dll').id).toBe('safenet');
    expect(profileFor('C:\\Program Files\\Net iD\\Client\\iidp11.dll').unblock).toBe('set-pin-public-session');
    expect(profileFor('/opt/vendor/libsomething-p11.so')).toBe(GENERIC_PROFILE);
    expect(GENERIC_PROFILE.unblock).toBe('so-login-init-pin');
    expect(PROFILES.find((p) => p.id === 'softhsm2')?.pukName).toBe('SO PIN');
  });

  const token = { key: 'k', label: 'Kort', serialNumber: '01' } as TokenView;
  it('offers unblock only when the profile can and the PUK is not blocked', () => {
    const ok = pinReport({ key: 'k', token, profile: GENERIC_PROFILE }, BASE | F.USER_PIN_LOCKED, 6, 8);
    expect(ok.change).toEqual({ possible: false, blockedBy: 'pin-locked' });
    expect(ok.unblock).toEqual({ possible: true, blockedBy: null, method: 'so-login-init-pin', secretName: 'PUK' });
    const pukGone = pinReport({ key: 'k', token, profile: GENERIC_PROFILE }, BASE | F.USER_PIN_LOCKED | F.SO_PIN_LOCKED, 6, 8);
    expect(pukGone.unblock).toMatchObject({ possible: false, blockedBy: 'puk-locked' });
    const none = pinReport({ key: 'k', token, profile: { ...GENERIC_PROFILE, unblock: 'none' } }, BASE, 6, 8);
    expect(none.unblock).toMatchObject({ possible: false, blockedBy: 'unsupported' });
    const blank = pinReport({ key: 'k', token, profile: GENERIC_PROFILE }, F.TOKEN_INITIALIZED, 6, 8);
    expect(blank.change).toEqual({ possible: false, blockedBy: 'pin-not-initialized' });
  });
});
