// Token enumeration: `eiddesk tokens --json` against `pkcs11-tool --list-objects --type cert` on a
// SoftHSM2 token holding 200 certificates. Whole processes, median of N runs, ratio printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { timeWhole, ratioLine, root } from './lib.mjs';

/** Runs the benchmark; returns { name, ours, reference, ratio }. */
export default async function benchTokens({ runs = 5 } = {}) {
  const require = createRequire(import.meta.url);
  const dev = require(join(root, 'dist', 'dev.cjs'));
  const modulePath = dev.findSoftHsmModule();
  if (!modulePath) throw new Error('softhsm2 is not installed (npm run setup)');
  const dir = mkdtempSync(join(tmpdir(), 'eiddesk-bench-tokens-'));
  try {
    const env = dev.makeSoftHsmEnv(dir);
    const { ca } = dev.makeTestPki();
    const key = dev.makeKey();
    const eids = [];
    for (let i = 0; i < 200; i++) {
      const cert = dev.issue({ subject: [['C', 'SE'], ['O', 'Västra Götalandsregionen'], ['serialNumber', `SE2321000156-${1000 + i}`], ['CN', `Användare ${i} Öberg`]], publicKey: key.publicKey, issuer: ca, keyUsage: ['digitalSignature'] });
      eids.push({ id: Buffer.from([i >> 8, i & 0xff]), label: `cert ${i}`, certificate: cert.der });
    }
    dev.createToken(env, modulePath, { label: 'bench200', soPin: '12345678', userPin: '123456', eids });
    const procEnv = { ...process.env, SOFTHSM2_CONF: env.conf };
    const ours = await timeWhole(process.execPath, [join(root, 'bin', 'eiddesk.cjs'), 'tokens', '--json', '--module', modulePath], { env: procEnv, runs });
    const reference = await timeWhole('pkcs11-tool', ['--module', modulePath, '--list-objects', '--type', 'cert'], { env: procEnv, runs });
    return ratioLine('tokens: eiddesk tokens --json vs pkcs11-tool --list-objects --type cert (200 certificates)', ours, reference, 2.0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
