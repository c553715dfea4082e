/**
 * Crash-safety harness: bundles main/keystore with esbuild into a temp .cjs, and runs a child
 * Node process that performs a planned series of keystore operations, announcing each one
 * ("start N" / "done N") with synchronous writes so the parent knows exactly what had returned
 * when it killed the child.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Bundles main/keystore/index.ts to `outDir/keystore.cjs`; returns its path. */
export async function bundleKeystore(outDir: string): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = path.join(outDir, 'keystore.cjs');
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['main/keystore/index.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** The child script: runs the ops in `plan.json` against the bundle. */
export const CHILD_SCRIPT = `
import { createRequire } from 'node:module';
import { readFileSync, writeSync } from 'node:fs';
const require = createRequire(import.meta.url);
const { Keystore } = require(process.argv[2]);
const plan = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const ks = new Keystore({ dir: plan.dir, kdf: plan.kdf });
const say = (s) => writeSync(1, s + '\\n');
const b = (s) => Buffer.from(s, 'base64');
await ks.list();
say('ready');
for (const op of plan.ops) {
  say('start ' + op.seq);
  if (op.type === 'add') await ks.add({ pkcs8: b(op.pkcs8), chain: op.chain.map(b), source: 'pkcs12-file' }, op.pin);
  else if (op.type === 'changePin') await ks.changePin(op.id, op.oldPin, op.newPin);
  else if (op.type === 'delete') await ks.delete(op.id);
  else if (op.type === 'label') await ks.setLabel(op.id, op.label);
  say('done ' + op.seq);
}
say('finished');
`;

/** Operations the child can run. */
export type CrashOp =
  | { seq: number; type: 'add'; id: string; pkcs8: string; chain: string[]; pin: string }
  | { seq: number; type: 'changePin'; id: string; oldPin: string; newPin: string }
  | { seq: number; type: 'delete'; id: string }
  | { seq: number; type: 'label'; id: string; label: string };

/** What the parent saw of one child run. */
export interface ChildRun {
  started: Set<number>;
  done: Set<number>;
  finished: boolean;
  killed: boolean;
  stderr: string;
}

/**
 * Runs the child and SIGKILLs it `killAfterMs` after it reported ready (unless it finishes
 * first). Resolves once it has exited.
 */
export function runChild(bundle: string, script: string, planFile: string, plan: { dir: string; kdf: object; ops: CrashOp[] }, killAfterMs: number): Promise<ChildRun> {
  writeFileSync(planFile, JSON.stringify(plan));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, bundle, planFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { started: new Set(), done: new Set(), finished: false, killed: false, stderr: '' };
    let buf = '';
    let timer: NodeJS.Timeout | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        if (l === 'ready') timer = setTimeout(() => {
          run.killed = true;
          child.kill('SIGKILL');
        }, killAfterMs);
        else if (l === 'finished') run.finished = true;
        else if (l.startsWith('start ')) run.started.add(Number(l.slice(6)));
        else if (l.startsWith('done ')) run.done.add(Number(l.slice(5)));
      }
    });
    child.stderr.on('data', (d) => (run.stderr += String(d)));
    child.on('error', reject);
    child.on('close', () => {
      if (timer) clearTimeout(timer);
      resolve(run);
    });
  });
}
