/**
 * The acceptance path as a user runs it, whole processes: a .p12 made by OpenSSL (password with
 * Å and a stray space) -> `eiddesk p12 import --to keystore --to os` -> listed by
 * `certutil -L -d sql:$HOME/.pki/nssdb` -> survives a restart (a new process lists it) -> opens
 * with its PIN and refuses a wrong one -> `keystore delete`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Keystore } from '../../main/keystore/keystore';
import { describeCertificate } from '../../main/pki/certificate';
import { makeCa, makeEid, toPem, type TestEid } from '../helpers/keystore-certs';
import { ensureBuilt, root } from '../helpers/build';

let home: string;
let eid: TestEid;
let p12: string;
const PASSWORD = 'Pinkod Åtta 8';
const PIN = 'Mitt-Val-2026';

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', ...extraEnv };
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'eiddesk.cjs'), ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await ensureBuilt('cli');
  home = mkdtempSync(path.join(os.tmpdir(), 'eiddesk-home-'));
  eid = makeEid({ ca: makeCa(), cn: 'Åsa Öberg', org: 'Skåne Läns Ärende AB', keyKind: 'rsa' });
  const work = path.join(home, 'work');
  mkdirSync(work, { mode: 0o700 });
  writeFileSync(path.join(work, 'key.pem'), toPem(eid.key.pkcs8, 'PRIVATE KEY'), { mode: 0o600 });
  writeFileSync(path.join(work, 'cert.pem'), toPem(eid.leaf));
  writeFileSync(path.join(work, 'ca.pem'), toPem(eid.chain[1]));
  writeFileSync(path.join(work, 'pw'), `${PASSWORD}\n`, { mode: 0o600 });
  p12 = path.join(work, 'eid.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', path.join(work, 'key.pem'), '-in', path.join(work, 'cert.pem'), '-certfile', path.join(work, 'ca.pem'), '-name', 'Åsa Öberg', '-passout', `file:${path.join(work, 'pw')}`, '-out', p12], { stdio: 'pipe' });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('eiddesk p12 import -> keystore + NSS shared DB (whole processes)', () => {
  it('imports, shows in certutil -L, survives a restart, opens with the PIN, refuses a wrong PIN, deletes', async () => {
    const imp = cli(['p12', 'import', p12, '--to', 'keystore', '--to', 'os', '--json'], { EIDDESK_P12_PASSWORD: ` ${PASSWORD} `, EIDDESK_PIN: PIN });
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    const doc = JSON.parse(imp.stdout);
    const r = doc.imported[0];
    expect(r).toMatchObject({ holder: 'Åsa Öberg', organisation: 'Skåne Läns Ärende AB', identityNumber: 'SE5566778899-0001', olderInStore: [] });
    const nssDir = path.join(home, '.pki', 'nssdb');
    expect(r.osStore).toEqual({ kind: 'nss', location: nssDir, reference: 'Åsa Öberg' });
    expect(r.keystore.dir).toBe(path.join(home, '.local', 'share', 'eiddesk', 'keystore'));
    expect(imp.stdout).not.toContain(PASSWORD);

    const listing = execFileSync('certutil', ['-L', '-d', `sql:${nssDir}`], { encoding: 'utf8' });
    expect(listing).toMatch(/Åsa Öberg\s+u,u,u/);
    const pem = execFileSync('certutil', ['-L', '-d', `sql:${nssDir}`, '-n', 'Åsa Öberg', '-a'], { encoding: 'utf8' });
    expect(pem).toContain(eid.leaf.toString('base64').slice(0, 60));

    // Restart: another process lists it from the default keystore folder.
    const list = cli(['keystore', 'list', '--json']);
    expect(list.code).toBe(0);
    const entries = JSON.parse(list.stdout).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ id: r.keystore.id, holder: 'Åsa Öberg', label: 'Åsa Öberg', fingerprintSha256: describeCertificate(eid.leaf).fingerprintSha256 });
    expect(entries[0].installs).toMatchObject([{ kind: 'nss', location: nssDir, reference: 'Åsa Öberg' }]);

    const ks = new Keystore({ dir: r.keystore.dir });
    await expect(ks.unlock(r.keystore.id, 'Fel-PIN-9999')).rejects.toMatchObject({ code: 'pin-incorrect', details: { attempts: 1 } });
    const h = await ks.unlock(r.keystore.id, PIN);
    expect(h.selfTest()).toMatchObject({ ok: true, keyAlgorithm: 'rsa-2048' });
    h.lock();

    const show = cli(['keystore', 'show', r.keystore.id.slice(0, 5)]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Installed:\s+nss /);

    const del = cli(['keystore', 'delete', r.keystore.id]);
    expect(del.code).toBe(2); // no terminal, no --yes
    const yes = cli(['keystore', 'delete', r.keystore.id, '--yes']);
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain('It is still installed in nss');
    expect(JSON.parse(cli(['keystore', 'list', '--json']).stdout).entries).toEqual([]);
  });

  it('a wrong file password is bad-password, exit 1, nothing stored', () => {
    const bad = cli(['p12', 'import', p12, '--json'], { EIDDESK_P12_PASSWORD: 'fel', EIDDESK_PIN: PIN, EIDDESK_KEYSTORE_DIR: path.join(home, 'ks2') });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: 'bad-password' } });
    expect(JSON.parse(cli(['keystore', 'list', '--json'], { EIDDESK_KEYSTORE_DIR: path.join(home, 'ks2') }).stdout).entries).toEqual([]);
  });
});
