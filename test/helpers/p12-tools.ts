/**
 * Real PKCS#12 producers for the interoperability corpus and the hostile-file tests: OpenSSL,
 * Java keytool, NSS pk12util (with a throwaway certutil database) and GnuTLS certtool, plus a
 * test PKI whose holder has Å/Ä/Ö in the name and an HSA-id, and a whole-process runner for
 * `eiddesk p12 inspect --json`.
 *
 * Tests hand passwords to the external tools through environment variables where the tool can
 * read them (openssl `env:`, keytool `:env`) and on argv only where it cannot (pk12util -W,
 * certtool --password): these are throwaway passwords of throwaway files. eID Desk itself only
 * ever gets its password through EIDDESK_P12_PASSWORD.
 *
 * A missing tool is an error naming the package to install, never a silent skip.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueEndEntity, makeTestPki, toPem, type IssuedCert, type NameSpec } from '../../dev/test-ca';
import { root } from './build';

/** The Debian/Ubuntu package that provides each tool. */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  openssl: 'openssl',
  keytool: 'default-jre-headless (or openjdk-17-jre-headless)',
  certutil: 'libnss3-tools',
  pk12util: 'libnss3-tools',
  certtool: 'gnutls-bin',
};

/** The error a missing tool gives: which package to install. */
export function missingToolError(tool: string): Error {
  const pkg = TOOL_PACKAGES[tool] ?? tool;
  return new Error(`'${tool}' is not installed, so the PKCS#12 files it makes cannot be tested. Install the package ${pkg} (apt-get install ${pkg.split(' ')[0]}).`);
}

/** Whether a tool can be started at all (any exit code counts: some print usage and exit 1). */
export function hasTool(tool: string): boolean {
  const probe = tool === 'keytool' ? ['-help'] : tool === 'openssl' ? ['version'] : ['--version'];
  const r = spawnSync(tool, probe, { stdio: 'ignore', timeout: 30_000 });
  return !(r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT');
}

/** Throws missingToolError unless the tool is installed. */
export function requireTool(tool: string): void {
  if (!hasTool(tool)) throw missingToolError(tool);
}

/** Runs a tool; on failure throws with its stderr (tools do not echo passwords there). */
export function runTool(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Buffer {
  try {
    return execFileSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer; stdout?: Buffer };
    if (e.code === 'ENOENT') throw missingToolError(cmd);
    const out = `${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`.trim();
    throw new Error(`${cmd} ${args[0] ?? ''} failed: ${out.slice(0, 600) || e.message}`);
  }
}

/** The holder's subject, as the brief of the corpus wants it. */
export const HOLDER_SUBJECT: NameSpec = [
  ['C', 'SE'],
  ['O', 'Västra Götalandsregionen'],
  ['serialNumber', 'SE2321000156-10XX'],
  ['CN', 'Åsa Öberg'],
];

/** One holder: certificate, key and their files. */
export interface CorpusHolder {
  cert: IssuedCert;
  /** SPKI DER of the public key, as Node exports it (the comparison form). */
  spki: Buffer;
  certPem: string;
  keyPem: string;
}

/** The test PKI the corpus is made from, with PEM files in `dir`. */
export interface CorpusPki {
  dir: string;
  root: IssuedCert;
  ca: IssuedCert;
  /** RSA 2048 holder. */
  rsa: CorpusHolder;
  /** EC P-256 holder (same subject, another key). */
  ec: CorpusHolder;
  /** CA + root, PEM, for -certfile. */
  chainPem: string;
  caPem: string;
}

/** Public key of a private or public key, as SPKI DER. */
export function spkiOf(key: KeyObject | Buffer): Buffer {
  const k = Buffer.isBuffer(key) ? createPublicKey(createPrivateKey({ key, format: 'der', type: 'pkcs8' })) : key.type === 'public' ? key : createPublicKey(key);
  return k.export({ type: 'spki', format: 'der' });
}

/** Makes the PKI and writes its PEM files. */
export function makeCorpusPki(dir: string): CorpusPki {
  mkdirSync(dir, { recursive: true });
  const { root: rootCert, ca } = makeTestPki();
  const holder = (kind: 'rsa' | 'ec'): CorpusHolder => {
    const cert = issueEndEntity(ca, { subject: HOLDER_SUBJECT, keyKind: kind, keyUsage: kind === 'ec' ? ['digitalSignature'] : ['digitalSignature', 'keyEncipherment'], extKeyUsage: ['clientAuth'] });
    const certPem = join(dir, `holder-${kind}.pem`);
    const keyPem = join(dir, `holder-${kind}-key.pem`);
    writeFileSync(certPem, toPem(cert.der));
    writeFileSync(keyPem, cert.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    return { cert, spki: spkiOf(cert.privateKey), certPem, keyPem };
  };
  const chainPem = join(dir, 'chain.pem');
  const caPem = join(dir, 'ca.pem');
  writeFileSync(chainPem, toPem(ca.der) + toPem(rootCert.der));
  writeFileSync(caPem, toPem(ca.der));
  return { dir, root: rootCert, ca, rsa: holder('rsa'), ec: holder('ec'), chainPem, caPem };
}

/** Options for `openssl pkcs12 -export`. */
export interface OpensslP12Options {
  password: string;
  holder?: CorpusHolder;
  /** Friendly name (-name); omitted when undefined. */
  name?: string;
  /** Add CA and root (-certfile). Default true. */
  chain?: boolean;
  /** Extra arguments: -legacy, -keypbe ..., -nomac, -iter N, -nokeys ... */
  args?: readonly string[];
  /** Leave the key out (-nokeys; certificates only). */
  noKey?: boolean;
  /** Leave the certificates out (-nocerts; key only). */
  noCert?: boolean;
}

/** `openssl pkcs12 -export`, password through `env:`. */
export function opensslP12(pki: CorpusPki, out: string, o: OpensslP12Options): string {
  const holder = o.holder ?? pki.rsa;
  const args = ['pkcs12', '-export', '-out', out, '-passout', 'env:P12_TOOL_PASSWORD'];
  if (o.noCert) args.push('-nocerts', '-in', holder.keyPem);
  else if (o.noKey) args.push('-nokeys', '-in', holder.certPem);
  else args.push('-in', holder.certPem, '-inkey', holder.keyPem);
  if (o.chain !== false && !o.noCert) args.push('-certfile', pki.chainPem);
  if (o.name !== undefined) args.push('-name', o.name);
  args.push(...(o.args ?? []));
  runTool('openssl', args, { ...process.env, P12_TOOL_PASSWORD: o.password });
  return out;
}

/**
 * NSS: imports the holder (through an OpenSSL-made file) into a new, empty-password certutil
 * database, then `pk12util -o`: NSS's defaults (PBKDF2-SHA256 600,000 iterations, AES-256 for the
 * key, AES-128 for the certificates, SHA-256 MAC with 600,000 iterations).
 */
export function nssP12(pki: CorpusPki, out: string, o: { password: string; holder?: CorpusHolder; nickname: string; args?: readonly string[] }): string {
  const holder = o.holder ?? pki.rsa;
  const db = mkdtempSync(join(pki.dir, 'nssdb-'));
  try {
    runTool('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    const transfer = join(db, 'transfer.p12');
    opensslP12(pki, transfer, { password: 'transfer-only', holder, name: o.nickname });
    runTool('pk12util', ['-i', transfer, '-d', `sql:${db}`, '-W', 'transfer-only', '-K', '']);
    runTool('pk12util', ['-o', out, '-n', o.nickname, '-d', `sql:${db}`, '-W', o.password, '-K', '', ...(o.args ?? [])]);
  } finally {
    rmSync(db, { recursive: true, force: true });
  }
  return out;
}

/** GnuTLS `certtool --to-p12` (DER output). `password: ''` uses --empty-password. */
export function gnutlsP12(pki: CorpusPki, out: string, o: { password: string; holder?: CorpusHolder; name?: string; args?: readonly string[] }): string {
  const holder = o.holder ?? pki.rsa;
  const args = ['--to-p12', '--outder', '--outfile', out, '--load-privkey', holder.keyPem, '--load-certificate', holder.certPem, '--load-ca-certificate', pki.caPem];
  args.push(...(o.password === '' ? ['--empty-password'] : ['--password', o.password]));
  if (o.name !== undefined) args.push('--p12-name', o.name);
  args.push(...(o.args ?? []));
  runTool('certtool', args);
  return out;
}

/** `keytool -genkeypair -storetype PKCS12`: Java makes the key and a self-signed certificate. */
export function keytoolGenerate(out: string, o: { password: string; alias: string; dname: string; keyalg?: 'RSA' | 'EC' }): string {
  const args = ['-genkeypair', '-storetype', 'PKCS12', '-keystore', out, '-storepass:env', 'P12_TOOL_PASSWORD', '-alias', o.alias, '-dname', o.dname, '-validity', '365'];
  args.push(...(o.keyalg === 'EC' ? ['-keyalg', 'EC', '-groupname', 'secp256r1'] : ['-keyalg', 'RSA', '-keysize', '2048']));
  runTool('keytool', args, { ...process.env, P12_TOOL_PASSWORD: o.password });
  return out;
}

/** `keytool -exportcert` (DER) of one alias. */
export function keytoolExportCert(store: string, password: string, alias: string, out: string): Buffer {
  runTool('keytool', ['-exportcert', '-keystore', store, '-storetype', 'PKCS12', '-storepass:env', 'P12_TOOL_PASSWORD', '-alias', alias, '-file', out], { ...process.env, P12_TOOL_PASSWORD: password });
  return readFileSync(out);
}

/** `keytool -importkeystore` from a PKCS#12 file into `dest` (created or added to). */
export function keytoolImport(src: string, srcPassword: string, dest: string, destPassword: string): string {
  runTool(
    'keytool',
    ['-importkeystore', '-noprompt', '-srckeystore', src, '-srcstoretype', 'PKCS12', '-srcstorepass:env', 'P12_TOOL_SRC', '-destkeystore', dest, '-deststoretype', 'PKCS12', '-deststorepass:env', 'P12_TOOL_PASSWORD'],
    { ...process.env, P12_TOOL_SRC: srcPassword, P12_TOOL_PASSWORD: destPassword },
  );
  return dest;
}

/** What one whole-process `eiddesk p12 inspect` run gave. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Parsed stdout (the --json document). */
  json: CliJson;
  ms: number;
}

/** The parts of the `--json` document the tests read. */
export interface CliJson {
  ok: boolean;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  keys?: number;
  certificates?: Array<{ fingerprintSha256: string; subject: Record<string, string>; friendlyName?: string; localKeyId?: string; hasKey: boolean }>;
  keyDetails?: Array<{ friendlyName?: string; algorithm: string; curve: string | null; certificateIndex: number | null }>;
  pairs?: Array<{ keyIndex: number; certificateIndex: number }>;
  leaf?: { fingerprintSha256: string; subject: Record<string, string>; identity: { kind: string; value: string } | null; friendlyName?: string; hasKey: boolean } | null;
  certificatesOnly?: boolean;
  keyOnly?: boolean;
  protection?: { macAlgorithm: string | null; macIterations: number | null; encryption: string[] };
}

/** The command users run. */
export const EIDDESK_BIN = join(root, 'bin', 'eiddesk.cjs');

/**
 * Runs `node bin/eiddesk.cjs p12 inspect FILE --json [extra]` as its own process, the password in
 * EIDDESK_P12_PASSWORD (or none at all when `password` is null: stdin is closed, so no prompt).
 */
export function cliInspect(file: string, password: string | null, extra: readonly string[] = []): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.EIDDESK_P12_PASSWORD;
  if (password !== null) env.EIDDESK_P12_PASSWORD = password;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [EIDDESK_BIN, 'p12', 'inspect', file, '--json', ...extra], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      let json: CliJson;
      try {
        json = JSON.parse(stdout) as CliJson;
      } catch {
        reject(new Error(`eiddesk p12 inspect ${file} printed no JSON (exit ${status}): ${stdout.slice(0, 300)} ${stderr.slice(0, 300)}`));
        return;
      }
      resolve({ status, stdout, stderr, json, ms });
    });
  });
}
