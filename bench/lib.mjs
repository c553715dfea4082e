// Shared benchmark helpers: whole-process timing, medians, ratio lines.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs a command once; resolves with elapsed ms; rejects on a non-zero exit. */
export function timeOnce(cmd, args, { env, input } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    if (input !== undefined) child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim().slice(0, 300)}`));
    });
  });
}

/** Median wall time of `runs` whole-process runs (after one warm-up run). */
export async function timeWhole(cmd, args, { env, runs = 5, input } = {}) {
  await timeOnce(cmd, args, { env, input });
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await timeOnce(cmd, args, { env, input }));
  return median(times);
}

/** Median of a sequence of commands run back to back (e.g. sign then verify). */
export async function timeSequence(steps, { runs = 5 } = {}) {
  for (const s of steps) await timeOnce(s.cmd, s.args, s);
  const times = [];
  for (let i = 0; i < runs; i++) {
    let total = 0;
    for (const s of steps) total += await timeOnce(s.cmd, s.args, s);
    times.push(total);
  }
  return median(times);
}

/** Formats and prints one result line; returns the record. */
export function ratioLine(name, ours, reference, target) {
  const ratio = ours / reference;
  const verdict = target === undefined ? '' : ratio <= target ? `  (target <= ${target}: met)` : `  (target <= ${target}: NOT met)`;
  console.log(`${name}\n  eiddesk ${ours.toFixed(1)} ms   reference ${reference.toFixed(1)} ms   ratio ${ratio.toFixed(2)}${verdict}`);
  return { name, ours, reference, ratio, target };
}
