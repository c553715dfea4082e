/**
 * `eiddesk keystore request|requests|pair|delete-request` in process: CSR written to a file or
 * standard output, PINs from the environment, a prompt (asked twice) or piped stdin, nothing made
 * when anything is refused, pairing from PEM, .p12 and .p7b files, the OS store through a fake.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../main/cli';
import { runPair } from '../../main/cli/keystore';
import { Keystore } from '../../main/keystore/keystore';
import { parseCertificate } from '../../main/pki/certificate';
import { parseCsr, verifyCsr } from '../../main/pki/csr';
import { fakeIo } from '../helpers/card-cli-io';
import { fakeOsStore } from '../helpers/files-fakes';
import { makeCa, makeEid, toPem, type TestCa } from '../helpers/keystore-certs';
import { encodeCertsOnly } from '../helpers/keystore-p12';
import { FAST_KDF, tempDir } from '../helpers/keystore-fixtures';
import { issueFor, pkcs7CertsOnly } from '../helpers/keystore-pairing';

const PIN = 'Vero-Nyckel-7';
const SUBJECT = 'CN=1234567-8,O=Åkerö Ärende AB,C=FI';
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const t = tempDir('eiddesk-paircli-');
  cleanups.push(t.cleanup);
  return t.dir;
}

let ca: TestCa;
beforeAll(() => {
  ca = makeCa('CLI-rot Ä');
});

/** A request made directly with a cheap KDF (the CLI's own `request` is tested above; this keeps the pair tests quick). */
async function made(ksDir: string, label?: string) {
  const r = await new Keystore({ dir: ksDir, kdf: FAST_KDF }).createRequest({ alg: 'ec-p256', subject: SUBJECT, ...(label ? { label } : {}) }, PIN);
  return { doc: { request: { id: r.id, csrPem: r.csrPem } } };
}

describe('eiddesk keystore request', () => {
  it('writes a PEM CSR that verifies, with the subject intact, and lists the request', async () => {
    const ksDir = dir();
    const out = path.join(dir(), 'vero.csr');
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN } });
    expect(await main(['keystore', 'request', '--subject', SUBJECT, '--label', 'Vero API', '--csr-out', out], f.io)).toBe(0);
    expect(f.out()).toMatch(/^Made key request [0-9a-f]{16} "Vero API" \(rsa-2048\) for CN=1234567-8, O=Åkerö Ärende AB, C=FI\./);
    expect(f.out()).toContain(`CSR written to ${out}`);
    expect(f.out()).toContain('eiddesk keystore pair');
    const csr = parseCsr(readFileSync(out));
    expect(verifyCsr(csr)).toBe(true);
    expect(csr.subject).toEqual({ C: 'FI', O: 'Åkerö Ärende AB', CN: '1234567-8' });
    expect(csr.publicKey).toMatchObject({ algorithm: 'rsa', bits: 2048 });
    expect(f.out() + f.err()).not.toContain(PIN);

    const l = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'requests'], l.io)).toBe(0);
    expect(l.out()).toMatch(/^[0-9a-f]{16} {2}Vero API\n\s+CN=1234567-8, O=Åkerö Ärende AB, C=FI; rsa-2048; made \d{4}-\d\d-\d\d\n\s+public key SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\n$/);
    const j = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'requests', '--json'], j.io)).toBe(0);
    const doc = JSON.parse(j.out());
    expect(doc.requests).toHaveLength(1);
    expect(doc.requests[0]).toMatchObject({ label: 'Vero API', algorithm: 'rsa2048', pin: { attempts: 0, retryAfterSeconds: 0 } });
    expect(doc.requests[0].csrPem).toBe(readFileSync(out, 'utf8'));
    expect(j.out()).not.toMatch(/PRIVATE|pkcs8/);
  });

  it('--csr-out - prints the CSR; the PIN asked at a terminal twice must match', async () => {
    const ksDir = dir();
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir }, stdin: { tty: [PIN, PIN] } });
    expect(await main(['keystore', 'request', '--alg', 'ec-p256', '--subject', SUBJECT, '--csr-out', '-'], f.io)).toBe(0);
    expect(f.prompts()).toEqual(['Choose a keystore PIN for the key of this request: ', 'Repeat the keystore PIN: ']);
    expect(verifyCsr(parseCsr(Buffer.from(f.out())))).toBe(true);
    expect(f.err()).toContain('Made key request');
    const mismatch = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir }, stdin: { tty: [PIN, 'Annan-PIN-9'] } });
    expect(await main(['keystore', 'request', '--subject', SUBJECT, '--csr-out', '-', '--json'], mismatch.io)).toBe(1);
    expect(JSON.parse(mismatch.out()).error.code).toBe('validation');
    expect(await new Keystore({ dir: ksDir }).listRequests()).toHaveLength(1);
  });

  it('refuses before making anything: bad subject, existing CSR file, weak PIN, usage errors', async () => {
    const ksDir = dir();
    const out = path.join(dir(), 'x.csr');
    const env = { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN };
    const noCn = fakeIo({ env });
    expect(await main(['keystore', 'request', '--subject', 'O=Yritys,C=FI', '--csr-out', out, '--json'], noCn.io)).toBe(1);
    expect(JSON.parse(noCn.out()).error.code).toBe('validation');
    expect(existsSync(out)).toBe(false);
    writeFileSync(out, 'older csr');
    const exists = fakeIo({ env });
    expect(await main(['keystore', 'request', '--subject', SUBJECT, '--csr-out', out, '--json'], exists.io)).toBe(1);
    expect(JSON.parse(exists.out()).error.code).toBe('already-exists');
    expect(readFileSync(out, 'utf8')).toBe('older csr');
    const out2 = path.join(path.dirname(out), 'y.csr');
    const weak = fakeIo({ env: { ...env, EIDDESK_PIN: '123456' } });
    expect(await main(['keystore', 'request', '--subject', SUBJECT, '--csr-out', out2, '--json'], weak.io)).toBe(1);
    expect(JSON.parse(weak.out()).error).toMatchObject({ code: 'pin-invalid' });
    expect(existsSync(out2)).toBe(false);
    for (const argv of [['--subject', SUBJECT], ['--csr-out', out2], ['--subject', SUBJECT, '--csr-out', out2, '--alg', 'rsa1024'], ['extra', '--subject', SUBJECT, '--csr-out', out2]]) {
      expect(await main(['keystore', 'request', ...argv], fakeIo({ env }).io)).toBe(2);
    }
    expect(await new Keystore({ dir: ksDir }).listRequests()).toEqual([]);
  });

  it('the help lists the new subcommands', async () => {
    const f = fakeIo();
    expect(await main(['keystore', '--help'], f.io)).toBe(0);
    for (const s of ['request --subject DN --csr-out FILE', 'requests [--json]', 'pair FILE [--to keystore|os]', 'delete-request ID', 'EIDDESK_P12_PASSWORD']) expect(f.out()).toContain(s);
  });
});

describe('eiddesk keystore pair', () => {
  it('pairs a PEM certificate: the request becomes an e-ID that opens with its PIN', async () => {
    const ksDir = dir();
    const { doc } = await made(ksDir, 'API-nyckel');
    const leaf = issueFor({ csr: Buffer.from(doc.request.csrPem) }, ca);
    const file = path.join(dir(), 'cert.pem');
    writeFileSync(file, toPem(leaf) + toPem(ca.cert));
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN } });
    expect(await main(['keystore', 'pair', file], f.io)).toBe(0);
    expect(f.out()).toMatch(/^Paired 1234567-8, valid to \d{4}-\d\d-\d\d\.\n {2}Keystore: id [0-9a-f]{16} in .*; made from key request [0-9a-f]{16}, which is now gone\n$/);
    const ks = new Keystore({ dir: ksDir });
    const [e] = await ks.list();
    expect(e).toMatchObject({ label: 'API-nyckel', source: 'csr-pairing', organisation: 'Åkerö Ärende AB' });
    expect(e.fingerprintSha256).toBe(parseCertificate(leaf).info.fingerprintSha256);
    expect((await ks.unlock(e.id, PIN)).selfTest().ok).toBe(true);
    expect(await ks.listRequests()).toEqual([]);
  });

  it('pairs a certificates-only .p12 (password from the environment) and a .p7b renewal', async () => {
    const ksDir = dir();
    const { doc } = await made(ksDir);
    const req = { csr: Buffer.from(doc.request.csrPem) };
    const p12 = path.join(dir(), 'levererad.p12');
    writeFileSync(p12, encodeCertsOnly([issueFor(req, ca, { notAfter: new Date(Date.now() + 40 * 86400_000) }), ca.cert], 'Brev 123'));
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN, EIDDESK_P12_PASSWORD: 'Brev 123' } });
    expect(await main(['keystore', 'pair', p12, '--json'], f.io)).toBe(0);
    const first = JSON.parse(f.out()).paired;
    expect(first).toMatchObject({ replacedRequest: true, requestId: doc.request.id, renewalOf: null, chainLength: 2, osStore: null, holder: '1234567-8' });
    const p7b = path.join(dir(), 'förnyad.p7b');
    writeFileSync(p7b, pkcs7CertsOnly([ca.cert, issueFor(req, ca)]));
    const r = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN } });
    expect(await main(['keystore', 'pair', p7b], r.io)).toBe(0);
    expect(r.out()).toContain(`a renewal of ${first.entryId}, which is kept`);
    expect(await new Keystore({ dir: ksDir }).list()).toHaveLength(2);
    // A wrong .p12 password: bad-password.
    const bad = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN, EIDDESK_P12_PASSWORD: 'fel' } });
    expect(await main(['keystore', 'pair', p12, '--json'], bad.io)).toBe(1);
    expect(JSON.parse(bad.out()).error.code).toBe('bad-password');
  });

  it('--to os installs through the OS store after pairing; a failing store keeps the request', async () => {
    const ksDir = dir();
    const { doc } = await made(ksDir);
    const file = path.join(dir(), 'c.cer');
    writeFileSync(file, issueFor({ csr: Buffer.from(doc.request.csrPem) }, ca));
    const store = fakeOsStore();
    store.failInstall = 'before';
    const failing = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN } });
    expect(await runPair([file, '--to', 'os', '--json'], failing.io, { osStore: () => store })).toBe(1);
    expect(JSON.parse(failing.out()).error.code).toBe('os-store-failed');
    const ks = new Keystore({ dir: ksDir });
    expect(await ks.list()).toEqual([]);
    expect(await ks.listRequests()).toHaveLength(1);
    store.failInstall = null;
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN } });
    expect(await runPair([file, '--to', 'os'], f.io, { osStore: () => store })).toBe(0);
    expect(f.out()).toContain('Installed in nss /fake/nssdb as "1234567-8" (private key not exportable)');
    expect(store.certs).toHaveLength(1);
    expect((await ks.list())[0].installs).toEqual([expect.objectContaining({ kind: 'nss' })]);
  });

  it('errors: no matching key (exit 1, says where the key is), hostile files, usage', async () => {
    const ksDir = dir();
    await made(ksDir);
    const stranger = path.join(dir(), 'annan.pem');
    writeFileSync(stranger, toPem(makeEid({ ca }).leaf));
    const f = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN } });
    expect(await main(['keystore', 'pair', stranger, '--json'], f.io)).toBe(1);
    const e = JSON.parse(f.out()).error;
    expect(e.code).toBe('no-matching-key');
    expect(e.message).toContain('where the certificate request (CSR) was made');
    const t = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN } });
    expect(await main(['keystore', 'pair', stranger], t.io)).toBe(1);
    expect(t.err()).toMatch(/^eiddesk: No key in this keystore belongs to the certificate .*\[no-matching-key\]\n$/);
    const junk = path.join(dir(), 'junk.crt');
    writeFileSync(junk, Buffer.from('not a certificate at all'));
    const m = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir, EIDDESK_PIN: PIN } });
    expect(await main(['keystore', 'pair', junk, '--json'], m.io)).toBe(1);
    expect(JSON.parse(m.out()).error.code).toBe('malformed');
    const missing = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'pair', path.join(ksDir, 'nope.pem'), '--json'], missing.io)).toBe(1);
    expect(JSON.parse(missing.out()).error.code).toBe('not-found');
    expect(await main(['keystore', 'pair'], fakeIo().io)).toBe(2);
    expect(await main(['keystore', 'pair', junk, '--to', 'usb'], fakeIo().io)).toBe(2);
    expect(await new Keystore({ dir: ksDir }).listRequests()).toHaveLength(1);
  });
});

describe('eiddesk keystore delete-request', () => {
  it('needs --yes without a terminal, asks at one, and deletes', async () => {
    const ksDir = dir();
    const { doc } = await made(ksDir);
    const id = doc.request.id as string;
    expect(await main(['keystore', 'delete-request', id], fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } }).io)).toBe(2);
    const no = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir }, stdin: { tty: ['nej'] } });
    expect(await main(['keystore', 'delete-request', id.slice(0, 6)], no.io)).toBe(1);
    expect(no.err()).toContain('Its private key is gone for good');
    expect(no.err()).toContain('Not deleted.');
    expect(await new Keystore({ dir: ksDir }).listRequests()).toHaveLength(1);
    const yes = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir }, stdin: { tty: ['yes'] } });
    expect(await main(['keystore', 'delete-request', id.slice(0, 6)], yes.io)).toBe(0);
    expect(yes.out()).toContain(`Deleted key request ${id}`);
    expect(await new Keystore({ dir: ksDir }).listRequests()).toEqual([]);
    const again = fakeIo({ env: { EIDDESK_KEYSTORE_DIR: ksDir } });
    expect(await main(['keystore', 'delete-request', id, '--yes', '--json'], again.io)).toBe(1);
    expect(JSON.parse(again.out()).error.code).toBe('not-found');
  });
});
