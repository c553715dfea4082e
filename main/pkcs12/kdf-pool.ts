/**
 * Runs several PKCS#12 KDF computations at once on worker threads.
 *
 * Each computation is one long sequential hash chain (hundreds of thousands of hashes), so the
 * only way to go faster than one core is to run independent chains side by side: the MAC key,
 * and the key and IV of every legacy-encrypted bag. Small jobs run inline: starting a worker
 * costs ~20 ms, more than a 2,048-iteration file needs in total. The main thread takes a share
 * itself (it is otherwise idle while PBKDF2 runs on libuv's pool), except inside Electron, where
 * the main thread must stay responsive and all heavy chains go to workers.
 *
 * Worker threads are created only here, on demand, never at import time.
 */
import { availableParallelism, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createWasmIterators, sha1Iterate, sha256Iterate } from './hash-iterate';
import { LOCAL_DEPS, pkcs12KdfSync, type Pkcs12KdfJob } from './kdf';

/** Tuning knobs; tests change them to force or forbid workers. */
export interface KdfPoolOptions {
  /** Total estimated cost (in SHA-256-hash units) below which everything runs inline. */
  parallelThreshold: number;
  /** Upper bound on worker threads per batch. */
  maxWorkers: number;
  /** Run nothing heavy on the calling thread (Electron's main process). */
  offMainThread: boolean;
}

const options: KdfPoolOptions = {
  parallelThreshold: 400_000,
  maxWorkers: 4,
  offMainThread: Boolean((process.versions as Record<string, string | undefined>).electron),
};

/**
 * Adjusts the pool (tests, and the app when it wants all KDF work off its main thread).
 * Returns the previous options, so a caller can restore them.
 */
export function configureKdfPool(patch: Partial<KdfPoolOptions>): KdfPoolOptions {
  const previous = { ...options };
  Object.assign(options, patch);
  return previous;
}

/** Counters for tests and diagnostics: how many workers were started so far. */
export const kdfPoolStats = { workersStarted: 0 };

/** Relative cost of one iteration per hash, all in WebAssembly (SHA-1 ~0.1 µs, SHA-256 ~0.27 µs, SHA-384/512 ~0.4 µs on the reference machine). */
const HASH_COST: Readonly<Record<string, number>> = { sha1: 0.45, sha224: 1, sha256: 1, sha384: 1.5, sha512: 1.5 };
const HASH_LEN: Readonly<Record<string, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };
/** Estimated cost of starting a worker, in the same units (~25 ms). */
const WORKER_START_COST = 150_000;

/** Estimated cost of one job: iterations x blocks x per-hash cost. */
export function jobCost(job: Pkcs12KdfJob): number {
  return job.iterations * Math.ceil(job.length / HASH_LEN[job.hash]) * HASH_COST[job.hash];
}

let workerSource: string | undefined;

/** The worker's program: the KDF's own source text plus a message loop. Built once, lazily. */
function source(): string {
  workerSource ??= [
    // Bundlers may wrap functions in a name-keeping helper; make it harmless in the worker.
    'var __name = (f) => f;',
    "const { parentPort, workerData } = require('node:worker_threads');",
    "const crypto = require('node:crypto');",
    `const kdf = (${pkcs12KdfSync.toString()});`,
    `const wasm = process.env.EIDDESK_NO_WASM ? null : (${createWasmIterators.toString()})();`,
    'const deps = {',
    "  hash: (alg, data) => (crypto.hash ? crypto.hash(alg, data, 'buffer') : crypto.createHash(alg).update(data).digest()),",
    `  sha1Iterate: wasm ? wasm.sha1 : (${sha1Iterate.toString()}),`,
    `  sha256Iterate: wasm ? wasm.sha256 : (${sha256Iterate.toString()}),`,
    '  sha512Iterate: wasm ? wasm.sha512 : undefined,',
    '};',
    'const results = workerData.jobs.map((job) => kdf(job, deps));',
    'parentPort.postMessage(results);',
  ].join('\n');
  return workerSource;
}

function runOnWorker(jobs: Pkcs12KdfJob[]): Promise<Uint8Array[]> {
  kdfPoolStats.workersStarted++;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source(), { eval: true, workerData: { jobs } });
    let done = false;
    worker.once('message', (results: Uint8Array[]) => {
      done = true;
      resolve(results);
    });
    worker.once('error', (err) => {
      done = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`KDF worker exited with code ${code}`));
    });
  });
}

function parallelism(): number {
  try {
    return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  } catch {
    return 1;
  }
}

/**
 * Runs a batch of PKCS#12 KDF jobs and returns their outputs in order. Chooses inline or
 * parallel execution from the estimated cost and the number of cores.
 */
export async function runPkcs12Kdfs(jobs: readonly Pkcs12KdfJob[]): Promise<Buffer[]> {
  const toBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  if (jobs.length === 0) return [];
  const costs = jobs.map(jobCost);
  const total = costs.reduce((a, b) => a + b, 0);
  const cores = parallelism();
  const heavy = total >= options.parallelThreshold;
  const useWorkers = heavy && options.maxWorkers > 0 && (options.offMainThread || (jobs.length > 1 && cores > 1));
  if (!useWorkers) return jobs.map((job) => toBuffer(pkcs12KdfSync(job, LOCAL_DEPS)));

  // Longest job first onto the least loaded lane. Lane 0 is this thread (unless off-main);
  // worker lanes start later by the cost of starting a worker.
  const workerLanes = Math.max(1, Math.min(options.maxWorkers, options.offMainThread ? cores : cores - 1, jobs.length - (options.offMainThread ? 0 : 1)));
  const lanes: Array<{ load: number; jobs: number[] }> = [];
  if (!options.offMainThread) lanes.push({ load: 0, jobs: [] });
  for (let i = 0; i < workerLanes; i++) lanes.push({ load: WORKER_START_COST, jobs: [] });
  const order = jobs.map((_, i) => i).sort((a, b) => costs[b] - costs[a]);
  for (const i of order) {
    const lane = lanes.reduce((best, l) => (l.load < best.load ? l : best));
    lane.jobs.push(i);
    lane.load += costs[i];
  }
  const results: Buffer[] = new Array(jobs.length);
  const pending: Promise<void>[] = [];
  const localLane = options.offMainThread ? undefined : lanes[0];
  for (const lane of lanes) {
    if (lane === localLane || lane.jobs.length === 0) continue;
    pending.push(
      runOnWorker(lane.jobs.map((i) => jobs[i])).then((out) => {
        lane.jobs.forEach((i, k) => (results[i] = toBuffer(out[k])));
      }),
    );
  }
  // Workers are spawned; now use this thread for its share while they run.
  if (localLane) for (const i of localLane.jobs) results[i] = toBuffer(pkcs12KdfSync(jobs[i], LOCAL_DEPS));
  await Promise.all(pending);
  return results;
}
