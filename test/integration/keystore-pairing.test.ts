/**
 * The CSR path as a user runs it, whole processes and real tools:
 * `eiddesk keystore request` -> `openssl req -verify -text -nameopt utf8` (subject with Å, Ä, Ö)
 * -> `openssl x509 -req` under a test CA made by OpenSSL -> the certificate delivered as
 * (a) PEM, (b) a certs-only .p12 from `openssl pkcs12 -export -nokeys`, (c) a .p7b from
 * `openssl crl2pkcs7 -nocrl -certfile` (DER and PEM) -> `eiddesk keystore pair` (into the
 * keystore, and with --to os into a temp NSS database made by `certutil -N`) -> the paired e-ID
 * works: a challenge signed through the keystore verifies with `openssl dgst -verify` against
 * the certificate's key, `certutil -L` lists the certificate and `certutil -K` its key. Then a
 * renewal signed by OpenSSL for the same CSR pairs as a new e-ID next to the old one, and a
 * certificate for a key made elsewhere is refused with no-matching-key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { Keystore } from '../../main/keystore/keystore';
import { describeCertificate } from '../../main/pki/certificate';
import { ensureBuilt, root } from '../helpers/build';

const PIN = 'Vero-Nyckel-7';
const P12_PASSWORD = 'Leverans Åtta 8';
const SUBJECT = 'CN=1234567-8,O=Åkerö Ärende AB,C=FI';

let home: string;
let work: string;
let ksDir: string;
let nssDir: string;

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_NSS_DIR: nssDir, ...extraEnv };
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'eiddesk.cjs'), ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tool(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C.UTF-8' } });
}

const w = (name: string) => path.join(work, name);

/** `eiddesk keystore request` -> the CSR file, checked by `openssl req -verify`. */
function request(alg: string, name: string, label: string) {
  const csr = w(`${name}.csr`);
  const r = cli(['keystore', 'request', '--alg', alg, '--subject', SUBJECT, '--label', label, '--csr-out', csr, '--json'], { EIDDESK_PIN: PIN });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout).request;
  expect(doc.csrFile).toBe(csr);
  expect(r.stdout).not.toContain(PIN);
  return { ...doc, csr };
}

/** Signs a CSR under the OpenSSL test CA: an end-entity certificate for client authentication. */
function sign(csr: string, out: string, days = 365) {
  tool('openssl', ['x509', '-req', '-in', csr, '-CA', w('ca.pem'), '-CAkey', w('ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', String(days), '-sha256', '-extfile', w('ee.cnf'), '-out', out]);
  return out;
}

/** Proves the paired e-ID's key signs: a challenge signed through the keystore, verified by OpenSSL with the certificate's public key. */
async function keySigns(entryId: string, certPem: string) {
  const ks = new Keystore({ dir: ksDir });
  const handle = await ks.unlock(entryId, PIN);
  const challenge = randomBytes(48);
  writeFileSync(w('challenge.bin'), challenge);
  writeFileSync(w('challenge.sig'), handle.sign(challenge, 'sha256'));
  handle.lock();
  writeFileSync(w('pub.pem'), tool('openssl', ['x509', '-in', certPem, '-pubkey', '-noout']));
  const out = tool('openssl', ['dgst', '-sha256', '-verify', w('pub.pem'), '-signature', w('challenge.sig'), w('challenge.bin')]);
  expect(out.trim()).toBe('Verified OK');
}

function nssListing(): { certs: string; keys: string } {
  return { certs: tool('certutil', ['-L', '-d', `sql:${nssDir}`]), keys: tool('certutil', ['-K', '-d', `sql:${nssDir}`]) };
}

beforeAll(async () => {
  await ensureBuilt('cli');
  home = mkdtempSync(path.join(os.tmpdir(), 'eiddesk-pairing-'));
  work = path.join(home, 'work');
  ksDir = path.join(home, 'keystore');
  nssDir = path.join(home, 'nssdb');
  mkdirSync(work, { mode: 0o700 });
  mkdirSync(nssDir, { mode: 0o700 });
  tool('certutil', ['-N', '-d', `sql:${nssDir}`, '--empty-password']);
  // The test CA, by OpenSSL.
  writeFileSync(w('ca.cnf'), '[req]\ndistinguished_name=dn\nprompt=no\nutf8=yes\nstring_mask=utf8only\n[dn]\nC=SE\nO=Testutfärdaren AB\nCN=Test Root CA Ö\n[ext]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
  tool('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', w('ca.key'), '-out', w('ca.pem'), '-days', '3650', '-config', w('ca.cnf'), '-extensions', 'ext']);
  writeFileSync(w('ee.cnf'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  writeFileSync(w('p12pass'), `${P12_PASSWORD}\n`, { mode: 0o600 });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('CSR made by eiddesk, signed by OpenSSL, paired back (whole processes)', () => {
  it('the CSR verifies in OpenSSL and shows the subject with Å, Ä, Ö intact', () => {
    const r = request('rsa2048', 'check', 'Kontroll');
    const text = tool('openssl', ['req', '-in', r.csr, '-verify', '-noout', '-text', '-nameopt', 'utf8']);
    expect(text).toContain('Subject: C=FI, O=Åkerö Ärende AB, CN=1234567-8');
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    // The self-signature check goes to stderr in OpenSSL 3.
    const verify = spawnSync('openssl', ['req', '-in', r.csr, '-verify', '-noout'], { encoding: 'utf8' });
    expect(verify.status).toBe(0);
    expect(verify.stdout + verify.stderr).toMatch(/verify OK/i);
    // DER bytes: O is a UTF8String (tag 0x0c) with the exact UTF-8 of "Åkerö Ärende AB".
    const derBytes = execFileSync('openssl', ['req', '-in', r.csr, '-outform', 'DER']);
    const o = Buffer.from('Åkerö Ärende AB', 'utf8');
    expect(derBytes.includes(Buffer.concat([Buffer.from([0x0c, o.length]), o]))).toBe(true);
    expect(cli(['keystore', 'delete-request', r.id, '--yes']).code).toBe(0);
  });

  it('(a) PEM certificate: paired into the keystore; the key signs, verified by openssl dgst', async () => {
    const r = request('rsa2048', 'a', 'Tulorekisteri A');
    const cert = sign(r.csr, w('a.pem'));
    const listed = JSON.parse(cli(['keystore', 'requests', '--json']).stdout).requests;
    expect(listed.map((x: { id: string }) => x.id)).toContain(r.id);
    const p = cli(['keystore', 'pair', cert, '--json'], { EIDDESK_PIN: PIN });
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const paired = JSON.parse(p.stdout).paired;
    tool('openssl', ['x509', '-in', cert, '-outform', 'DER', '-out', w('a.der')]);
    const info = describeCertificate(readFileSync(w('a.der')));
    expect(paired).toMatchObject({ holder: '1234567-8', organisation: 'Åkerö Ärende AB', label: 'Tulorekisteri A', keyAlgorithm: 'rsa-2048', replacedRequest: true, requestId: r.id, renewalOf: null, chainLength: 1, osStore: null });
    expect(paired.fingerprintSha256).toBe(info.fingerprintSha256);
    expect(JSON.parse(cli(['keystore', 'requests', '--json']).stdout).requests.map((x: { id: string }) => x.id)).not.toContain(r.id);
    const entries = JSON.parse(cli(['keystore', 'list', '--json']).stdout).entries;
    expect(entries.find((e: { id: string }) => e.id === paired.entryId)).toMatchObject({ source: 'csr-pairing', holder: '1234567-8' });
    await keySigns(paired.entryId, cert);
  });

  it('(b) certs-only .p12 from openssl pkcs12 -export -nokeys, --to os: listed by certutil -L with its key in certutil -K', async () => {
    const r = request('rsa3072', 'b', 'Tulorekisteri B');
    const cert = sign(r.csr, w('b.pem'));
    tool('openssl', ['pkcs12', '-export', '-nokeys', '-in', cert, '-certfile', w('ca.pem'), '-passout', `file:${w('p12pass')}`, '-out', w('b.p12')]);
    const inspect = cli(['p12', 'inspect', w('b.p12'), '--json'], { EIDDESK_P12_PASSWORD: P12_PASSWORD });
    expect(JSON.parse(inspect.stdout)).toMatchObject({ ok: true, certificatesOnly: true, keys: 0 });
    const p = cli(['keystore', 'pair', w('b.p12'), '--to', 'os', '--json'], { EIDDESK_PIN: PIN, EIDDESK_P12_PASSWORD: P12_PASSWORD });
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const paired = JSON.parse(p.stdout).paired;
    expect(paired).toMatchObject({ keyAlgorithm: 'rsa-3072', replacedRequest: true, chainLength: 2, osStore: { kind: 'nss', location: nssDir, reference: 'Tulorekisteri B' } });
    expect(p.stdout).not.toContain(P12_PASSWORD);
    const { certs, keys } = nssListing();
    expect(certs).toMatch(/Tulorekisteri B\s+u,u,u/);
    expect(keys).toContain('Tulorekisteri B');
    const fromNss = tool('certutil', ['-L', '-d', `sql:${nssDir}`, '-n', 'Tulorekisteri B', '-a']);
    expect(fromNss.replace(/\s+/g, '')).toContain(readFileSync(cert, 'utf8').replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '').slice(0, 80));
    await keySigns(paired.entryId, cert);
    // The keystore records the install.
    const entry = JSON.parse(cli(['keystore', 'show', paired.entryId, '--json']).stdout).entry;
    expect(entry.installs).toEqual([expect.objectContaining({ kind: 'nss', location: nssDir })]);
  });

  it('(c) .p7b from openssl crl2pkcs7 -nocrl (DER), EC P-256 key; then a renewal as PEM .p7b pairs next to it', async () => {
    const r = request('ec-p256', 'c', 'Tulorekisteri C');
    const cert = sign(r.csr, w('c.pem'), 30);
    tool('openssl', ['crl2pkcs7', '-nocrl', '-certfile', cert, '-certfile', w('ca.pem'), '-outform', 'DER', '-out', w('c.p7b')]);
    const p = cli(['keystore', 'pair', w('c.p7b'), '--json'], { EIDDESK_PIN: PIN });
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const first = JSON.parse(p.stdout).paired;
    expect(first).toMatchObject({ keyAlgorithm: 'ec-P-256', replacedRequest: true, chainLength: 2 });
    await keySigns(first.entryId, cert);

    // The issuer renews for the same key (the same CSR signed again, valid longer).
    const renewed = sign(r.csr, w('c2.pem'), 730);
    tool('openssl', ['crl2pkcs7', '-nocrl', '-certfile', renewed, '-certfile', w('ca.pem'), '-out', w('c2.p7c')]);
    expect(readFileSync(w('c2.p7c'), 'utf8')).toMatch(/^-----BEGIN PKCS7-----/);
    const again = cli(['keystore', 'pair', w('c2.p7c')], { EIDDESK_PIN: PIN });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`a renewal of ${first.entryId}, which is kept`);
    const entries = JSON.parse(cli(['keystore', 'list', '--json']).stdout).entries.filter((e: { label: string }) => e.label === 'Tulorekisteri C');
    expect(entries).toHaveLength(2);
    const newer = entries.find((e: { id: string }) => e.id !== first.entryId);
    await keySigns(newer.id, renewed);
    await keySigns(first.entryId, cert);
  });

  it('a certificate for a key made elsewhere is no-matching-key, and a wrong PIN is counted', () => {
    tool('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', w('elsewhere.key'), '-subj', '/C=FI/O=Muu Oy/CN=7654321-0', '-out', w('elsewhere.csr')]);
    const foreign = sign(w('elsewhere.csr'), w('elsewhere.pem'));
    const p = cli(['keystore', 'pair', foreign, '--json'], { EIDDESK_PIN: PIN });
    expect(p.code).toBe(1);
    const e = JSON.parse(p.stdout).error;
    expect(e.code).toBe('no-matching-key');
    expect(e.message).toContain('certificate request (CSR) was made');

    const r = request('ec-p256', 'd', 'Fel PIN');
    const cert = sign(r.csr, w('d.pem'));
    const wrong = cli(['keystore', 'pair', cert, '--json'], { EIDDESK_PIN: 'Fel-PIN-0000' });
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).error).toMatchObject({ code: 'pin-incorrect', details: { attempts: 1 } });
    const listed = JSON.parse(cli(['keystore', 'requests', '--json']).stdout).requests.find((x: { id: string }) => x.id === r.id);
    expect(listed.pin.attempts).toBe(1);
    expect(cli(['keystore', 'pair', cert], { EIDDESK_PIN: PIN }).code).toBe(0);
  });
});
