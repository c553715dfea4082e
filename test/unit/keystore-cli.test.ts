import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../main/cli';
import { runP12Import } from '../../main/cli/keystore';
import { Keystore } from '../../main/keystore/keystore';
import { encodeTempPkcs12 } from '../../main/keystore/os-store/temp-p12';
import { findOlderIn } from '../../main/keystore/os-store/older';
import type { InstalledCert, OsStoreInstaller } from '../../main/keystore/os-store/types';
import { describeCertificate } from '../../main/pki/certificate';
import { makeCa, makeEid, type TestCa, type TestEid } from '../helpers/keystore-certs';
import { FAST_KDF, tempDir } from '../helpers/keystore-fixtures';
import { fakeIo } from '../helpers/card-cli-io';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

let ca: TestCa;
let a: TestEid;
let b: TestEid;
beforeAll(() => {
  ca = makeCa();
  a = makeEid({ ca });
  b = makeEid({ ca, cn: 'Bo Ek', org: 'Ek AB', serialNumber: '5566778899', keyKind: 'rsa', notAfter: new Date(Date.now() - 86400_000) });
});

async function seeded() {
  const ksDir = dir();
  const ks = new Keystore({ dir: ksDir, kdf: FAST_KDF });
  const idA = await ks.add({ pkcs8: a.key.pkcs8, chain: a.chain, source: 'pkcs12-file' }, 'Sommar-2026');
  const idB = await ks.add({ pkcs8: b.key.pkcs8, chain: b.chain, source: 'order-portal', label: 'Lönesystem' }, 'Sommar-2026');
  return { ksDir, ks, idA, idB };
}

describe('eiddesk keystore', () => {
  it('list on an empty keystore says how to import', async () => {
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: dir() } });
    expect(await main(['keystore', 'list'], f.io)).toBe(0);
    expect(f.out()).toContain('No e-IDs in the keystore');
    const j = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: dir() } });
    expect(await main(['keystore', 'list', '--json'], j.io)).toBe(0);
    expect(JSON.parse(j.out())).toMatchObject({ ok: true, entries: [], damaged: [] });
  });

  it('lists e-IDs with holder, identity number and validity; JSON has no key or chain bytes', async () => {
    const { ksDir, idA, idB } = await seeded();
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'list'], f.io)).toBe(0);
    expect(f.out()).toContain(`${idA}  Åsa Öberg`);
    expect(f.out()).toContain('HSA-id SE5566778899-0001');
    expect(f.out()).toContain(`${idB}  Lönesystem`);
    expect(f.out()).toMatch(/Bo Ek, Ek AB; organisation number 5566778899\n\s+valid to \d{4}-\d\d-\d\d \(expired\)/);
    const j = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'list', '--json'], j.io)).toBe(0);
    const doc = JSON.parse(j.out());
    expect(doc.entries.map((e: { id: string }) => e.id).sort()).toEqual([idA, idB].sort());
    const entryB = doc.entries.find((e: { id: string }) => e.id === idB);
    expect(entryB).toMatchObject({ label: 'Lönesystem', holder: 'Bo Ek', validity: 'expired', source: 'order-portal', keyAlgorithm: 'rsa-2048', protectedByOs: false });
    expect(j.out()).not.toMatch(/pkcs8|"chain"/);
    expect(j.out()).not.toContain(a.key.pkcs8.toString('base64').slice(40, 80));
  });

  it('show accepts an id prefix and prints details, the chain and wrong-PIN status', async () => {
    const { ksDir, ks, idA } = await seeded();
    await ks.unlock(idA, 'fel-pin-1').catch(() => undefined);
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'show', idA.slice(0, 6)], f.io)).toBe(0);
    expect(f.out()).toMatch(/Holder:\s+Åsa Öberg/);
    expect(f.out()).toMatch(/Organisation:\s+Åkerö Ärende AB/);
    expect(f.out()).toMatch(/Key:\s+ec-P-256 \(not exportable\)/);
    expect(f.out()).toMatch(/Wrong PINs:\s+1/);
    expect(f.out()).toContain('2. CN=Test Root CA Ö');
    const j = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'show', idA, '--json'], j.io)).toBe(0);
    const doc = JSON.parse(j.out());
    expect(doc.entry.id).toBe(idA);
    expect(doc.entry.pin).toEqual({ attempts: 1, retryAfterSeconds: 0 });
    expect(doc.entry.chain).toHaveLength(2);
    expect(doc.entry.chain[0].fingerprintSha256).toBe(describeCertificate(a.leaf).fingerprintSha256);
  });

  it('show of an unknown id is an error with exit code 1', async () => {
    const { ksDir } = await seeded();
    const j = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'show', 'ffffffffffffffff', '--json'], j.io)).toBe(1);
    expect(JSON.parse(j.out())).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const u = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'show'], u.io)).toBe(2);
    expect(await main(['keystore', 'frobnicate'], u.io)).toBe(2);
  });

  it('delete without a terminal needs --yes (usage error otherwise) and deletes with it', async () => {
    const { ksDir, ks, idA, idB } = await seeded();
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'delete', idA], f.io)).toBe(2);
    expect(f.err()).toContain('--yes');
    expect((await ks.list()).length).toBe(2);
    const y = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'delete', idA, '--yes', '--json'], y.io)).toBe(0);
    expect(JSON.parse(y.out())).toMatchObject({ ok: true, deleted: idA });
    expect((await ks.list()).map((e) => e.id)).toEqual([idB]);
  });

  it('delete at a terminal asks, and only "yes" deletes', async () => {
    const { ksDir, ks, idA } = await seeded();
    const no = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir }, stdin: { tty: ['no'] } });
    expect(await main(['keystore', 'delete', idA], no.io)).toBe(1);
    expect(no.err()).toContain('Delete "Åsa Öberg"');
    expect(no.err()).toContain('Not deleted.');
    expect((await ks.list()).length).toBe(2);
    const yes = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir }, stdin: { tty: ['yes'] } });
    expect(await main(['keystore', 'delete', idA], yes.io)).toBe(0);
    expect(yes.out()).toContain(`Deleted ${idA}`);
    expect((await ks.list()).length).toBe(1);
  });
});

describe('eiddesk p12 import', () => {
  function p12File(eid: TestEid, password: string, name = 'Åsa jobb'): string {
    const file = path.join(dir(), 'eid.p12');
    writeFileSync(file, encodeTempPkcs12({ pkcs8: eid.key.pkcs8, chain: eid.chain, friendlyName: name }, password));
    return file;
  }

  it('imports into the keystore with the file password and the chosen PIN, both from the environment', async () => {
    const ksDir = dir();
    const file = p12File(a, 'Brev-PIN 123');
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_P12_PASSWORD: 'Brev-PIN 123', EIDDESK_PIN: 'Höst-2026!' } });
    expect(await main(['p12', 'import', file, '--json'], f.io)).toBe(0);
    const doc = JSON.parse(f.out());
    expect(doc.ok).toBe(true);
    expect(doc.imported).toHaveLength(1);
    expect(doc.imported[0]).toMatchObject({ holder: 'Åsa Öberg', identityNumber: 'SE5566778899-0001', osStore: null });
    const id = doc.imported[0].keystore.id;
    const ks = new Keystore({ dir: ksDir });
    expect((await ks.get(id)).label).toBe('Åsa jobb');
    const h = await ks.unlock(id, 'Höst-2026!');
    expect(h.selfTest().ok).toBe(true);
    expect(f.out() + f.err()).not.toMatch(/Brev-PIN|Höst-2026/);
    // Importing the same file again is refused, nothing changes.
    const again = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_P12_PASSWORD: 'Brev-PIN 123', EIDDESK_PIN: 'Höst-2026!' } });
    expect(await main(['p12', 'import', file, '--json'], again.io)).toBe(1);
    expect(JSON.parse(again.out()).error.code).toBe('already-exists');
  });

  it('reads password and PIN from piped stdin when the variables are not set', async () => {
    const ksDir = dir();
    const file = p12File(a, 'pw-från-brev');
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir }, stdin: ['pw-från-brev', 'Vinter-2027'] });
    expect(await main(['p12', 'import', file], f.io)).toBe(0);
    expect(f.out()).toMatch(/Imported Åsa Öberg \(SE5566778899-0001\), valid to/);
    expect(f.out()).toMatch(/Keystore: id [0-9a-f]{16}/);
    const ks = new Keystore({ dir: ksDir });
    const [e] = await ks.list();
    (await ks.unlock(e.id, 'Vinter-2027')).lock();
  });

  it('gives the right codes: wrong password, PIN against the rules, missing file, bad --to', async () => {
    const ksDir = dir();
    const file = p12File(a, 'right');
    const wrong = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_P12_PASSWORD: 'wrong', EIDDESK_PIN: 'Höst-2026!' } });
    expect(await main(['p12', 'import', file, '--json'], wrong.io)).toBe(1);
    expect(JSON.parse(wrong.out()).error.code).toBe('bad-password');
    const weak = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_P12_PASSWORD: 'right', EIDDESK_PIN: '123456' } });
    expect(await main(['p12', 'import', file, '--json'], weak.io)).toBe(1);
    expect(JSON.parse(weak.out()).error).toMatchObject({ code: 'pin-invalid', details: { rule: 'not-sequence' } });
    expect(await new Keystore({ dir: ksDir }).list()).toEqual([]);
    const missing = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['p12', 'import', path.join(ksDir, 'nope.p12'), '--json'], missing.io)).toBe(1);
    expect(JSON.parse(missing.out()).error.code).toBe('not-found');
    const bad = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['p12', 'import', file, '--to', 'usb'], bad.io)).toBe(2);
    expect(await main(['p12', 'import'], bad.io)).toBe(2);
  });

  it('--to os installs through the OS store, reports older certificates and removes them with --remove-older', async () => {
    const ksDir = dir();
    const old = makeEid({ ca, notBefore: new Date(Date.now() - 800 * 86400_000), notAfter: new Date(Date.now() - 10 * 86400_000) });
    const installedCerts: InstalledCert[] = [];
    const asInstalled = (d: Buffer): InstalledCert => ({ store: 'nss', fingerprintSha256: describeCertificate(d).fingerprintSha256, reference: 'Åsa', hasPrivateKey: true, info: describeCertificate(d) });
    installedCerts.push(asInstalled(old.leaf));
    const keysSeen: string[] = [];
    const fake: OsStoreInstaller = {
      kind: 'nss',
      location: '/fake/nssdb',
      available: async () => true,
      install: async (m) => {
        keysSeen.push(m.pkcs8.toString('hex'));
        const c = asInstalled(m.chain[0]);
        installedCerts.push(c);
        return c;
      },
      list: async () => installedCerts,
      findOlder: async (info) => findOlderIn(installedCerts, info, '/fake/nssdb'),
      remove: async (fp) => void installedCerts.splice(installedCerts.findIndex((c) => c.fingerprintSha256 === fp), 1),
    };
    const file = p12File(a, 'pw');
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_P12_PASSWORD: 'pw', EIDDESK_PIN: 'Höst-2026!' } });
    expect(await runP12Import([file, '--to', 'keystore', '--to', 'os', '--json'], f.io, { osStore: () => fake })).toBe(0);
    const doc = JSON.parse(f.out());
    expect(doc.imported[0].osStore).toEqual({ kind: 'nss', location: '/fake/nssdb', reference: 'Åsa' });
    expect(doc.imported[0].olderInStore).toHaveLength(1);
    expect(doc.imported[0].olderInStore[0]).toMatchObject({ reason: 'same-identity-number', expired: true, fingerprintSha256: describeCertificate(old.leaf).fingerprintSha256 });
    expect(doc.imported[0].removedOlder).toEqual([]); // not asked: not removed
    expect(keysSeen).toEqual([a.key.pkcs8.toString('hex')]);
    const e = await new Keystore({ dir: ksDir }).get(doc.imported[0].keystore.id);
    expect(e.installs).toMatchObject([{ kind: 'nss', location: '/fake/nssdb', reference: 'Åsa' }]);

    // OS store only, removing the older one.
    installedCerts.splice(0, installedCerts.length, asInstalled(old.leaf));
    const g = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: dir(), EIDDESK_P12_PASSWORD: 'pw' } });
    expect(await runP12Import([file, '--to', 'os', '--remove-older'], g.io, { osStore: () => fake })).toBe(0);
    expect(g.out()).toContain('Installed in nss /fake/nssdb as "Åsa" (private key not exportable)');
    expect(g.out()).toContain('Removed the older certificate');
    expect(installedCerts.map((c) => c.fingerprintSha256)).toEqual([describeCertificate(a.leaf).fingerprintSha256]);
  });

  it('refuses a file with certificates only (an order made with a CSR) with no-private-key', async () => {
    const { encodeCertsOnly } = await import('../helpers/keystore-p12');
    const file = path.join(dir(), 'certs.p12');
    writeFileSync(file, encodeCertsOnly(a.chain, 'pw'));
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: dir(), EIDDESK_P12_PASSWORD: 'pw', EIDDESK_PIN: 'Höst-2026!' } });
    expect(await main(['p12', 'import', file, '--json'], f.io)).toBe(1);
    expect(JSON.parse(f.out()).error.code).toBe('no-private-key');
  });
});
