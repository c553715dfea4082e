import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERIC_PROFILE, PROFILES, type ModuleProfile } from '../../main/card/profiles';
import { CardOperations } from '../../main/card/operations';
import { makeCardFixture, type CardFixture } from '../helpers/card-fixtures';
import { eidRejection } from '../helpers/rejection';

// Test-only secrets of throwaway SoftHSM2 tokens.
const SO = '87654321';
const PIN = '246810';

let fx: CardFixture;

beforeAll(() => {
  fx = makeCardFixture([
    { label: 'PIN change', userPin: PIN, soPin: SO },
    { label: 'PIN wrong', userPin: PIN, soPin: SO },
    { label: 'PIN unblock', userPin: PIN, soPin: SO },
    { label: 'PIN public unblock', userPin: PIN, soPin: SO },
  ]);
});
afterAll(() => fx?.close());

/** Does pkcs11-tool (another process, another PKCS#11 client) log in with this PIN? */
function pinWorks(label: string, pin: string): boolean {
  const r = fx.pkcs11Tool(['--token-label', label, '--login', '--pin', 'env:TEST_PIN', '--list-objects'], { TEST_PIN: pin });
  return r.status === 0;
}

describe('PIN status', () => {
  it('reads the flags fresh and offers change and unblock the SoftHSM2 way', async () => {
    const r = await fx.ops.pinStatus(await fx.keyOf('PIN change'));
    expect(r.label).toBe('PIN change');
    expect(r.pin).toMatchObject({ initialized: true, locked: false, countLow: false, finalTry: false, minLength: 4, maxLength: 255, triesLeft: null });
    expect(r.puk).toMatchObject({ locked: false, countLow: false });
    expect(r.change).toEqual({ possible: true, blockedBy: null });
    expect(r.unblock).toEqual({ possible: true, blockedBy: null, method: 'so-login-init-pin', secretName: 'SO PIN' });
  });

  it('a key for a token that is not there is token-not-present', async () => {
    const key = await fx.keyOf('PIN change');
    const err = await eidRejection(fx.ops.pinStatus(key.replace(/#[^#]*$/, '#0000000000000000')));
    expect(err.code).toBe('token-not-present');
  });
});

describe('PIN change', () => {
  it('changes the PIN: the new one logs in, the old one no longer does', async () => {
    const key = await fx.keyOf('PIN change');
    const steps: string[] = [];
    const r = await fx.ops.changePin(key, { oldPin: PIN, newPin: '13579111' }, { onProgress: (p) => void steps.push(`${p.step}${p.critical ? '!' : ''}`) });
    expect(steps).toEqual(['login', 'changing-pin!', 'done']);
    expect(r.pin.locked).toBe(false);
    expect(pinWorks('PIN change', '13579111')).toBe(true);
    expect(pinWorks('PIN change', PIN)).toBe(false);
    // And our own engine agrees: the old PIN is now wrong.
    const err = await eidRejection(fx.ops.changePin(key, { oldPin: PIN, newPin: '11112222' }));
    expect(err.code).toBe('pin-incorrect');
    await fx.ops.changePin(key, { oldPin: '13579111', newPin: PIN });
    expect(pinWorks('PIN change', PIN)).toBe(true);
  });

  it('a wrong old PIN is pin-incorrect with the flags read right after (SoftHSM2 sets COUNT_LOW, no count)', async () => {
    const key = await fx.keyOf('PIN wrong');
    const err = await eidRejection(fx.ops.changePin(key, { oldPin: '000000', newPin: '123123' }));
    expect(err.code).toBe('pin-incorrect');
    expect(err.details).toMatchObject({ countLow: true, finalTry: false, triesLeft: null });
    expect(err.message).toMatch(/PIN is incorrect\. Only a few tries are left/);
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('000000');
    const status = await fx.ops.pinStatus(key);
    expect(status.pin.countLow).toBe(true);
    // The PIN itself did not change.
    expect(pinWorks('PIN wrong', PIN)).toBe(true);
    // A successful login clears the low count.
    expect((await fx.ops.pinStatus(key)).pin.countLow).toBe(false);
  });

  it('checks the new PIN against the token min/max before the card sees it', async () => {
    const key = await fx.keyOf('PIN wrong');
    const err = await eidRejection(fx.ops.changePin(key, { oldPin: '000000', newPin: '12' }));
    // Length is checked first: the wrong old PIN was never tried, so no try was spent.
    expect(err.code).toBe('pin-len-range');
    expect(err.details).toMatchObject({ min: 4, max: 255, length: 2 });
    expect((await fx.ops.pinStatus(key)).pin.countLow).toBe(false);
    const long = await eidRejection(fx.ops.changePin(key, { oldPin: PIN, newPin: '9'.repeat(256) }));
    expect(long.code).toBe('pin-len-range');
    expect(pinWorks('PIN wrong', PIN)).toBe(true);
  });
});

describe('PIN unblock', () => {
  it('a wrong SO PIN is puk-incorrect with the SO flags; the right one resets the user PIN', async () => {
    const key = await fx.keyOf('PIN unblock');
    const wrong = await eidRejection(fx.ops.unblockPin(key, { puk: '00000000', newPin: '555666' }));
    expect(wrong.code).toBe('puk-incorrect');
    expect(wrong.message).toMatch(/^The SO PIN is incorrect/);
    expect(wrong.details).toMatchObject({ countLow: true });
    expect((await fx.ops.pinStatus(key)).puk.countLow).toBe(true);
    expect(pinWorks('PIN unblock', PIN)).toBe(true);

    const steps: string[] = [];
    const r = await fx.ops.unblockPin(key, { puk: SO, newPin: '555666' }, { onProgress: (p) => void steps.push(p.step) });
    expect(steps).toEqual(['login', 'unblocking-pin', 'done']);
    expect(r.pin.locked).toBe(false);
    expect(r.puk.countLow).toBe(false);
    expect(pinWorks('PIN unblock', '555666')).toBe(true);
    expect(pinWorks('PIN unblock', PIN)).toBe(false);
  });

  it('checks the new PIN length before logging in as SO', async () => {
    const key = await fx.keyOf('PIN unblock');
    const err = await eidRejection(fx.ops.unblockPin(key, { puk: SO, newPin: '1' }));
    expect(err.code).toBe('pin-len-range');
    expect(pinWorks('PIN unblock', '555666')).toBe(true);
  });

  it('a module whose profile says it cannot unblock is refused without touching the card', async () => {
    const none: ModuleProfile = { ...GENERIC_PROFILE, unblock: 'none' };
    const ops = new CardOperations(fx.service, { profileFor: () => none });
    const key = await fx.keyOf('PIN unblock');
    expect((await ops.pinStatus(key)).unblock).toMatchObject({ possible: false, blockedBy: 'unsupported', method: 'none' });
    const err = await eidRejection(ops.unblockPin(key, { puk: SO, newPin: '777888' }));
    expect(err.code).toBe('unblock-unsupported');
    expect(err.message).toMatch(/libsofthsm2\.so/);
    expect(pinWorks('PIN unblock', '555666')).toBe(true);
  });

  it('the set-pin-public-session method runs C_SetPIN(PUK, new) in a public session', async () => {
    // SoftHSM2 does not unblock this way: it takes C_SetPIN in a public session as a user PIN change.
    // So the SO PIN is "wrong" here, which exercises the method and its PUK error mapping for real.
    const netid = PROFILES.find((p) => p.unblock === 'set-pin-public-session');
    expect(netid).toBeDefined();
    const ops = new CardOperations(fx.service, { profileFor: () => ({ ...netid!, pukName: 'PUK' }) });
    const key = await fx.keyOf('PIN public unblock');
    const err = await eidRejection(ops.unblockPin(key, { puk: SO, newPin: '999000' }));
    expect(err.code).toBe('puk-incorrect');
    expect(err.message).toMatch(/^The PUK is incorrect/);
    // With the secret the module compares against, the same call goes through and sets the new PIN.
    await ops.unblockPin(key, { puk: PIN, newPin: '999000' });
    expect(pinWorks('PIN public unblock', '999000')).toBe(true);
  });
});
