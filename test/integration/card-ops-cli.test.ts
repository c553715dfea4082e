import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PINS } from '../../dev/demo-card';
import { issue, makeTestPki, toPem, type IssuedCert } from '../../dev/test-ca';
import { main } from '../../main/cli';
import { parseCsr } from '../../main/pki/csr';
import { fakeIo } from '../helpers/card-cli-io';
import { makeCardFixture, openssl, type CardFixture } from '../helpers/card-fixtures';

const DEMO = 'Åsa Öberg [DEMO]';
const PIN = '192837';
const SO = '56473829';

let fx: CardFixture;
let ca: IssuedCert;

beforeAll(() => {
  ({ ca } = makeTestPki());
  fx = makeCardFixture([
    { label: 'CLI PIN', userPin: PIN, soPin: SO },
    { label: 'CLI TTY', userPin: PIN, soPin: SO },
    { label: 'CLI keys', userPin: PIN, soPin: SO },
  ]);
});
afterAll(() => fx?.close());

async function eiddesk(args: string[], opts: Parameters<typeof fakeIo>[0] = {}) {
  const f = fakeIo(opts);
  const code = await main([...args, '--module', fx.modulePath], f.io);
  return { code, out: f.out(), err: f.err(), prompts: f.prompts() };
}

describe('eiddesk pin', () => {
  it('status --json reads the token fresh', async () => {
    const r = await eiddesk(['pin', 'status', '--token', DEMO, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ ok: true, label: DEMO, pin: { initialized: true, locked: false, minLength: 4 }, unblock: { possible: true, secretName: 'SO PIN' } });
  });

  it('status in words', async () => {
    const r = await eiddesk(['pin', 'status', '--token', `  ${DEMO} `]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Token "${DEMO}"`);
    expect(r.out).toMatch(/PIN: ok/);
    expect(r.out).toMatch(/PIN length: 4 to 255 characters/);
    expect(r.out).toMatch(/Unblock with the SO PIN: possible/);
  });

  it('an unknown label lists the labels there are', async () => {
    const r = await eiddesk(['pin', 'status', '--token', 'Nope']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('No token labelled "Nope". Tokens found: ');
    expect(r.err).toContain(`"${DEMO}"`);
    expect(r.err).toContain('"CLI PIN"');
    expect(r.err).toMatch(/\[not-found\]$/m);
  });

  it('change with the environment; a wrong old PIN exits 4 without echoing it', async () => {
    const wrong = await eiddesk(['pin', 'change', '--token', 'CLI PIN'], { env: { EIDDESK_PIN: '555444', EIDDESK_NEW_PIN: '121212' } });
    expect(wrong.code).toBe(4);
    expect(wrong.err).toMatch(/The PIN is incorrect\. Only a few tries are left before the PIN is blocked\. \[pin-incorrect\]/);
    expect(wrong.err + wrong.out).not.toContain('555444');
    expect(wrong.err + wrong.out).not.toContain('121212');

    const ok = await eiddesk(['pin', 'change', '--token', 'CLI PIN'], { env: { EIDDESK_PIN: PIN, EIDDESK_NEW_PIN: '121212' } });
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('The PIN of "CLI PIN" was changed.');
    expect(ok.err).toContain('Do not remove the card');
    // Piped stdin: current PIN, then the new one (no repeat when not on a terminal).
    const piped = await eiddesk(['pin', 'change', '--token', 'CLI PIN', '--json'], { stdin: ['121212', PIN] });
    expect(piped.code, piped.err).toBe(0);
    expect(JSON.parse(piped.out)).toMatchObject({ ok: true, label: 'CLI PIN' });
    expect(fx.pkcs11Tool(['--token-label', 'CLI PIN', '--login', '--pin', 'env:P', '--list-objects'], { P: PIN }).status).toBe(0);
  });

  it('on a terminal the new PIN is asked twice and must match', async () => {
    const mismatch = await eiddesk(['pin', 'change', '--token', 'CLI TTY'], { stdin: { tty: [PIN, '777777', '777778'] } });
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toContain('The two new PINs differ. Nothing was changed. [validation]');
    expect(mismatch.prompts).toEqual(['Current PIN for "CLI TTY": ', 'New PIN for "CLI TTY": ', 'Repeat the new PIN for "CLI TTY": ']);
    expect(fx.pkcs11Tool(['--token-label', 'CLI TTY', '--login', '--pin', 'env:P', '--list-objects'], { P: PIN }).status).toBe(0);

    const ok = await eiddesk(['pin', 'change', '--token', 'CLI TTY'], { stdin: { tty: [PIN, '777777', '777777'] } });
    expect(ok.code, ok.err).toBe(0);
    expect(ok.err).not.toContain('777777');
    expect(fx.pkcs11Tool(['--token-label', 'CLI TTY', '--login', '--pin', 'env:P', '--list-objects'], { P: '777777' }).status).toBe(0);
  });

  it('unblock: a wrong SO PIN exits 4, the right one sets the new PIN', async () => {
    const wrong = await eiddesk(['pin', 'unblock', '--token', 'CLI PIN'], { env: { EIDDESK_PUK: '11111111', EIDDESK_NEW_PIN: '343434' } });
    expect(wrong.code).toBe(4);
    expect(wrong.err).toMatch(/The SO PIN is incorrect\..*\[puk-incorrect\]/);
    const ok = await eiddesk(['pin', 'unblock', '--token', 'CLI PIN', '--json'], { env: { EIDDESK_PUK: SO, EIDDESK_NEW_PIN: '343434' } });
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out).pin.locked).toBe(false);
    expect(fx.pkcs11Tool(['--token-label', 'CLI PIN', '--login', '--pin', 'env:P', '--list-objects'], { P: '343434' }).status).toBe(0);
  });
});

describe('eiddesk card', () => {
  it('test-sign with the demo card signing e-ID verifies', async () => {
    const r = await eiddesk(['card', 'test-sign', '--token', DEMO, '--id', '02'], { env: { EIDDESK_PIN: DEMO_PINS.user } });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Test signature with e-ID 02 "Underskrift" \(Åsa Öberg\): VERIFIED$/m);
    expect(r.out).toMatch(/RSA 2048, sha256WithRSAEncryption via CKM_SHA256_RSA_PKCS; [\d.]+ ms in all, [\d.]+ ms on the card/);
    const j = await eiddesk(['card', 'test-sign', '--token', DEMO, '--json'], { stdin: [DEMO_PINS.user] });
    expect(j.code, j.err).toBe(0);
    expect(JSON.parse(j.out)).toMatchObject({ ok: true, verified: true, id: '02' });
  });

  it('test-sign with a wrong PIN exits 4; --json gives the error object', async () => {
    const r = await eiddesk(['card', 'test-sign', '--token', DEMO, '--json'], { env: { EIDDESK_PIN: '000001' } });
    expect(r.code).toBe(4);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ ok: false, error: { code: 'pin-incorrect', details: { countLow: true, triesLeft: null } } });
    expect(r.out).not.toContain('000001');
  });

  it('keygen writes a CSR that openssl verifies; write-cert puts the issued certificate next to the key', async () => {
    const csrFile = join(fx.dir, 'cli.csr');
    const r = await eiddesk(['card', 'keygen', '--token', 'CLI keys', '--alg', 'ec-p256', '--subject', 'CN=Åsa Öberg,O=Västra Götalandsregionen,serialNumber=SE2321000156-10XX,C=SE', '--csr-out', csrFile, '--label', 'CLI key'], {
      env: { EIDDESK_PIN: PIN },
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Key pair ec-p256 made on "CLI keys": id [0-9A-F]{16}, label "CLI key" \(sensitive, not extractable\)\.$/m);
    expect(r.err).toContain('Do not remove the card');
    const v = openssl(['req', '-verify', '-in', csrFile, '-noout']);
    expect(v.status, v.stderr).toBe(0);
    const id = /id ([0-9A-F]{16})/.exec(r.out)![1];

    // The file exists now: a second keygen refuses before making a key.
    const again = await eiddesk(['card', 'keygen', '--token', 'CLI keys', '--alg', 'ec-p256', '--csr-out', csrFile, '--subject', 'CN=x'], { env: { EIDDESK_PIN: PIN } });
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');

    const orphans = await eiddesk(['card', 'orphans', '--token', 'CLI keys', '--json'], { env: { EIDDESK_PIN: PIN } });
    expect(JSON.parse(orphans.out).orphans.map((o: { id: string }) => o.id)).toEqual([id]);

    const cert = issue({ subject: [['C', 'SE'], ['CN', 'Åsa Öberg']], publicKey: createPublicKey({ key: parseCsr(readFileSync(csrFile, 'utf8')).spki, format: 'der', type: 'spki' }), issuer: ca, keyUsage: ['nonRepudiation'] });
    const certFile = join(fx.dir, 'issued.pem');
    writeFileSync(certFile, toPem(cert.der));
    const w = await eiddesk(['card', 'write-cert', '--token', 'CLI keys', certFile], { env: { EIDDESK_PIN: PIN } });
    expect(w.code, w.err).toBe(0);
    expect(w.out).toContain(`next to key ${id}, label "CLI key"`);
    const ts = await eiddesk(['card', 'test-sign', '--token', 'CLI keys', '--id', id, '--json'], { env: { EIDDESK_PIN: PIN } });
    expect(JSON.parse(ts.out)).toMatchObject({ verified: true, algorithm: 'ecdsaWithSHA256' });

    const stranger = issue({ subject: [['CN', 'x']], publicKey: createPublicKey(ca.privateKey), issuer: ca });
    writeFileSync(certFile, stranger.der);
    const mismatch = await eiddesk(['card', 'write-cert', '--token', 'CLI keys', certFile], { env: { EIDDESK_PIN: PIN } });
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toMatch(/\[key-mismatch\]$/m);
  });

  it('a failed keygen leaves no CSR file behind', async () => {
    const csrFile = join(fx.dir, 'never.csr');
    const r = await eiddesk(['card', 'keygen', '--token', 'CLI keys', '--alg', 'rsa2048', '--csr-out', csrFile, '--subject', 'CN=x'], { env: { EIDDESK_PIN: '000000' } });
    expect(r.code).toBe(4);
    expect(existsSync(csrFile)).toBe(false);
  });

  it('orphans: listed with a preview, deleted only with --delete', async () => {
    for (const alg of ['rsa2048', 'ec-p256']) {
      const f = join(fx.dir, `o-${alg}.csr`);
      expect((await eiddesk(['card', 'keygen', '--token', 'CLI keys', '--alg', alg, '--subject', 'CN=o', '--csr-out', f, '--label', `orphan ${alg}`], { env: { EIDDESK_PIN: PIN } })).code).toBe(0);
    }
    const list = await eiddesk(['card', 'orphans', '--token', 'CLI keys'], { env: { EIDDESK_PIN: PIN } });
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/"orphan rsa2048"\s+RSA 2048\s+private key \+ public key\s+made on the card/);
    expect(list.out).toMatch(/"orphan ec-p256"\s+EC P-256\s+private key \+ public key/);
    const ids = [...list.out.matchAll(/id ([0-9A-F]{16})/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);

    const one = await eiddesk(['card', 'orphans', '--token', 'CLI keys', '--delete', '--id', ids[0]], { env: { EIDDESK_PIN: PIN } });
    expect(one.code, one.err).toBe(0);
    expect(one.out).toContain(`Deleted key ${ids[0]} (2 objects).`);
    expect(one.out).toContain('1 key(s) without a certificate remain.');
    const all = await eiddesk(['card', 'orphans', '--token', 'CLI keys', '--delete', '--json'], { env: { EIDDESK_PIN: PIN } });
    expect(JSON.parse(all.out)).toMatchObject({ ok: true, deleted: [{ id: ids[1], objects: 2 }], remaining: [] });
    const none = await eiddesk(['card', 'orphans', '--token', 'CLI keys'], { env: { EIDDESK_PIN: PIN } });
    expect(none.out).toContain('No keys without a certificate on "CLI keys".');
    // The e-ID written earlier is untouched.
    const snap = await eiddesk(['tokens', '--json']);
    const keys = JSON.parse(snap.out).modules[0].tokens.find((t: { label: string }) => t.label === 'CLI keys');
    expect(keys.eids).toHaveLength(1);
  });
});
