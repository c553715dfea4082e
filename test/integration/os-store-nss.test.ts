/**
 * The NSS installer against real certutil/pk12util on a temp database: create, install (our own
 * temporary PKCS#12), list with nicknames and keys, find older certificates of the same identity
 * and remove exactly the old one even when NSS gives both the same nickname.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { Keystore } from '../../main/keystore/keystore';
import { NssInstaller, nssKeyId } from '../../main/keystore/os-store/nss';
import { encodeTempPkcs12 } from '../../main/keystore/os-store/temp-p12';
import { describeCertificate, parseCertificate } from '../../main/pki/certificate';
import { makeCa, makeEid, type TestCa, type TestEid } from '../helpers/keystore-certs';
import { FAST_KDF } from '../helpers/keystore-fixtures';

let work: string;
let ca: TestCa;
const day = 86400_000;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'eiddesk-nss-it-'));
  ca = makeCa();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function certutil(...args: string[]): string {
  return execFileSync('certutil', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function keyIds(dir: string): string[] {
  const r = spawnSync('certutil', ['-K', '-d', `sql:${dir}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return [...(r.stdout ?? '').matchAll(/^<\s*\d+>\s+\S+\s+([0-9a-f]{40})\s/gm)].map((m) => m[1]).sort();
}
function fp(e: TestEid): string {
  return describeCertificate(e.leaf).fingerprintSha256;
}

describe('temporary PKCS#12 interoperability', () => {
  it('OpenSSL verifies the MAC and reads back the same key, chain and friendly name', () => {
    for (const kind of ['ec', 'rsa'] as const) {
      const eid = makeEid({ ca, keyKind: kind });
      const file = path.join(work, `t-${kind}.p12`);
      writeFileSync(file, encodeTempPkcs12({ pkcs8: eid.key.pkcs8, chain: eid.chain, friendlyName: 'Åsa Öberg (tjänst)' }, 'EngångsLösen'));
      const pwFile = path.join(work, 'pw');
      writeFileSync(pwFile, 'EngångsLösen\n', { mode: 0o600 });
      const info = execFileSync('openssl', ['pkcs12', '-in', file, '-passin', `file:${pwFile}`, '-info', '-nodes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const keyPem = info.slice(info.indexOf('-----BEGIN PRIVATE KEY-----'), info.indexOf('-----END PRIVATE KEY-----') + 25);
      const back = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
      expect(back.equals(createPrivateKey({ key: eid.key.pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'der' }))).toBe(true);
      expect((info.match(/BEGIN CERTIFICATE/g) ?? []).length).toBe(2);
      // OpenSSL 3.0 prints non-ASCII friendly names as raw bytes; the project's decoder reads them exactly.
      expect(info).toMatch(/friendlyName: .+sa .+berg \(tj.+nst\)/);
      const wrong = spawnSync('openssl', ['pkcs12', '-in', file, '-passin', 'pass:wrong', '-noout'], { encoding: 'utf8' });
      expect(wrong.status).not.toBe(0);
    }
  });
});

describe('NSS installer (real certutil / pk12util)', () => {
  it('creates the database, installs, lists with nickname and key, finds and removes the older certificate precisely', async () => {
    const dir = path.join(work, 'nssdb-a');
    const nss = new NssInstaller({ dir });
    expect(await nss.available()).toBe(true);
    expect(await nss.list()).toEqual([]);
    expect(existsSync(dir)).toBe(false);

    // Same holder, same subject DN (so NSS gives both one nickname), issued 400 days apart.
    const old = makeEid({ ca, keyKind: 'rsa', notBefore: new Date(Date.now() - 400 * day), notAfter: new Date(Date.now() - 35 * day) });
    const cur = makeEid({ ca, keyKind: 'ec', notBefore: new Date(Date.now() - day) });
    const installedOld = await nss.install({ pkcs8: old.key.pkcs8, chain: old.chain, friendlyName: 'Åsa Öberg (gammal)' });
    expect(existsSync(path.join(dir, 'cert9.db'))).toBe(true);
    expect(installedOld).toMatchObject({ store: 'nss', reference: 'Åsa Öberg (gammal)', hasPrivateKey: true, fingerprintSha256: fp(old) });

    // Through the keystore, as the app does it (PIN, then the installer gets the key).
    const ks = new Keystore({ dir: path.join(work, 'ks-a'), kdf: FAST_KDF });
    const id = await ks.add({ pkcs8: cur.key.pkcs8, chain: cur.chain, source: 'pkcs12-file', label: 'Åsa Öberg (ny)' }, 'Sommar-2026');
    const installedCur = await ks.installToOsStore(id, 'Sommar-2026', nss);
    expect(installedCur.fingerprintSha256).toBe(fp(cur));
    expect(installedCur.hasPrivateKey).toBe(true);
    expect((await ks.get(id)).installs).toMatchObject([{ kind: 'nss', location: dir, reference: installedCur.reference }]);

    // certutil itself lists it; NSS reused the first nickname for the same subject.
    const listing = certutil('-L', '-d', `sql:${dir}`);
    expect(listing).toMatch(/Åsa Öberg \(gammal\)\s+u,u,u/);
    expect(installedCur.reference).toBe('Åsa Öberg (gammal)');
    expect(listing).toContain('Test Root CA Ö - Testutfärdaren AB');
    expect(keyIds(dir)).toEqual([nssKeyId(parseCertificate(old.leaf).spki), nssKeyId(parseCertificate(cur.leaf).spki)].sort());

    // Older certificates of the same identity, with a preview.
    const older = await nss.findOlder(describeCertificate(cur.leaf));
    expect(older).toHaveLength(1);
    expect(older[0].certificate.fingerprintSha256).toBe(fp(old));
    expect(older[0].reason).toBe('same-identity-number');
    expect(older[0].preview).toMatchObject({ store: 'nss', location: dir, expired: true, removesPrivateKey: true, holder: 'Åsa Öberg' });
    expect(older[0].preview.summary).toContain('(expired) and its private key');

    // Remove the old one: its certificate and key go, the new one stays a user certificate with its key.
    await nss.remove(fp(old));
    const after = await nss.list();
    expect(after.filter((c) => !c.info.isCA).map((c) => [c.fingerprintSha256, c.hasPrivateKey])).toEqual([[fp(cur), true]]);
    expect(keyIds(dir)).toEqual([nssKeyId(parseCertificate(cur.leaf).spki)]);
    expect(certutil('-L', '-d', `sql:${dir}`)).toMatch(/Åsa Öberg \(gammal\)\s+u,u,u/);
    expect(await nss.findOlder(describeCertificate(cur.leaf))).toEqual([]);
    await expect(nss.remove(fp(old))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('finds a renamed holder by identity number and removes it when it has its own nickname', async () => {
    const dir = path.join(work, 'nssdb-b');
    const nss = new NssInstaller({ dir });
    const old = makeEid({ ca, cn: 'Åsa Lind', serialNumber: 'SE5566778899-4242', notBefore: new Date(Date.now() - 700 * day) });
    const cur = makeEid({ ca, cn: 'Åsa Öberg', serialNumber: 'SE5566778899-4242' });
    const other = makeEid({ ca, cn: 'Bo Ek', serialNumber: 'SE5566778899-0007', notBefore: new Date(Date.now() - 700 * day) });
    await nss.install({ pkcs8: old.key.pkcs8, chain: old.chain, friendlyName: 'Åsa Lind' });
    await nss.install({ pkcs8: other.key.pkcs8, chain: other.chain, friendlyName: 'Bo Ek' });
    const c = await nss.install({ pkcs8: cur.key.pkcs8, chain: cur.chain, friendlyName: 'Åsa Öberg' });
    expect(c.reference).toBe('Åsa Öberg');
    const older = await nss.findOlder(describeCertificate(cur.leaf));
    expect(older.map((o) => [o.certificate.reference, o.reason])).toEqual([['Åsa Lind', 'same-identity-number']]);
    await nss.remove(older[0].certificate.fingerprintSha256);
    const left = (await nss.list()).filter((x) => !x.info.isCA).map((x) => x.reference).sort();
    expect(left).toEqual(['Bo Ek', 'Åsa Öberg']);
    expect(certutil('-L', '-d', `sql:${dir}`)).not.toContain('Åsa Lind');
    expect(keyIds(dir)).toHaveLength(2);
  });

  it('fails with os-store-failed for a key NSS cannot import, leaving no temp files behind', async () => {
    const dir = path.join(work, 'nssdb-c');
    const nss = new NssInstaller({ dir });
    const ed = makeEid({ ca, keyKind: 'ed25519' });
    const before = new Set(readdirSync(os.tmpdir()).filter((n: string) => n.startsWith('eiddesk-install-')));
    await expect(nss.install({ pkcs8: ed.key.pkcs8, chain: ed.chain, friendlyName: 'Ed' })).rejects.toMatchObject({ code: 'os-store-failed' });
    const after = readdirSync(os.tmpdir()).filter((n: string) => n.startsWith('eiddesk-install-') && !before.has(n));
    expect(after).toEqual([]);
  });
});

describe('temporary PKCS#12 read by the project decoder', () => {
  it('round-trips the friendly name with Å, Ö and the key', async () => {
    const { decodePkcs12 } = await import('../../main/pkcs12');
    const eid = makeEid({ ca });
    const contents = await decodePkcs12(encodeTempPkcs12({ pkcs8: eid.key.pkcs8, chain: eid.chain, friendlyName: 'Åsa Öberg (tjänst)' }, 'pw'), 'pw');
    expect(contents.certificates[0].friendlyName).toBe('Åsa Öberg (tjänst)');
    expect(contents.keys[0].friendlyName).toBe('Åsa Öberg (tjänst)');
    expect(contents.keys[0].pkcs8.equals(eid.key.pkcs8)).toBe(true);
    expect(contents.macAlgorithm).toMatch(/sha256/);
  });
});
