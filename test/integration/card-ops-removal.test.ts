import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_PINS } from '../../dev/demo-card';
import { CardOperations } from '../../main/card/operations';
import { pkcs11js } from '../../main/card/pkcs11';
import { countSessions, makeCardFixture, type CardFixture } from '../helpers/card-fixtures';
import { eidRejection } from '../helpers/rejection';

// A token pulled in the middle of an operation: its SoftHSM2 directory moved away at an exact
// step (the onProgress hook runs inside the operation, between card calls), or the whole module
// finalised under the operation through a second instance of the library.

const PIN = '112358';
const SO = '13213455';
const DEMO = 'Åsa Öberg [DEMO]';

let fx: CardFixture;

beforeAll(() => {
  fx = makeCardFixture([
    { label: 'Pulled keygen', userPin: PIN, soPin: SO },
    { label: 'Pulled PIN', userPin: PIN, soPin: SO },
  ]);
});
afterAll(() => fx?.close());

/** Finalises SoftHSM2 from a second instance of the library, as another program's crash would. */
function finaliseUnderneath(): void {
  const other = new (pkcs11js().PKCS11)();
  other.load(fx.modulePath);
  other.C_Finalize();
  other.close();
}

async function labels(): Promise<string[]> {
  return (await fx.service.snapshot()).modules.flatMap((m) => m.tokens.map((t) => t.label));
}

describe('token removed mid-operation', () => {
  it('test signature: the directory vanishes before C_Sign -> token-removed, sessions closed, view recovers', async () => {
    const key = await fx.keyOf(DEMO);
    const sessions = countSessions(fx.service.module(fx.modulePath).api);
    let putBack: (() => void) | undefined;
    try {
      const err = await eidRejection(
        fx.ops.testSign(key, { pin: DEMO_PINS.user, id: '02' }, {
          onProgress: (p) => {
            if (p.step === 'signing') putBack = fx.pull(DEMO);
          },
        }),
      );
      expect(err.code).toBe('token-removed');
      expect(err.message).toBe(`The card "${DEMO}" was removed, or its module stopped, during the test signature. Put the card back and try again.`);
      expect(sessions.opened).toBeGreaterThan(0);
      expect(sessions.closed).toBe(sessions.opened);
    } finally {
      sessions.restore();
    }
    // While it is out: not in the view, and operations say so.
    expect(await labels()).not.toContain(DEMO);
    expect((await eidRejection(fx.ops.pinStatus(key))).code).toBe('token-not-present');
    putBack!();
    expect(await labels()).toContain(DEMO);
    expect(await fx.keyOf(DEMO)).toBe(key);
    expect((await fx.ops.testSign(key, { pin: DEMO_PINS.user, id: '02' })).verified).toBe(true);
  });

  it('test signature: the module finalised under the operation -> token-removed; the next snapshot re-initialises', async () => {
    const key = await fx.keyOf(DEMO);
    const err = await eidRejection(
      fx.ops.testSign(key, { pin: DEMO_PINS.user, id: '01' }, {
        onProgress: (p) => {
          if (p.step === 'signing') finaliseUnderneath();
        },
      }),
    );
    expect(err.code).toBe('token-removed');
    expect(err.details?.ckr).toBe('0x190');
    expect(await labels()).toContain(DEMO);
    expect((await fx.ops.testSign(key, { pin: DEMO_PINS.user, id: '01' })).verified).toBe(true);
  });

  it('PIN change: pulled before C_SetPIN -> token-removed and the old PIN still works', async () => {
    const key = await fx.keyOf('Pulled PIN');
    let putBack: (() => void) | undefined;
    const err = await eidRejection(
      fx.ops.changePin(key, { oldPin: PIN, newPin: '999999' }, {
        onProgress: (p) => {
          if (p.step === 'changing-pin') {
            expect(p.critical).toBe(true);
            putBack = fx.pull('Pulled PIN');
          }
        },
      }),
    );
    expect(err.code).toBe('token-removed');
    // The error says how far it got, so the UI can tell "nothing changed" from "may have changed".
    expect(err.details).toMatchObject({ step: 'changing-pin', criticalReached: true });
    putBack!();
    await fx.service.snapshot();
    const again = await fx.ops.changePin(key, { oldPin: PIN, newPin: '999999' });
    expect(again.pin.locked).toBe(false);
    await fx.ops.changePin(key, { oldPin: '999999', newPin: PIN });
  });
});

describe('a snapshot handed to observe()', () => {
  it('spares one scan, serves one operation, and never acts on a token pulled since', async () => {
    const key = await fx.keyOf('Pulled PIN');
    const ops = new CardOperations(fx.service);
    const spy = vi.spyOn(fx.service, 'snapshot');
    try {
      ops.observe(await fx.service.snapshot());
      spy.mockClear();
      expect((await ops.pinStatus(key)).label).toBe('Pulled PIN');
      expect(spy).not.toHaveBeenCalled();
      await ops.pinStatus(key);
      expect(spy).toHaveBeenCalledTimes(1);

      ops.observe(await fx.service.snapshot());
      const putBack = fx.pull('Pulled PIN');
      try {
        const err = await eidRejection(ops.changePin(key, { oldPin: PIN, newPin: '808080' }));
        expect(err.code).toBe('token-removed');
      } finally {
        putBack();
      }
      await fx.service.snapshot();
      expect(fx.pkcs11Tool(['--token-label', 'Pulled PIN', '--login', '--pin', 'env:P', '--list-objects'], { P: PIN }).status).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  it('an old snapshot is not used', async () => {
    let now = 1_000_000;
    const ops = new CardOperations(fx.service, { now: () => now, snapshotMaxAgeMs: 2000 });
    const key = await fx.keyOf(DEMO);
    ops.observe(await fx.service.snapshot());
    now += 2001;
    const spy = vi.spyOn(fx.service, 'snapshot');
    try {
      await ops.pinStatus(key);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('key generation interrupted after the key exists', () => {
  it('module finalised while the CSR is signed: the error names the key left, and the orphan list finds it', async () => {
    const key = await fx.keyOf('Pulled keygen');
    const err = await eidRejection(
      fx.ops.generateKey(key, { pin: PIN, algorithm: 'ec-p256', subject: 'CN=Interrupted' }, {
        onProgress: (p) => {
          if (p.step === 'signing-request') finaliseUnderneath();
        },
      }),
    );
    expect(err.code).toBe('token-removed');
    expect(err.details).toMatchObject({ keyPairCreated: true, rolledBack: false, privateKeyLeft: true, publicKeyLeft: true });
    const keyId = String(err.details?.keyId);
    expect(keyId).toMatch(/^[0-9A-F]{16}$/);
    expect(err.message).toContain(`A new key pair with id ${keyId} may be left on the card without a certificate`);

    const orphans = (await fx.ops.listOrphans(key, { pin: PIN })).orphans;
    expect(orphans).toEqual([expect.objectContaining({ id: keyId, keyType: 'ec', curve: 'P-256', hasPrivateKey: true, hasPublicKey: true, generatedOnCard: true })]);
    await fx.ops.deleteOrphans(key, { pin: PIN, ids: [keyId] });
    expect((await fx.ops.listOrphans(key, { pin: PIN })).orphans).toEqual([]);
  });

  it('directory pulled while the CSR is signed, then put back: the key is there as an orphan', async () => {
    const key = await fx.keyOf('Pulled keygen');
    let putBack: (() => void) | undefined;
    const err = await eidRejection(
      fx.ops.generateKey(key, { pin: PIN, algorithm: 'rsa2048', subject: 'CN=Pulled' }, {
        onProgress: (p) => {
          if (p.step === 'signing-request') putBack = fx.pull('Pulled keygen');
        },
      }),
    );
    expect(err.code).toBe('token-removed');
    expect(err.details?.rolledBack).toBe(false);
    putBack!();
    const orphans = (await fx.ops.listOrphans(key, { pin: PIN })).orphans;
    expect(orphans.map((o) => [o.id, o.keyType, o.bits])).toEqual([[err.details?.keyId, 'rsa', 2048]]);
    await fx.ops.deleteOrphans(key, { pin: PIN, ids: [String(err.details?.keyId)] });
  });

  it('a failure with the card still present deletes the new key again and says so', async () => {
    const key = await fx.keyOf('Pulled keygen');
    const err = await eidRejection(
      fx.ops.generateKey(key, { pin: PIN, algorithm: 'ec-p256', subject: 'CN=Rolled back' }, {
        onProgress: (p) => {
          if (p.step === 'signing-request') throw new Error('simulated module failure');
        },
      }),
    );
    expect(err.details).toMatchObject({ keyPairCreated: true, rolledBack: true, privateKeyLeft: false });
    expect(err.message).toMatch(/The new key was deleted again; nothing was left on the card\.$/);
    expect((await fx.ops.listOrphans(key, { pin: PIN })).orphans).toEqual([]);
  });
});
