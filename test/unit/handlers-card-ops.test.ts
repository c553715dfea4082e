import { describe, expect, it } from 'vitest';
import { dispatch } from '../../main/ipc/dispatch';
import { modulePathOfKey, pinsAreDigits } from '../../main/ipc/handlers-card-ops';
import { EidError } from '../../main/errors';
import type { PinReport, TestSignResult } from '../../main/card/operations';
import type { Services } from '../../main/services';
import { events } from '../../preload/contract';

// Test-only values: nothing here is a real secret.
const KEY = '/usr/lib/softhsm/libsofthsm2.so#000000001a2b3c4d#4a3f9c2e1b0d8e7f';
const SITHS_KEY = 'C:\\Windows\\System32\\eTPKCS11.dll#0000000000000000#2B4C6D8E';
const PIN = '123456';
const NEW_PIN = '246810';
const PUK = '12345678';

function report(tokenKey = KEY, label = 'Åsa Öberg [DEMO]'): PinReport {
  return {
    tokenKey,
    label,
    serialNumber: '4a3f9c2e1b0d8e7f',
    pin: { initialized: true, countLow: false, finalTry: false, locked: false, toBeChanged: false, soLocked: false, triesLeft: null, minLength: 4, maxLength: 255, protectedAuthenticationPath: false },
    puk: { countLow: false, finalTry: false, locked: false, toBeChanged: false, triesLeft: null },
    change: { possible: true, blockedBy: null },
    unblock: { possible: true, blockedBy: null, method: 'so-login-init-pin', secretName: 'SO PIN' },
  };
}

const signResult: TestSignResult = {
  tokenKey: KEY,
  id: '02',
  label: 'Underskrift',
  holder: 'Åsa Öberg',
  verified: true,
  algorithm: 'sha256WithRSAEncryption',
  mechanism: 'CKM_SHA256_RSA_PKCS',
  keyType: 'rsa',
  keyBits: 2048,
  durationMs: 12.3,
  signMs: 4.5,
  certificateFingerprint: 'AB:CD',
  challenge: '00'.repeat(32),
};

/** What the engine answers for a key generation, with the fields the bridge does not pass on. */
function keygenResult(tokenKey: string) {
  return {
    tokenKey,
    id: '5E1A0C',
    label: 'eID Desk ec-p256 2026-12-01',
    algorithm: 'ec-p256',
    subjectDn: 'CN=Åsa Öberg, O=Demo',
    csrPem: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n',
    publicKeySha256: 'ab'.repeat(32),
    objects: { privateKey: true, publicKey: true, certificate: false },
    protection: { sensitive: true, extractable: false, neverExtractable: true, local: true },
    durationMs: 40,
  };
}

function writeResult(tokenKey: string) {
  return {
    tokenKey,
    id: '5E1A0C',
    label: 'Åsa Öberg',
    subjectDn: 'CN=Åsa Öberg, O=Demo',
    fingerprintSha256: 'AB:CD',
    notAfter: '2028-12-01T00:00:00.000Z',
    validity: 'valid',
    replaced: 0,
    objects: { privateKey: true, publicKey: true, certificate: true },
  };
}

/** A certificate file as the renderer sends it: any bytes in base64 (the engine parses them). */
const CERT_DATA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

interface Call {
  method: string;
  tokenKey: string;
  req: unknown;
}

/** Services whose cardOps records every call and reports two progress steps; the rest traps. */
function fakeServices(overrides: Partial<Record<string, (...a: any[]) => unknown>> = {}): { services: Services; calls: Call[] } {
  const calls: Call[] = [];
  const trap = new Proxy({}, { get: () => { throw new Error('only cardOps may be reached'); } });
  const op =
    (method: string, result: (key: string) => unknown) =>
    async (tokenKey: string, req?: unknown, opts?: { onProgress?: (p: { step: string; critical: boolean }) => unknown }) => {
      calls.push({ method, tokenKey, req });
      if (overrides[method]) return overrides[method]!(tokenKey, req, opts);
      await opts?.onProgress?.({ step: 'login', critical: false });
      await opts?.onProgress?.({ step: 'changing-pin', critical: true });
      return result(tokenKey);
    };
  const cardOps = {
    pinStatus: op('pinStatus', (k) => report(k)),
    changePin: op('changePin', (k) => report(k)),
    unblockPin: op('unblockPin', (k) => report(k)),
    testSign: op('testSign', () => signResult),
    listOrphans: op('listOrphans', (k) => ({ tokenKey: k, orphans: [], privateKeysVisible: true })),
    deleteOrphans: op('deleteOrphans', (k) => ({ tokenKey: k, deleted: [{ id: 'A1', objects: 2 }], remaining: [] })),
    generateKey: op('generateKey', (k) => keygenResult(k)),
    writeCertificate: op('writeCertificate', (k) => writeResult(k)),
  };
  return { services: { options: { host: 'cli' }, settings: trap, cards: trap, keystore: trap, osStore: trap, cardOps, close() {} } as unknown as Services, calls };
}

/** Every channel with a valid request, and requests that must be refused before the engine runs. */
const cases: Record<string, { valid: Record<string, unknown>; invalid: unknown[] }> = {
  'pin:status': {
    valid: { tokenKey: KEY },
    invalid: [{}, { tokenKey: '' }, { tokenKey: 42 }, { tokenKey: 'x'.repeat(5000) }, { tokenKey: KEY, pin: PIN }],
  },
  'pin:change': {
    valid: { tokenKey: KEY, oldPin: PIN, newPin: NEW_PIN },
    invalid: [
      { tokenKey: KEY, oldPin: PIN },
      { tokenKey: KEY, oldPin: '', newPin: NEW_PIN },
      { tokenKey: KEY, oldPin: PIN, newPin: '' },
      { tokenKey: KEY, oldPin: 123456, newPin: NEW_PIN },
      { tokenKey: KEY, oldPin: PIN, newPin: '9'.repeat(257) },
      { oldPin: PIN, newPin: NEW_PIN },
      { tokenKey: KEY, oldPin: PIN, newPin: NEW_PIN, confirm: NEW_PIN },
    ],
  },
  'pin:unblock': {
    valid: { tokenKey: KEY, puk: PUK, newPin: NEW_PIN },
    invalid: [{ tokenKey: KEY, puk: PUK }, { tokenKey: KEY, puk: '', newPin: NEW_PIN }, { tokenKey: KEY, oldPin: PIN, newPin: NEW_PIN }, { tokenKey: KEY, puk: 'x'.repeat(300), newPin: NEW_PIN }],
  },
  'card:test-sign': {
    valid: { tokenKey: KEY, eidId: '02', pin: PIN },
    invalid: [
      { tokenKey: KEY, pin: PIN },
      { tokenKey: KEY, eidId: '2', pin: PIN },
      { tokenKey: KEY, eidId: 'zz', pin: PIN },
      { tokenKey: KEY, eidId: '02', pin: '' },
      { tokenKey: KEY, eidId: '02' },
      { tokenKey: KEY, eidId: '02; rm -rf', pin: PIN },
    ],
  },
  'card:orphans': {
    valid: { tokenKey: KEY, pin: PIN },
    invalid: [{ pin: PIN }, { tokenKey: KEY, pin: '' }, { tokenKey: KEY, pin: 1234 }, { tokenKey: KEY, ids: ['A1'] }],
  },
  'card:delete-orphans': {
    valid: { tokenKey: KEY, pin: PIN, ids: ['A1', ''] },
    invalid: [
      { tokenKey: KEY, pin: PIN, ids: [] },
      { tokenKey: KEY, pin: PIN },
      { tokenKey: KEY, ids: ['A1'] },
      { tokenKey: KEY, pin: PIN, ids: ['not hex'] },
      { tokenKey: KEY, pin: PIN, ids: 'A1' },
      { tokenKey: KEY, pin: PIN, ids: Array.from({ length: 65 }, (_, i) => i.toString(16).padStart(2, '0')) },
    ],
  },
  'card:keygen': {
    valid: { tokenKey: KEY, algorithm: 'ec-p256', pin: PIN },
    invalid: [
      { tokenKey: KEY, pin: PIN },
      { tokenKey: KEY, algorithm: 'rsa1024', pin: PIN },
      { tokenKey: KEY, algorithm: 'ec-p256', pin: '' },
      { tokenKey: KEY, algorithm: 'ec-p256' },
      { tokenKey: KEY, algorithm: 'ec-p256', pin: PIN, subject: '' },
      { tokenKey: KEY, algorithm: 'ec-p256', pin: PIN, subject: 'CN='.repeat(400) },
      { tokenKey: KEY, algorithm: 'ec-p256', pin: PIN, id: '02' },
      { algorithm: 'rsa2048', pin: PIN },
    ],
  },
  'card:write-cert': {
    valid: { tokenKey: KEY, fileName: 'asa.cer', data: CERT_DATA, pin: PIN },
    invalid: [
      { tokenKey: KEY, fileName: 'asa.cer', data: CERT_DATA },
      { tokenKey: KEY, fileName: 'asa.cer', data: CERT_DATA, pin: '' },
      { tokenKey: KEY, fileName: 'asa.cer', data: 'not base64!', pin: PIN },
      { tokenKey: KEY, fileName: 'asa.cer', data: '', pin: PIN },
      { tokenKey: KEY, data: CERT_DATA, pin: PIN },
      { tokenKey: KEY, fileName: 'asa.cer', data: CERT_DATA, pin: PIN, replace: true },
      { fileName: 'asa.cer', data: CERT_DATA, pin: PIN },
    ],
  },
};

describe('card-ops channels through dispatch', () => {
  it('the test table covers every card-ops channel', async () => {
    const { cardOpsChannels } = await import('../../preload/channels/card-ops');
    expect(Object.keys(cases).sort()).toEqual(Object.keys(cardOpsChannels).sort());
  });

  describe.each(Object.entries(cases))('%s', (channel, { valid, invalid }) => {
    it('refuses malformed requests with validation, before the engine, naming fields but no values', async () => {
      for (const bad of invalid) {
        const { services, calls } = fakeServices();
        const env = await dispatch(services, channel, bad);
        expect(env, JSON.stringify(bad).slice(0, 60)).toMatchObject({ ok: false, error: { code: 'validation' } });
        expect(calls).toEqual([]);
        if (!env.ok) for (const s of [PIN, NEW_PIN, PUK, '999999999']) expect(env.error.message).not.toContain(s);
      }
    });

    it('passes a valid request to the engine and answers within the contract', async () => {
      const { services, calls } = fakeServices();
      const env = await dispatch(services, channel, valid);
      expect(env.ok).toBe(true);
      expect(calls).toHaveLength(1);
      expect(calls[0].tokenKey).toBe(KEY);
      // The answer never echoes a secret.
      const answer = JSON.stringify(env);
      for (const s of [NEW_PIN, PUK]) expect(answer).not.toContain(s);
    });
  });

  it('maps requests to the engine arguments', async () => {
    const { services, calls } = fakeServices();
    await dispatch(services, 'pin:change', { tokenKey: KEY, oldPin: PIN, newPin: NEW_PIN });
    await dispatch(services, 'pin:unblock', { tokenKey: KEY, puk: PUK, newPin: NEW_PIN });
    await dispatch(services, 'card:test-sign', { tokenKey: KEY, eidId: '02', pin: PIN });
    await dispatch(services, 'card:orphans', { tokenKey: KEY });
    await dispatch(services, 'card:delete-orphans', { tokenKey: KEY, pin: PIN, ids: ['a1'] });
    await dispatch(services, 'card:keygen', { tokenKey: KEY, algorithm: 'rsa3072', pin: PIN });
    await dispatch(services, 'card:keygen', { tokenKey: KEY, algorithm: 'ec-p256', subject: ' CN=Test, O=Org ', pin: PIN });
    expect(calls.map((c) => [c.method, c.req])).toEqual([
      ['changePin', { oldPin: PIN, newPin: NEW_PIN }],
      ['unblockPin', { puk: PUK, newPin: NEW_PIN }],
      ['testSign', { pin: PIN, id: '02' }],
      ['listOrphans', {}],
      ['deleteOrphans', { pin: PIN, ids: ['a1'] }],
      ['generateKey', { pin: PIN, algorithm: 'rsa3072' }],
      ['generateKey', { pin: PIN, algorithm: 'ec-p256', subject: 'CN=Test, O=Org' }],
    ]);
  });

  it('the certificate file reaches the engine as its bytes; the answers carry no PIN and only public data', async () => {
    const { services, calls } = fakeServices();
    const env = await dispatch(services, 'card:write-cert', { tokenKey: KEY, fileName: 'asa.cer', data: CERT_DATA, pin: PIN });
    expect(env).toMatchObject({ ok: true, value: { id: '5E1A0C', subjectDn: 'CN=Åsa Öberg, O=Demo', validity: 'valid' } });
    const req = calls[0].req as { pin: string; certificate: Buffer };
    expect(req.pin).toBe(PIN);
    expect(Buffer.isBuffer(req.certificate) && req.certificate.equals(Buffer.from(CERT_DATA, 'base64'))).toBe(true);
    const gen = await dispatch(services, 'card:keygen', { tokenKey: KEY, algorithm: 'ec-p256', pin: PIN });
    expect(gen).toMatchObject({ ok: true, value: { id: '5E1A0C', csrPem: expect.stringContaining('BEGIN CERTIFICATE REQUEST'), publicKeySha256: 'ab'.repeat(32) } });
    for (const env2 of [env, gen]) expect(JSON.stringify(env2)).not.toContain(PIN);
  });

  it('pushes progress to the calling window as card:progress, valid against the event schema', async () => {
    const { services } = fakeServices();
    const seen: Array<{ event: string; payload: unknown }> = [];
    const env = await dispatch(services, 'pin:change', { tokenKey: KEY, oldPin: PIN, newPin: NEW_PIN }, undefined, { emit: (event, payload) => seen.push({ event, payload }) });
    expect(env.ok).toBe(true);
    expect(seen).toEqual([
      { event: 'card:progress', payload: { tokenKey: KEY, operation: 'pin-change', step: 'login', critical: false } },
      { event: 'card:progress', payload: { tokenKey: KEY, operation: 'pin-change', step: 'changing-pin', critical: true } },
    ]);
    for (const s of seen) expect(events['card:progress'].safeParse(s.payload).success).toBe(true);
    // Each operation names itself.
    const ops: string[] = [];
    const emit = (_e: string, p: unknown) => void ops.push((p as { operation: string }).operation);
    await dispatch(services, 'pin:unblock', { tokenKey: KEY, puk: PUK, newPin: NEW_PIN }, undefined, { emit });
    await dispatch(services, 'card:test-sign', { tokenKey: KEY, eidId: '02', pin: PIN }, undefined, { emit });
    await dispatch(services, 'card:orphans', { tokenKey: KEY, pin: PIN }, undefined, { emit });
    await dispatch(services, 'card:delete-orphans', { tokenKey: KEY, pin: PIN, ids: ['A1'] }, undefined, { emit });
    await dispatch(services, 'card:keygen', { tokenKey: KEY, algorithm: 'rsa2048', pin: PIN }, undefined, { emit });
    await dispatch(services, 'card:write-cert', { tokenKey: KEY, fileName: 'a.pem', data: CERT_DATA, pin: PIN }, undefined, { emit });
    expect([...new Set(ops)]).toEqual(['pin-unblock', 'test-sign', 'orphans', 'delete-orphans', 'keygen', 'write-cert']);
  });

  it('a window that went away while progress is sent does not break the operation', async () => {
    const { services } = fakeServices();
    const env = await dispatch(services, 'pin:change', { tokenKey: KEY, oldPin: PIN, newPin: NEW_PIN }, undefined, {
      emit: () => {
        throw new Error('Object has been destroyed');
      },
    });
    expect(env).toMatchObject({ ok: true, value: { tokenKey: KEY } });
  });

  it('engine errors keep their code and details (tries left, length rules) and never a secret', async () => {
    const cases: Array<[string, Record<string, unknown>, EidError]> = [
      ['pin:change', { tokenKey: KEY, oldPin: PIN, newPin: NEW_PIN }, new EidError('pin-incorrect', 'The PIN is incorrect. One try is left before the PIN is blocked.', { triesLeft: 1, countLow: false, finalTry: true })],
      ['pin:change', { tokenKey: KEY, oldPin: PIN, newPin: '12' }, new EidError('pin-len-range', 'The new PIN must be 6 to 8 characters long for this card.', { min: 6, max: 8, length: 2 })],
      ['pin:unblock', { tokenKey: KEY, puk: PUK, newPin: NEW_PIN }, new EidError('puk-locked', 'The PUK is blocked too.', { triesLeft: 0 })],
      ['pin:unblock', { tokenKey: KEY, puk: PUK, newPin: NEW_PIN }, new EidError('unblock-unsupported', 'Refused.', { module: '/x.so', method: 'so-login-init-pin', ckr: '0x54' })],
      ['card:test-sign', { tokenKey: KEY, eidId: '02', pin: PIN }, new EidError('pin-locked', 'The PIN is blocked.', { triesLeft: 0 })],
      ['card:delete-orphans', { tokenKey: KEY, pin: PIN, ids: ['A1'] }, new EidError('token-removed', 'The card was removed.', { operation: 'deleting orphan keys' })],
      ['card:keygen', { tokenKey: KEY, algorithm: 'ec-p256', pin: PIN }, new EidError('pin-incorrect', 'The PIN is incorrect.', { triesLeft: 2, countLow: true, finalTry: false })],
      ['card:keygen', { tokenKey: KEY, algorithm: 'rsa2048', pin: PIN }, new EidError('token-removed', 'The card was removed during the key generation.', { operation: 'the key generation' })],
      ['card:write-cert', { tokenKey: KEY, fileName: 'a.cer', data: CERT_DATA, pin: PIN }, new EidError('key-mismatch', 'No key on the card belongs to this certificate.')],
    ];
    for (const [channel, req, err] of cases) {
      const fail = () => Promise.reject(err);
      const { services } = fakeServices({ changePin: fail, unblockPin: fail, testSign: fail, deleteOrphans: fail, generateKey: fail, writeCertificate: fail });
      const env = await dispatch(services, channel, req);
      expect(env).toEqual({ ok: false, error: { code: err.code, message: err.message, details: err.details } });
      for (const s of [PIN, NEW_PIN, PUK]) expect(JSON.stringify(env)).not.toContain(s);
    }
  });

  it('an unexpected engine failure is internal, reported to the sink without the request', async () => {
    const { services } = fakeServices({ pinStatus: () => Promise.reject(new Error('segfault-ish at /home/secret')) });
    const sink: unknown[] = [];
    const env = await dispatch(services, 'pin:status', { tokenKey: KEY }, (ch, err) => sink.push([ch, (err as Error).message]));
    expect(env).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(env)).not.toContain('/home/secret');
    expect(sink).toEqual([['pin:status', 'segfault-ish at /home/secret']]);
  });

  it('an engine answer that breaks the contract is not passed on', async () => {
    const { services } = fakeServices({ testSign: async () => ({ ...signResult, algorithm: 'md5WithRSA' }) });
    expect(await dispatch(services, 'card:test-sign', { tokenKey: KEY, eidId: '02', pin: PIN })).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('the PIN status says whether the PINs are digits (SITHS modules, the demo card)', async () => {
    const { services } = fakeServices({ pinStatus: async (k: string) => report(k, k === KEY ? 'Test token' : 'Åsa Öberg (Legitimering)') });
    expect(await dispatch(services, 'pin:status', { tokenKey: KEY })).toMatchObject({ ok: true, value: { digitsOnly: false } });
    expect(await dispatch(services, 'pin:status', { tokenKey: SITHS_KEY })).toMatchObject({ ok: true, value: { digitsOnly: true } });
    const demo = fakeServices();
    expect(await dispatch(demo.services, 'pin:status', { tokenKey: KEY })).toMatchObject({ ok: true, value: { digitsOnly: true, label: 'Åsa Öberg [DEMO]' } });
  });
});

describe('token keys', () => {
  it('the module path is everything before the slot and serial, even with # in the path', () => {
    expect(modulePathOfKey(KEY)).toBe('/usr/lib/softhsm/libsofthsm2.so');
    expect(modulePathOfKey('/opt/my#vendor/libp11.so#0a#SER1')).toBe('/opt/my#vendor/libp11.so');
    expect(modulePathOfKey(SITHS_KEY)).toBe('C:\\Windows\\System32\\eTPKCS11.dll');
  });

  it('digit PINs for SafeNet (SITHS) and Net iD modules and the demo card only', () => {
    expect(pinsAreDigits(SITHS_KEY, 'Åsa Öberg (Legitimering)')).toBe(true);
    expect(pinsAreDigits('/usr/lib/libiidp11.so#01#X', 'SITHS')).toBe(true);
    expect(pinsAreDigits(KEY, 'Åsa Öberg [DEMO]')).toBe(true);
    expect(pinsAreDigits(KEY, 'Build server HSM')).toBe(false);
    expect(pinsAreDigits('/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so#01#X', 'PIV card')).toBe(false);
  });
});
