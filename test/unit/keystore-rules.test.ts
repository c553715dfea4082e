import { describe, expect, it } from 'vitest';
import { EidError } from '../../main/errors';
import { PIN_RULES, assertPinAcceptable, checkPin } from '../../main/keystore/pin-rules';
import { assertAttemptAllowed, delayAfter, recordFailure, retryAfterSeconds, wrongPinError, NO_FAILURES } from '../../main/keystore/throttle';
import { defaultKeystoreDir, keystoreDir } from '../../main/keystore/paths';

describe('PIN rules', () => {
  it('are data the UI can show, each with an id and text', () => {
    expect(PIN_RULES.map((r) => r.id)).toEqual(['min-length', 'max-length', 'not-repeated', 'not-sequence']);
    for (const r of PIN_RULES) expect(r.text.length).toBeGreaterThan(10);
  });

  it.each([
    ['', ['min-length']],
    ['a1b2c', ['min-length']],
    ['x'.repeat(129), ['max-length', 'not-repeated']],
    ['000000', ['not-repeated']],
    ['ÅÅÅÅÅÅ', ['not-repeated']],
    ['123456', ['not-sequence']],
    ['987654', ['not-sequence']],
    ['890123', ['not-sequence']],
    ['abcdefg', ['not-sequence']],
    ['ZYXWVU', ['not-sequence']],
    ['12345', ['min-length', 'not-sequence']],
  ])('%j breaks %j', (pin, broken) => {
    expect(checkPin(pin)).toEqual(broken);
  });

  it.each(['135790', '2580a!', 'Åäö123', 'yzabcd', '112233', 'correct horse battery'])('%j is accepted', (pin) => {
    expect(checkPin(pin)).toEqual([]);
    expect(() => assertPinAcceptable(pin)).not.toThrow();
  });

  it('counts characters, not UTF-16 units or bytes', () => {
    expect(checkPin('😀😁😂😃😄')).toEqual(['min-length']);
    expect(checkPin('😀😁😂😃😄😅')).toEqual([]);
  });

  it('throws pin-invalid naming the rule', () => {
    try {
      assertPinAcceptable('1111111');
      throw new Error('no throw');
    } catch (e) {
      expect(e).toBeInstanceOf(EidError);
      expect((e as EidError).code).toBe('pin-invalid');
      expect((e as EidError).details).toMatchObject({ rule: 'not-repeated' });
    }
  });
});

describe('throttle policy', () => {
  it('gives three free attempts, then 30, 60, 120 ... seconds, capped at an hour', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10, 50].map(delayAfter)).toEqual([0, 0, 0, 30, 60, 120, 240, 3600, 3600]);
  });

  it('computes the remaining wait from the clock', () => {
    let s = NO_FAILURES;
    for (let i = 0; i < 3; i++) s = recordFailure(s, 1_000_000);
    expect(retryAfterSeconds(s, 1_000_000)).toBe(30);
    expect(retryAfterSeconds(s, 1_000_000 + 29_001)).toBe(1);
    expect(retryAfterSeconds(s, 1_000_000 + 30_000)).toBe(0);
    expect(() => assertAttemptAllowed(s, 1_000_000 + 5_000)).toThrow(expect.objectContaining({ code: 'throttled', details: { retryAfterSeconds: 25, attempts: 3 } }));
    expect(() => assertAttemptAllowed(s, 1_000_000 + 30_000)).not.toThrow();
  });

  it('does not let a clock set backwards extend the wait beyond one delay', () => {
    const s = { failures: 3, lastFailureAt: 10_000_000 };
    expect(retryAfterSeconds(s, 0)).toBe(30);
  });

  it('says what happens next after a wrong PIN', () => {
    expect(wrongPinError({ failures: 1, lastFailureAt: 0 }).message).toMatch(/2 more wrong PINs are allowed/);
    expect(wrongPinError({ failures: 2, lastFailureAt: 0 }).message).toMatch(/1 more wrong PIN is allowed/);
    expect(wrongPinError({ failures: 3, lastFailureAt: 0 }).message).toMatch(/Wait 30 seconds/);
  });
});

describe('keystore directory', () => {
  const home = '/home/åsa';
  it('follows each platform convention', () => {
    expect(defaultKeystoreDir({}, 'linux', home)).toBe('/home/åsa/.local/share/eiddesk/keystore');
    expect(defaultKeystoreDir({ XDG_DATA_HOME: '/data/x' }, 'linux', home)).toBe('/data/x/eiddesk/keystore');
    expect(defaultKeystoreDir({ XDG_DATA_HOME: 'relative' }, 'linux', home)).toBe('/home/åsa/.local/share/eiddesk/keystore');
    expect(defaultKeystoreDir({ LOCALAPPDATA: 'C:\\Users\\Åsa\\AppData\\Local' }, 'win32', 'C:\\Users\\Åsa')).toBe('C:\\Users\\Åsa\\AppData\\Local\\eID Desk\\keystore');
    expect(defaultKeystoreDir({}, 'win32', 'C:\\Users\\Åsa')).toBe('C:\\Users\\Åsa\\AppData\\Local\\eID Desk\\keystore');
    expect(defaultKeystoreDir({}, 'darwin', '/Users/asa')).toBe('/Users/asa/Library/Application Support/eID Desk/keystore');
  });

  it('honours EIDDESK_KEYSTORE_DIR', () => {
    expect(keystoreDir({ EIDDESK_KEYSTORE_DIR: '/tmp/ks' }, 'linux', home)).toBe('/tmp/ks');
    expect(keystoreDir({ EIDDESK_KEYSTORE_DIR: '' }, 'linux', home)).toBe('/home/åsa/.local/share/eiddesk/keystore');
  });
});
