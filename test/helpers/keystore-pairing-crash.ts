/**
 * The child side of the pairing crash test. Same approach and protocol as keystore-crash.ts
 * (whose bundleKeystore and runChild it is used with): a child process runs a planned series of
 * key-request and pairing operations against the bundled keystore, announcing "start N" /
 * "done N" with synchronous writes, and the parent SIGKILLs it at a random moment.
 */
import type { CrashOp } from './keystore-crash';

/**
 * Operations of the pairing child. `delay` (ms) stretches beforeCommit, where the app installs
 * into the OS store; `killInCommit` makes the child SIGKILL itself right there, once the new entry
 * is on disk and before the request is removed: the narrowest and most dangerous moment, which
 * random timing alone hits only now and then.
 */
export type PairCrashOp =
  | { seq: number; type: 'request'; subject: string; pin: string }
  | { seq: number; type: 'pair' | 'pair-fail' | 'renew'; certs: string[]; pin: string; delay: number; killInCommit?: boolean };

/** runChild's plan type names the entry operations; the child script below reads these instead. */
export function asCrashOps(ops: PairCrashOp[]): CrashOp[] {
  return ops as unknown as CrashOp[];
}

/** The child script: argv[2] the keystore bundle, argv[3] the plan. */
export const PAIR_CHILD_SCRIPT = `
import { createRequire } from 'node:module';
import { readFileSync, writeSync } from 'node:fs';
const require = createRequire(import.meta.url);
const { Keystore } = require(process.argv[2]);
const plan = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const ks = new Keystore({ dir: plan.dir, kdf: plan.kdf });
const say = (s) => writeSync(1, s + '\\n');
const b = (s) => Buffer.from(s, 'base64');
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const commit = async (op) => {
  if (op.killInCommit) process.kill(process.pid, 'SIGKILL');
  await wait(op.delay);
};
await ks.listRequests();
say('ready');
for (const op of plan.ops) {
  say('start ' + op.seq);
  if (op.type === 'request') {
    await ks.createRequest({ alg: 'ec-p256', subject: op.subject }, op.pin);
  } else if (op.type === 'pair' || op.type === 'renew') {
    await ks.pair(op.certs.map(b), op.pin, { beforeCommit: () => commit(op) });
  } else if (op.type === 'pair-fail') {
    try {
      await ks.pair(op.certs.map(b), op.pin, { beforeCommit: async () => { await commit(op); throw new Error('os store down'); } });
      throw new Error('pair-fail paired');
    } catch (e) {
      if (e.message !== 'os store down') throw e;
    }
  }
  say('done ' + op.seq);
}
say('finished');
`;
