// `npm test`: typecheck, lint, build, unit, integration and e2e tests, then one summary with the
// number of tests per suite. A suite that ran no test fails the run: an empty suite proves nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const only = process.argv.slice(2);
const want = (s) => only.length === 0 || only.includes(s);

function step(title, cmd, args, env = {}) {
  console.log(`\n=== ${title}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`=== ${title}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${secs} s`);
  return r.status === 0;
}

const suites = [];
let ok = true;
if (want('typecheck')) ok = step('typecheck (tsc --noEmit)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']) && ok;
if (want('lint')) ok = step('lint (eslint)', bin('eslint'), ['--max-warnings', '0', 'main', 'preload', 'renderer', 'dev', 'test', 'scripts', 'bench', 'bin']) && ok;
if (!step('build', process.execPath, [join(root, 'scripts', 'build.mjs')])) process.exit(1);

function vitest(project) {
  const out = join(results, `${project}.json`);
  const passed = step(`${project} tests (vitest)`, bin('vitest'), ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`], { EIDDESK_BUILT: '1' });
  let counts = { passed: 0, failed: 0, skipped: 0 };
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    counts = { passed: j.numPassedTests, failed: j.numFailedTests, skipped: j.numPendingTests + (j.numTodoTests ?? 0) };
  }
  suites.push({ name: project, ...counts, ok: passed });
  return passed;
}

if (want('unit')) ok = vitest('unit') && ok;
if (want('integration')) ok = vitest('integration') && ok;
/** "<file> > <title>: <reason>" for every skipped Playwright test, from its skip annotation. */
function skipReasons(suites, trail = []) {
  const lines = [];
  for (const suite of suites) {
    const here = suite.title ? [...trail, suite.title] : trail;
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'skipped') continue;
        const why = (t.annotations ?? []).filter((a) => a.type === 'skip').map((a) => a.description).filter(Boolean);
        lines.push(`e2e ${[...here, spec.title].join(' > ')}: ${why.join('; ') || 'skipped (no reason given)'}`);
      }
    }
    lines.push(...skipReasons(suite.suites ?? [], here));
  }
  return lines;
}

if (want('e2e')) {
  const out = join(results, 'e2e.json');
  const passed = step('e2e tests (playwright)', bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: out });
  let counts = { passed: 0, failed: 0, skipped: 0 };
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const s = report.stats;
    counts = { passed: s.expected + (s.flaky ?? 0), failed: s.unexpected, skipped: s.skipped };
    // The list reporter shows a skipped spec as a dash; say why (e.g. "skipped: no Electron binary").
    for (const line of skipReasons(report.suites ?? [])) console.log(line);
  }
  suites.push({ name: 'e2e', ...counts, ok: passed });
  ok = passed && ok;
}

console.log('\n=== summary');
for (const s of suites) {
  const empty = s.passed + s.failed === 0;
  if (empty) ok = false;
  console.log(`${s.name.padEnd(12)} ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${empty ? '  <- EMPTY SUITE: fails the run' : ''}`);
}
const total = suites.reduce((a, s) => ({ passed: a.passed + s.passed, failed: a.failed + s.failed, skipped: a.skipped + s.skipped }), { passed: 0, failed: 0, skipped: 0 });
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(ok && total.failed === 0 ? 0 : 1);
