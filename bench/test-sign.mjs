// Test signature: whole-process `eiddesk card test-sign --token LABEL --id 02` (PIN from
// EIDDESK_PIN) against what a technician would do with stock tools: `pkcs11-tool --sign` and an
// `openssl dgst -verify` of the result, the two processes timed together. Median of N runs after a
// warm-up, ratio printed.
//
// The token is made here with the stock tools too (pkcs11-tool + openssl, PINs through
// `env:NAME`, never argv): a private SoftHSM2 config in a temp dir, one RSA 2048 key with CKA_ID 02
// and a self-signed nonRepudiation certificate next to it. Throwaway PINs, bench only.
//
// Run through bench/run.mjs (ctx = { cli, bin, runs, tmp? }) or standalone: `node bench/test-sign.mjs`
// (builds the CLI first if dist/cli.cjs is missing). The launcher bin/eiddesk.cjs is timed when
// given (it is what users run; it turns on Node's compile cache), else the bundle itself.
// No target ratio: both reference tools are small C programs, and Node's own start-up is already
// about twice their whole run, so the line also prints that floor.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ratioLine, root, timeSequence, timeWhole } from './lib.mjs';

const MODULES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so', '/opt/homebrew/lib/softhsm/libsofthsm2.so'];
const LABEL = 'eID Desk bench signer';
const PINS = { BENCH_PIN: '4711-bench', BENCH_SO_PIN: '47114711' };

/** Runs a tool, failing with its stderr. */
function run(cmd, args, env) {
  try {
    return execFileSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${String(err.stderr ?? err.message).trim().slice(0, 300)}`);
  }
}

/** Makes the SoftHSM2 token with the stock tools; returns what the timed commands need. */
function makeToken(dir, modulePath) {
  const tokenDir = join(dir, 'tokens');
  run('mkdir', ['-p', tokenDir]);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf, ...PINS };
  const p11 = (...args) => run('pkcs11-tool', ['--module', modulePath, ...args], env);
  p11('--init-token', '--label', LABEL, '--so-pin', 'env:BENCH_SO_PIN');
  p11('--token-label', LABEL, '--login', '--login-type', 'so', '--so-pin', 'env:BENCH_SO_PIN', '--init-pin', '--new-pin', 'env:BENCH_PIN');
  const key = join(dir, 'key.pem');
  run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
  run('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', key, '-outform', 'DER', '-out', join(dir, 'key.der')]);
  run('openssl', ['req', '-new', '-x509', '-key', key, '-subj', '/C=SE/O=eID Desk bench/CN=Bench Signer', '-addext', 'keyUsage=critical,nonRepudiation', '-days', '30', '-outform', 'DER', '-out', join(dir, 'cert.der')]);
  run('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'cert.der'), '-pubkey', '-noout', '-out', join(dir, 'pub.pem')]);
  const login = ['--token-label', LABEL, '--login', '--pin', 'env:BENCH_PIN'];
  p11(...login, '--write-object', join(dir, 'key.der'), '--type', 'privkey', '--id', '02', '--label', 'Underskrift');
  p11(...login, '--write-object', join(dir, 'cert.der'), '--type', 'cert', '--id', '02', '--label', 'Underskrift');
  rmSync(key);
  rmSync(join(dir, 'key.der'));
  const challenge = join(dir, 'challenge.bin');
  writeFileSync(challenge, randomBytes(32));
  return { env, challenge, signature: join(dir, 'challenge.sig'), pub: join(dir, 'pub.pem') };
}

/** Runs the benchmark; returns { name, ours, reference, ratio }. */
export default async function benchTestSign(ctx = {}) {
  const runs = ctx.runs ?? 5;
  const cli = ctx.bin && existsSync(ctx.bin) ? ctx.bin : (ctx.cli ?? join(root, 'dist', 'cli.cjs'));
  if (!existsSync(ctx.cli ?? cli)) throw new Error(`${ctx.cli ?? cli} is missing: run npm run build`);
  const modulePath = MODULES.find((m) => existsSync(m));
  if (!modulePath) throw new Error('softhsm2 is not installed (npm run setup)');
  const dir = ctx.tmp ? mkdtempSync(join(ctx.tmp, 'test-sign-')) : mkdtempSync(join(tmpdir(), 'eiddesk-bench-sign-'));
  try {
    const t = makeToken(dir, modulePath);
    const ourEnv = { ...t.env, EIDDESK_PIN: PINS.BENCH_PIN };
    const ourArgs = [cli, 'card', 'test-sign', '--token', LABEL, '--id', '02', '--module', modulePath];
    // A run that does not verify exits 1, which timeOnce turns into a failure: checked on every run.
    const ours = await timeWhole(process.execPath, ourArgs, { env: ourEnv, runs });
    const reference = await timeSequence(
      [
        { cmd: 'pkcs11-tool', args: ['--module', modulePath, '--token-label', LABEL, '--login', '--pin', 'env:BENCH_PIN', '--sign', '--id', '02', '-m', 'SHA256-RSA-PKCS', '--input-file', t.challenge, '--output-file', t.signature], env: t.env },
        { cmd: 'openssl', args: ['dgst', '-sha256', '-verify', t.pub, '-signature', t.signature, t.challenge], env: t.env },
      ],
      { runs },
    );
    const result = ratioLine('test-sign: eiddesk card test-sign vs pkcs11-tool --sign + openssl dgst -verify (RSA 2048, SoftHSM2)', ours, reference);
    // For information: the same command without --module, as the issue writes it (settings + auto-detected modules),
    // and the floor: Node starting and doing nothing.
    const auto = await timeWhole(process.execPath, ourArgs.slice(0, -2), { env: ourEnv, runs });
    const nodeFloor = await timeWhole(process.execPath, ['-e', '0'], { runs });
    console.log(`  without --module (settings + auto-detect): eiddesk ${auto.toFixed(1)} ms, ratio ${(auto / reference).toFixed(2)}`);
    console.log(`  floor: node -e 0 takes ${nodeFloor.toFixed(1)} ms (ratio ${(nodeFloor / reference).toFixed(2)} before any work); Node ${process.version}, ${cli.endsWith('eiddesk.cjs') ? 'bin/eiddesk.cjs' : 'dist/cli.cjs'}`);
    return { ...result, withoutModule: auto, nodeFloor };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cli = join(root, 'dist', 'cli.cjs');
  if (!existsSync(cli)) run(process.execPath, [join(root, 'scripts', 'build.mjs'), 'cli'], process.env);
  await benchTestSign({ cli, bin: join(root, 'bin', 'eiddesk.cjs'), runs: Number(process.env.BENCH_RUNS ?? 5) });
}
