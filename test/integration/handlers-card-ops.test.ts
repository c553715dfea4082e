/**
 * The card-ops channels end to end in one process: dispatch -> handlers -> CardOperations ->
 * SoftHSM2, exactly as the app and the preview call them. Tokens live in a temp dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PINS, ensureDemoCard } from '../../dev/demo-card';
import { createToken, type SoftHsmEnv } from '../../dev/softhsm';
import { dispatch } from '../../main/ipc/dispatch';
import { createServices, type Services } from '../../main/services';
import type { Envelope, EventOf } from '../../preload/contract';

// Test-only secrets of throwaway SoftHSM2 tokens.
const SO = '87654321';
const PIN = '246810';

let dir: string;
let env: SoftHsmEnv;
let modulePath: string;
let services: Services;
const previousConf = process.env.SOFTHSM2_CONF;

type Progress = EventOf<'card:progress'>;

/** Calls a channel as the UI does, collecting the progress events pushed back. */
async function call(channel: string, request: unknown): Promise<{ env: Envelope<any>; progress: Progress[] }> {
  const progress: Progress[] = [];
  const internal: unknown[] = [];
  const out = await dispatch(services, channel, request, (_c, err) => internal.push(err), {
    emit: (event, payload) => {
      expect(event).toBe('card:progress');
      progress.push(payload as Progress);
    },
  });
  expect(internal).toEqual([]);
  return { env: out, progress };
}

async function ok(channel: string, request: unknown): Promise<any> {
  const { env: e } = await call(channel, request);
  if (!e.ok) throw new Error(`${channel} failed: ${e.error.code} ${e.error.message}`);
  return e.value;
}

async function keyOf(label: string): Promise<string> {
  const snap = await ok('token:list', {});
  const t = snap.modules.flatMap((m: any) => m.tokens).find((x: any) => x.label === label);
  if (!t) throw new Error(`no token ${label}`);
  return t.key;
}

/** Does another PKCS#11 client (pkcs11-tool) log in with this PIN? */
function pinWorks(label: string, pin: string): boolean {
  const r = spawnSync('pkcs11-tool', ['--module', modulePath, '--token-label', label, '--login', '--pin', 'env:TEST_PIN', '--list-objects'], {
    encoding: 'utf8',
    env: { ...process.env, SOFTHSM2_CONF: env.conf, TEST_PIN: pin },
  });
  return r.status === 0;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'eiddesk-handlers-cardops-'));
  const demo = ensureDemoCard(join(dir, 'demo'));
  if (!demo) throw new Error('softhsm2 is not installed: run npm run setup');
  ({ env, modulePath } = demo);
  // Every token is made before the services load the module (SoftHSM2 scans at C_Initialize).
  for (const label of ['Change me', 'Unblock me', 'Orphans', 'Pulled']) createToken(env, modulePath, { label, soPin: SO, userPin: PIN, eids: [] });
  process.env.SOFTHSM2_CONF = env.conf;
  const memory = () => {
    let data: unknown = {};
    return { read: () => data, write: (v: unknown) => void (data = v) };
  };
  services = createServices({
    host: 'cli',
    modulesOverride: [modulePath],
    userSettings: memory(),
    policy: { read: () => ({}) },
    keystoreDir: join(dir, 'keystore'),
    osStore: { dir: join(dir, 'nssdb') },
  });
});

afterAll(() => {
  services?.close();
  if (previousConf === undefined) delete process.env.SOFTHSM2_CONF;
  else process.env.SOFTHSM2_CONF = previousConf;
  rmSync(dir, { recursive: true, force: true });
});

describe('pin:status', () => {
  it('reports the demo card fresh from its flags, with digit PINs and the SO PIN as unblock secret', async () => {
    const key = await keyOf('Åsa Öberg [DEMO]');
    const r = await ok('pin:status', { tokenKey: key });
    expect(r).toMatchObject({
      tokenKey: key,
      label: 'Åsa Öberg [DEMO]',
      digitsOnly: true,
      pin: { initialized: true, locked: false, finalTry: false, countLow: false, minLength: 4, maxLength: 255 },
      puk: { locked: false },
      change: { possible: true, blockedBy: null },
      unblock: { possible: true, method: 'so-login-init-pin', secretName: 'SO PIN' },
    });
    expect(r.serialNumber).toMatch(/^[0-9a-f]{16}$/);
    // A plain SoftHSM2 token takes any characters.
    expect(await ok('pin:status', { tokenKey: await keyOf('Change me') })).toMatchObject({ digitsOnly: false });
  });

  it('a key naming no token is token-not-present', async () => {
    const key = await keyOf('Change me');
    const { env: e } = await call('pin:status', { tokenKey: key.replace(/#[^#]*$/, '#0000000000000000') });
    expect(e).toMatchObject({ ok: false, error: { code: 'token-not-present' } });
  });
});

describe('card:test-sign', () => {
  it("signs with the demo card's signing e-ID (02) and the signature verifies", async () => {
    const key = await keyOf('Åsa Öberg [DEMO]');
    const { env: e, progress } = await call('card:test-sign', { tokenKey: key, eidId: '02', pin: DEMO_PINS.user });
    expect(e.ok).toBe(true);
    const r = (e as { value: any }).value;
    expect(r).toMatchObject({ tokenKey: key, id: '02', label: 'Underskrift', holder: 'Åsa Öberg', verified: true, algorithm: 'sha256WithRSAEncryption', keyType: 'rsa' });
    expect(r.durationMs).toBeGreaterThan(0);
    expect(r.signMs).toBeLessThanOrEqual(r.durationMs);
    expect(r.challenge).toMatch(/^[0-9a-f]{64}$/);
    // Progress went to the caller: login and signing, neither critical (nothing is written).
    expect(progress.map((p) => p.step)).toEqual(expect.arrayContaining(['login', 'signing']));
    expect(progress.every((p) => p.tokenKey === key && p.operation === 'test-sign' && !p.critical)).toBe(true);
  });

  it('a wrong PIN is pin-incorrect with the tries left as far as the module tells', async () => {
    const key = await keyOf('Åsa Öberg [DEMO]');
    const { env: e } = await call('card:test-sign', { tokenKey: key, eidId: '02', pin: '000000' });
    // SoftHSM2 keeps no exact count (triesLeft unknown) but raises CKF_USER_PIN_COUNT_LOW.
    expect(e).toMatchObject({ ok: false, error: { code: 'pin-incorrect', details: { triesLeft: null, finalTry: false, countLow: true } } });
    expect(JSON.stringify(e)).not.toContain('000000');
    // The status shows it before the next try...
    expect(await ok('pin:status', { tokenKey: key })).toMatchObject({ pin: { countLow: true, locked: false } });
    // ...and the right PIN still works afterwards and clears it.
    expect(await ok('card:test-sign', { tokenKey: key, eidId: '01', pin: DEMO_PINS.user })).toMatchObject({ id: '01', verified: true });
    expect(await ok('pin:status', { tokenKey: key })).toMatchObject({ pin: { countLow: false } });
  });

  it('an e-ID that is not on the card is not-found, naming the ones that are', async () => {
    const key = await keyOf('Åsa Öberg [DEMO]');
    const { env: e } = await call('card:test-sign', { tokenKey: key, eidId: '7F', pin: DEMO_PINS.user });
    expect(e).toMatchObject({ ok: false, error: { code: 'not-found', message: expect.stringContaining('02 (Underskrift)') } });
  });
});

describe('pin:change', () => {
  it('a wrong old PIN is pin-incorrect and changes nothing', async () => {
    const key = await keyOf('Change me');
    const { env: e, progress } = await call('pin:change', { tokenKey: key, oldPin: '999999', newPin: '13579' });
    expect(e).toMatchObject({ ok: false, error: { code: 'pin-incorrect' } });
    expect((e as any).error.details).toHaveProperty('triesLeft');
    expect(progress.some((p) => p.critical)).toBe(false);
    expect(pinWorks('Change me', PIN)).toBe(true);
  });

  it('a new PIN outside the length rules is pin-len-range with the rule', async () => {
    const key = await keyOf('Change me');
    const { env: e } = await call('pin:change', { tokenKey: key, oldPin: PIN, newPin: '12' });
    expect(e).toMatchObject({ ok: false, error: { code: 'pin-len-range', details: { min: 4, max: 255 } } });
    expect(pinWorks('Change me', PIN)).toBe(true);
  });

  it('changes the PIN: the new one signs in, the old one no longer does; "do not remove" while it matters', async () => {
    const key = await keyOf('Change me');
    const { env: e, progress } = await call('pin:change', { tokenKey: key, oldPin: PIN, newPin: 'n3w-PIN' });
    expect(e).toMatchObject({ ok: true, value: { tokenKey: key, pin: { locked: false }, change: { possible: true } } });
    expect(progress.map((p) => `${p.step}${p.critical ? '!' : ''}`)).toEqual(['login', 'changing-pin!', 'done']);
    expect(progress.every((p) => p.operation === 'pin-change' && p.tokenKey === key)).toBe(true);
    expect(pinWorks('Change me', 'n3w-PIN')).toBe(true);
    expect(pinWorks('Change me', PIN)).toBe(false);
  });
});

describe('pin:unblock', () => {
  it('a wrong SO PIN is puk-incorrect; the right one sets a new user PIN', async () => {
    const key = await keyOf('Unblock me');
    const wrong = await call('pin:unblock', { tokenKey: key, puk: '11111111', newPin: '5555' });
    expect(wrong.env).toMatchObject({ ok: false, error: { code: 'puk-incorrect' } });
    expect(pinWorks('Unblock me', PIN)).toBe(true);
    const { env: e, progress } = await call('pin:unblock', { tokenKey: key, puk: SO, newPin: '5555' });
    expect(e).toMatchObject({ ok: true, value: { pin: { locked: false, initialized: true } } });
    expect(progress.filter((p) => p.critical).map((p) => p.step)).toEqual(['unblocking-pin']);
    expect(pinWorks('Unblock me', '5555')).toBe(true);
    expect(pinWorks('Unblock me', PIN)).toBe(false);
  });
});

describe('orphan keys', () => {
  it('lists a key without its certificate after the PIN, deletes it on request, refuses an e-ID', async () => {
    const key = await keyOf('Orphans');
    expect(await ok('card:orphans', { tokenKey: key, pin: PIN })).toEqual({ tokenKey: key, orphans: [], privateKeysVisible: true });
    // A key that never got its certificate: what a failed enrolment leaves.
    const made = await services.cardOps.generateKey(key, { pin: PIN, algorithm: 'ec-p256', subject: 'CN=Orphan Test', id: 'A1B2', label: 'left behind' });
    expect(made.id).toBe('A1B2');
    const listed = await ok('card:orphans', { tokenKey: key, pin: PIN });
    expect(listed.orphans).toEqual([expect.objectContaining({ id: 'A1B2', label: 'left behind', keyType: 'ec', hasPrivateKey: true, generatedOnCard: true })]);
    expect(listed.orphans[0].publicKeySha256).toMatch(/^[0-9a-f:]+$/i);
    // Without the PIN only public objects are seen, and the answer says so.
    expect(await ok('card:orphans', { tokenKey: key })).toMatchObject({ privateKeysVisible: false });

    const { env: e, progress } = await call('card:delete-orphans', { tokenKey: key, pin: PIN, ids: ['a1b2'] });
    expect(e).toMatchObject({ ok: true, value: { deleted: [{ id: 'A1B2', objects: 2 }], remaining: [] } });
    expect(progress.filter((p) => p.critical).map((p) => p.step)).toEqual(['deleting-keys']);
    expect((await ok('card:orphans', { tokenKey: key, pin: PIN })).orphans).toEqual([]);

    // The demo card's e-ID keys have certificates: not orphans, nothing deleted.
    const demo = await keyOf('Åsa Öberg [DEMO]');
    const refused = await call('card:delete-orphans', { tokenKey: demo, pin: DEMO_PINS.user, ids: ['01'] });
    expect(refused.env).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await ok('card:test-sign', { tokenKey: demo, eidId: '01', pin: DEMO_PINS.user })).toMatchObject({ verified: true });
  });

  it('a wrong PIN when listing is pin-incorrect', async () => {
    const key = await keyOf('Orphans');
    expect((await call('card:orphans', { tokenKey: key, pin: 'nope' })).env).toMatchObject({ ok: false, error: { code: 'pin-incorrect' } });
  });
});

describe('a card pulled', () => {
  it('an operation on a token that went away fails clearly, and works again when it is back', async () => {
    const key = await keyOf('Pulled');
    const snap = await ok('token:list', {});
    expect(snap.modules[0].tokens.some((t: any) => t.key === key)).toBe(true);
    // Find its directory (SoftHSM2 names them by UUID; the label is stored blank-padded) and move it away.
    const padded = Buffer.concat([Buffer.from('Pulled'), Buffer.alloc(32 - 6, ' ')]);
    const tokenDir = readdirSync(env.tokenDir).map((d) => join(env.tokenDir, d)).find((d) => readFileSync(join(d, 'token.object')).includes(padded))!;
    const aside = join(dir, 'pulled-aside');
    renameSync(tokenDir, aside);
    try {
      const { env: e } = await call('pin:status', { tokenKey: key });
      expect(e.ok).toBe(false);
      expect(['token-not-present', 'token-removed']).toContain((e as any).error.code);
      const sign = await call('card:test-sign', { tokenKey: key, eidId: '01', pin: PIN });
      expect(['token-not-present', 'token-removed']).toContain((sign.env as any).error.code);
    } finally {
      renameSync(aside, tokenDir);
    }
    expect(await ok('pin:status', { tokenKey: key })).toMatchObject({ label: 'Pulled', pin: { locked: false } });
  });
});
