// `npm run bench`: every benchmark, whole processes, median of 5 runs, ratios against a reference
// tool (pkcs11-tool, openssl). Run after `npm run build` (the npm script does it).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const benches = ['tokens', 'pkcs12', 'test-sign'].filter((b) => existsSync(join(root, 'bench', `${b}.mjs`)));
const only = process.argv.slice(2);
console.log(`eID Desk benchmarks (Node ${process.version}; median of ${runs} runs after a warm-up)\n`);
let failed = false;
for (const b of benches) {
  if (only.length && !only.includes(b)) continue;
  try {
    const mod = await import(`./${b}.mjs`);
    await mod.default({ runs, cli: join(root, 'dist', 'cli.cjs'), bin: join(root, 'bin', 'eiddesk.cjs') });
  } catch (err) {
    failed = true;
    console.log(`${b}: FAILED: ${err.message}`);
  }
  console.log('');
}
process.exit(failed ? 1 : 0);
