/**
 * Measures the keystore KDF (scrypt N=2^17, r=8, p=1: DEFAULT_SCRYPT in main/keystore/keystore.ts)
 * the way the keystore runs it (async, on the libuv pool). Self-contained so it runs directly:
 *
 *   npx node test/helpers/keystore-kdf-time.ts     (Node 22, type stripping)
 *
 * Prints the median and spread of 9 derivations after one warm-up.
 */
import { randomBytes, scrypt } from 'node:crypto';

const params = { N: 2 ** 17, r: 8, p: 1 };
const derive = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const t = performance.now();
    scrypt(Buffer.from('Sommar-2026'), randomBytes(16), 64, { ...params, maxmem: 256 * params.N * params.r + 16 * 1024 * 1024 }, (err) =>
      err ? reject(err) : resolve(performance.now() - t),
    );
  });

await derive();
const times: number[] = [];
for (let i = 0; i < 9; i++) times.push(await derive());
times.sort((a, b) => a - b);
console.log(
  `scrypt N=2^17 r=8 p=1 (memory ${(128 * params.N * params.r) / 2 ** 20} MiB): median ${times[4].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[8].toFixed(0)} ms; Node ${process.version}`,
);
