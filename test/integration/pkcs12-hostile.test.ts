/**
 * Hostile and wrong files through the whole `eiddesk p12 inspect --json` process: each gives the
 * documented `{"ok":false,"error":{"code","message"}}`, exit code 1, in bounded time, and never
 * prints the password. The files are made from a real OpenSSL PKCS#12 (damaged on purpose), by
 * OpenSSL itself (certificates only, key only), or by the test builder where no tool writes such
 * a file (absurd iteration counts, which are never run).
 *
 * The bound is generous (5 s per whole process) and only proves that nothing hangs: speed is
 * measured by bench/pkcs12.mjs, not asserted here.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../main/pkcs12';
import { toPem } from '../../dev/test-ca';
import { ensureBuilt } from '../helpers/build';
import { buildP12 } from '../helpers/p12-build';
import { cliInspect, makeCorpusPki, opensslP12, requireTool, type CliRun, type CorpusPki } from '../helpers/p12-tools';

const PW = 'Hemlig-Åäö-4711';
const WRONG = 'Fel-Lösen-0815';
const BOUND_MS = 5000;

let work: string;
let pki: CorpusPki;
let good: Buffer;
const files: Record<string, string> = {};

function put(name: string, data: Buffer | string): string {
  const file = path.join(work, name);
  writeFileSync(file, data);
  files[name] = file;
  return file;
}

beforeAll(async () => {
  requireTool('openssl');
  await ensureBuilt('cli');
  work = mkdtempSync(path.join(os.tmpdir(), 'eiddesk-p12-hostile-'));
  pki = makeCorpusPki(path.join(work, 'pki'));
  good = readFileSync(opensslP12(pki, path.join(work, 'good.p12'), { password: PW, name: 'Åsa Öberg' }));
  opensslP12(pki, path.join(work, 'certs-only.p12'), { password: PW, noKey: true });
  opensslP12(pki, path.join(work, 'key-only.p12'), { password: PW, noCert: true, name: 'Åsa Öberg' });
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI and checks everything every failure must satisfy; returns the run. */
async function fails(file: string, code: string, opts: { password?: string; extra?: string[] } = {}): Promise<CliRun> {
  const password = opts.password ?? PW;
  const run = await cliInspect(file, password, opts.extra);
  expect(run.json, run.stdout).toMatchObject({ ok: false, error: { code } });
  expect(Object.keys(run.json).sort()).toEqual(['error', 'ok']);
  expect(Object.keys(run.json.error ?? {}).filter((k) => k !== 'details').sort()).toEqual(['code', 'message']);
  expect(typeof run.json.error?.message).toBe('string');
  expect(run.json.error?.message.length).toBeGreaterThan(20);
  expect(run.status).toBe(1);
  expect(run.ms).toBeLessThan(BOUND_MS);
  // Neither the password given nor the file's real one appears anywhere in the output.
  for (const secret of new Set([password, PW])) if (secret) expect(run.stdout + run.stderr).not.toContain(secret);
  return run;
}

describe('the reference file itself opens (so the failures below are the damage, not the file)', () => {
  it('good.p12 inspects with exit code 0', async () => {
    const run = await cliInspect(path.join(work, 'good.p12'), PW, ['--require-key']);
    expect(run.status).toBe(0);
    expect(run.json.ok).toBe(true);
    expect(run.json.leaf?.subject.CN).toBe('Åsa Öberg');
  });
});

describe('damaged files: malformed', () => {
  it('truncated to half, and by a single byte', async () => {
    await fails(put('half.p12', good.subarray(0, good.length >> 1)), 'malformed');
    await fails(put('minus-one.p12', good.subarray(0, good.length - 1)), 'malformed');
  });

  it('a flipped byte in the MAC value: damaged, not a wrong password', async () => {
    // OpenSSL's MacData ends the file: OCTET STRING(32) digest, OCTET STRING(8) salt, INTEGER 2048.
    expect(good.subarray(-14).subarray(0, 2)).toEqual(Buffer.from([0x04, 0x08]));
    expect(good.subarray(-4)).toEqual(Buffer.from([0x02, 0x02, 0x08, 0x00]));
    const bad = Buffer.from(good);
    bad[good.length - 20] ^= 0x01;
    const run = await fails(put('flip-mac.p12', bad), 'malformed');
    expect(run.json.error?.message).toMatch(/damaged/);
    // The same file with a wrong password is, as far as anyone can tell, a wrong password.
    await fails(files['flip-mac.p12'], 'bad-password', { password: WRONG });
  });

  it('a flipped byte inside the encrypted certificates: the password decrypts the key, so the file is damaged', async () => {
    const bad = Buffer.from(good);
    bad[400] ^= 0x80; // OpenSSL writes the encrypted certificates first: byte 400 is their ciphertext
    const run = await fails(put('flip-certs.p12', bad), 'malformed');
    expect(run.json.error?.message).toMatch(/integrity check \(MAC\) fails although the password is right/);
  });

  it('the first byte flipped (no longer a SEQUENCE)', async () => {
    const bad = Buffer.from(good);
    bad[0] ^= 0xff;
    await fails(put('flip-first.p12', bad), 'malformed');
  });

  it('flips spread over the whole file each give a documented code', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const bad = Buffer.from(good);
      const pos = Math.floor(((i + 0.5) * good.length) / 10);
      bad[pos] ^= 0x55;
      const run = await cliInspect(put(`flip-${pos}.p12`, bad), PW);
      expect(run.status, `flip at ${pos}`).toBe(1);
      expect(run.ms).toBeLessThan(BOUND_MS);
      expect(['malformed', 'unsupported', 'too-costly']).toContain(run.json.error?.code);
      seen.add(run.json.error?.code ?? '');
    }
    expect(seen.has('malformed')).toBe(true);
  });

  it('random bytes, and random bytes behind a DER SEQUENCE header', async () => {
    await fails(put('random.p12', randomBytes(4096)), 'malformed');
    await fails(put('random-seq.p12', Buffer.concat([Buffer.from([0x30, 0x82, 0x0f, 0xfc]), randomBytes(4092)])), 'malformed');
  });

  it('an empty file', async () => {
    const run = await fails(put('empty.p12', Buffer.alloc(0)), 'malformed');
    expect(run.json.error?.message).toMatch(/empty/);
  });

  it('a PEM file named .p12 (certificate and key), and the text `openssl pkcs12 -nodes` writes', async () => {
    const pem = toPem(pki.rsa.cert.der) + readFileSync(pki.rsa.keyPem, 'utf8');
    const run = await fails(put('pem.p12', pem), 'malformed');
    expect(run.json.error?.message).toMatch(/PEM/);
    const text = put('openssl-text.p12', '');
    opensslText(path.join(work, 'good.p12'), text);
    expect(readFileSync(text, 'latin1')).toMatch(/^Bag Attributes/);
    const run2 = await fails(text, 'malformed');
    expect(run2.json.error?.message).toMatch(/PEM/);
  });
});

function opensslText(from: string, to: string): void {
  // `openssl pkcs12 -nodes` output: "Bag Attributes" lines, then PEM blocks.
  execFileSync('openssl', ['pkcs12', '-in', from, '-nodes', '-passin', 'env:P12_TOOL_PASSWORD', '-out', to], { env: { ...process.env, P12_TOOL_PASSWORD: PW }, stdio: 'ignore' });
}

describe('denial of service: refused before any work', () => {
  it('a file just over the 1 MiB limit, and a 512 MiB (sparse) one: too-large from the size alone', async () => {
    const over = Buffer.concat([good, Buffer.alloc(DEFAULT_LIMITS.maxBytes + 1 - good.length)]);
    const run = await fails(put('over-limit.p12', over), 'too-large');
    expect(run.json.error?.details).toMatchObject({ size: DEFAULT_LIMITS.maxBytes + 1, limit: DEFAULT_LIMITS.maxBytes });
    const huge = path.join(work, 'huge.p12');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 512 * 1024 * 1024);
    closeSync(fd);
    expect(statSync(huge).size).toBe(512 * 1024 * 1024);
    const run2 = await fails(huge, 'too-large');
    expect(run2.json.error?.details).toMatchObject({ size: 512 * 1024 * 1024 });
  });

  it('absurd iteration counts (MAC 2^31-1, a key at 2^31-1 without MAC, a 9-byte count): too-costly', async () => {
    const pkcs8 = pki.rsa.cert.privateKey.export({ type: 'pkcs8', format: 'der' });
    const base = { password: PW, keys: [{ pkcs8 }], certs: [{ der: pki.rsa.cert.der }] };
    const macBomb = buildP12({ ...base, mac: { kind: 'pkcs12', iterations: 1, declaredIterations: 2 ** 31 - 1 } });
    const r1 = await fails(put('mac-bomb.p12', macBomb), 'too-costly');
    expect(r1.json.error?.details).toMatchObject({ iterations: 2 ** 31 - 1, limit: DEFAULT_LIMITS.maxIterations });
    const keyBomb = buildP12({ ...base, mac: null, keys: [{ pkcs8, encrypt: { kind: 'pbes2', iterations: 1, declaredIterations: 2 ** 31 - 1 } }] });
    await fails(put('key-bomb.p12', keyBomb), 'too-costly');
    const hugeCount = buildP12({ ...base, mac: { kind: 'pkcs12', iterations: 1, declaredIterations: Buffer.from('7fffffffffffffffff', 'hex') } });
    await fails(put('count-bomb.p12', hugeCount), 'too-costly');
  });
});

describe('real files, wrong use', () => {
  it('a wrong password: bad-password, and neither password is printed', async () => {
    const run = await fails(path.join(work, 'good.p12'), 'bad-password', { password: WRONG });
    expect(run.json.error?.message).toMatch(/PIN/);
  });

  it('certificates only (OpenSSL -nokeys) with --require-key: no-private-key; without it the report says so', async () => {
    const file = path.join(work, 'certs-only.p12');
    const run = await fails(file, 'no-private-key', { extra: ['--require-key'] });
    expect(run.json.error?.message).toMatch(/CSR/);
    const ok = await cliInspect(file, PW);
    expect(ok.status).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, keys: 0, certificatesOnly: true, keyOnly: false });
    expect(ok.json.certificates).toHaveLength(3);
  });

  it('a key only (OpenSSL -nocerts) with --require-key: no-certificate; without it the report says so', async () => {
    const file = path.join(work, 'key-only.p12');
    await fails(file, 'no-certificate', { extra: ['--require-key'] });
    const ok = await cliInspect(file, PW);
    expect(ok.status).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, keys: 1, keyOnly: true, certificatesOnly: false, leaf: null });
  });

  it('a file that does not exist: not-found', async () => {
    await fails(path.join(work, 'no-such-file.p12'), 'not-found');
  });
});
