/**
 * Key and certificate on the card through the bridge: `card:keygen` makes a key pair and a CSR on
 * a real SoftHSM2 token, an openssl CA issues the certificate, `card:write-cert` puts it next to
 * its key, and the card view then shows the e-ID with its key (no orphan left). Also the refusals
 * the dialogs explain: a wrong PIN and a certificate whose key is not on the card.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../main/ipc/dispatch';
import { createServices, type Services } from '../../main/services';
import type { Envelope, EventOf } from '../../preload/contract';
import { makeCardFixture, openssl, type CardFixture } from '../helpers/card-fixtures';

// Test-only secrets of a throwaway SoftHSM2 token.
const PIN = '246810';
const SO = '87654321';
const LABEL = 'Keygen via bridge';

let fx: CardFixture;
let services: Services;

async function call(channel: string, request: unknown): Promise<{ env: Envelope<any>; progress: Array<EventOf<'card:progress'>> }> {
  const progress: Array<EventOf<'card:progress'>> = [];
  const internal: unknown[] = [];
  const env = await dispatch(services, channel, request, (_c, err) => internal.push(err), { emit: (_e, p) => void progress.push(p as EventOf<'card:progress'>) });
  expect(internal).toEqual([]);
  return { env, progress };
}

async function ok(channel: string, request: unknown): Promise<any> {
  const { env } = await call(channel, request);
  if (!env.ok) throw new Error(`${channel} failed: ${env.error.code} ${env.error.message}`);
  return env.value;
}

async function tokenView(label: string): Promise<any> {
  const snap = await ok('token:list', {});
  return snap.modules.flatMap((m: any) => m.tokens).find((t: any) => t.label === label);
}

/** Runs openssl in the fixture dir and fails the test with its stderr if it fails. */
function must(args: string[]): string {
  const r = openssl(args);
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  return r.stdout + r.stderr;
}

/** A CA made with openssl in the fixture dir; `issue` signs a CSR with it (an authentication certificate). */
function opensslCa(dir: string) {
  const key = join(dir, 'ca.key');
  const cert = join(dir, 'ca.pem');
  must(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=Keygen Test CA', '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const ext = join(dir, 'leaf.ext');
  writeFileSync(ext, 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  return {
    issue(csrFile: string, out: string): string {
      must(['x509', '-req', '-in', csrFile, '-CA', cert, '-CAkey', key, '-CAcreateserial', '-days', '10', '-sha256', '-extfile', ext, '-out', out]);
      return out;
    },
  };
}

beforeAll(() => {
  fx = makeCardFixture([{ label: LABEL, userPin: PIN, soPin: SO }]);
  const memory = () => {
    let data: unknown = {};
    return { read: () => data, write: (v: unknown) => void (data = v) };
  };
  services = createServices({ host: 'cli', modulesOverride: [fx.modulePath], userSettings: memory(), policy: { read: () => ({}) }, keystoreDir: join(fx.dir, 'keystore'), osStore: { dir: join(fx.dir, 'nssdb') } });
});

afterAll(() => {
  services?.close();
  fx?.close();
});

describe('card:keygen and card:write-cert on SoftHSM2', () => {
  it('keygen -> CSR verifies -> CA issues -> write-cert: the token lists the e-ID with its key, no orphan left', async () => {
    const token = await tokenView(LABEL);
    const { env, progress } = await call('card:keygen', { tokenKey: token.key, algorithm: 'rsa2048', subject: 'CN=Åsa Öberg, O=Testregionen, C=SE', pin: PIN });
    if (!env.ok) throw new Error(`card:keygen failed: ${env.error.code} ${env.error.message}`);
    const gen = env.value;
    expect(gen).toMatchObject({ tokenKey: token.key, algorithm: 'rsa2048', subjectDn: expect.stringContaining('Åsa Öberg') });
    expect(gen.id).toMatch(/^[0-9A-F]{16}$/);
    expect(gen.publicKeySha256).toMatch(/^[0-9a-fA-F:]{64,}$/);
    // Only public data comes back, never the PIN.
    expect(Object.keys(gen).sort()).toEqual(['algorithm', 'csrPem', 'id', 'label', 'publicKeySha256', 'subjectDn', 'tokenKey']);
    expect(JSON.stringify(env)).not.toContain(PIN);
    // Generating and signing the request are the steps where pulling the card hurts.
    expect(progress.filter((p) => p.critical).map((p) => p.step)).toEqual(['generating-key', 'signing-request']);
    expect(progress.every((p) => p.operation === 'keygen' && p.tokenKey === token.key)).toBe(true);

    const csrFile = join(fx.dir, 'card.csr');
    writeFileSync(csrFile, gen.csrPem);
    expect(must(['req', '-verify', '-in', csrFile, '-noout'])).toMatch(/verif(y|ication) OK/i);

    // The new key is an orphan until its certificate comes.
    expect((await ok('card:orphans', { tokenKey: token.key, pin: PIN })).orphans.map((o: any) => o.id)).toEqual([gen.id]);

    const certFile = opensslCa(fx.dir).issue(csrFile, join(fx.dir, 'card.pem'));
    const w = await call('card:write-cert', { tokenKey: token.key, fileName: 'card.pem', data: Buffer.from(must(['x509', '-in', certFile])).toString('base64'), pin: PIN });
    expect(w.env).toMatchObject({ ok: true, value: { tokenKey: token.key, id: gen.id, label: gen.label, validity: 'valid', subjectDn: expect.stringContaining('Åsa Öberg') } });
    expect(w.progress.filter((p) => p.critical).map((p) => [p.operation, p.step])).toEqual([['write-cert', 'writing-certificate']]);

    const after = await tokenView(LABEL);
    const eid = after.eids.find((e: any) => e.id === gen.id);
    expect(eid).toMatchObject({ holder: 'Åsa Öberg', keyPresent: true });
    expect((await ok('card:orphans', { tokenKey: token.key, pin: PIN })).orphans).toEqual([]);
    // The key signs for this certificate.
    expect(await ok('card:test-sign', { tokenKey: token.key, eidId: gen.id, pin: PIN })).toMatchObject({ verified: true });
  });

  it("without a subject the CSR takes the card's current e-ID's subject (the demo card)", async () => {
    const demo = await tokenView('Åsa Öberg [DEMO]');
    const gen = await ok('card:keygen', { tokenKey: demo.key, algorithm: 'ec-p256', pin: '123456' });
    expect(gen.subjectDn).toContain('Åsa Öberg');
    const csrFile = join(fx.dir, 'demo.csr');
    writeFileSync(csrFile, gen.csrPem);
    expect(must(['req', '-verify', '-in', csrFile, '-noout'])).toMatch(/verif(y|ication) OK/i);
    // Leave the demo card as it was.
    expect((await ok('card:delete-orphans', { tokenKey: demo.key, pin: '123456', ids: [gen.id] })).deleted).toHaveLength(1);
  });

  it('a wrong PIN is pin-incorrect, names no PIN, and makes no key', async () => {
    const token = await tokenView(LABEL);
    const { env } = await call('card:keygen', { tokenKey: token.key, algorithm: 'ec-p256', subject: 'CN=Nobody', pin: '999999' });
    expect(env).toMatchObject({ ok: false, error: { code: 'pin-incorrect' } });
    expect(JSON.stringify(env)).not.toContain('999999');
    const w = await call('card:write-cert', { tokenKey: token.key, fileName: 'x.pem', data: Buffer.from(must(['x509', '-in', join(fx.dir, 'card.pem')])).toString('base64'), pin: '999999' });
    expect(w.env).toMatchObject({ ok: false, error: { code: 'pin-incorrect' } });
    expect(JSON.stringify(w.env)).not.toContain('999999');
    expect((await ok('card:orphans', { tokenKey: token.key, pin: PIN })).orphans).toEqual([]);
  });

  it('a certificate whose key is not on the card is key-mismatch and writes nothing', async () => {
    const token = await tokenView(LABEL);
    const before = token.eids.length;
    const strange = join(fx.dir, 'strange.pem');
    must(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(fx.dir, 'strange.key'), '-out', strange, '-days', '5', '-subj', '/CN=Someone Else']);
    // Sent as DER, the way a .cer file comes.
    const der = join(fx.dir, 'strange.cer');
    must(['x509', '-in', strange, '-outform', 'DER', '-out', der]);
    const { env } = await call('card:write-cert', { tokenKey: token.key, fileName: 'strange.cer', data: readFileSync(der).toString('base64'), pin: PIN });
    expect(env.ok).toBe(false);
    expect(env.ok ? '' : env.error.code).toBe('key-mismatch');
    expect(env.ok ? '' : env.error.message).toMatch(/key/i);
    expect(JSON.stringify(env)).not.toContain(PIN);
    expect((await tokenView(LABEL)).eids).toHaveLength(before);
  });

  it('a file that is no certificate is refused before the card is touched', async () => {
    const token = await tokenView(LABEL);
    const { env, progress } = await call('card:write-cert', { tokenKey: token.key, fileName: 'notes.txt', data: Buffer.from('hello, not a certificate').toString('base64'), pin: PIN });
    expect(env.ok).toBe(false);
    expect(progress).toEqual([]);
  });
});
