/**
 * Crash safety for real: a child process adds, re-PINs, renames and deletes e-IDs and is killed
 * with SIGKILL at random moments, many times. After every kill a fresh Keystore (a "restart") on
 * the same directory must open, hold every e-ID whose add() had returned, open each with its PIN,
 * list nothing half-written, and show no damaged files. (SIGKILL tests process crashes; power
 * loss is what the fsyncs are for, and cannot be simulated here.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Keystore } from '../../main/keystore/keystore';
import { describeCertificate } from '../../main/pki/certificate';
import { makeCa, makeEid, type TestEid } from '../helpers/keystore-certs';
import { FAST_KDF } from '../helpers/keystore-fixtures';
import { CHILD_SCRIPT, bundleKeystore, runChild, type CrashOp } from '../helpers/keystore-crash';

const RUNS = 40;
let work: string;
let bundle: string;
let script: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'eiddesk-crash-'));
  bundle = await bundleKeystore(work);
  script = path.join(work, 'child.mjs');
  writeFileSync(script, CHILD_SCRIPT);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What the parent knows about one e-ID. */
interface Known {
  eid: TestEid;
  pins: Set<string>; // PINs that may open it (two while a PIN change was in flight)
  labels: Set<string>;
  present: 'yes' | 'maybe';
}

function idOf(e: TestEid): string {
  return describeCertificate(e.leaf).fingerprintSha256.replace(/:/g, '').toLowerCase().slice(0, 16);
}

async function opensWithOneOf(ks: Keystore, id: string, pins: Set<string>): Promise<string> {
  for (const pin of pins) {
    try {
      const h = await ks.unlock(id, pin);
      const ok = h.selfTest().ok;
      h.lock();
      if (ok) return pin;
    } catch (err) {
      if ((err as { code?: string }).code !== 'pin-incorrect') throw err;
    }
  }
  throw new Error(`${id} opens with none of its PINs`);
}

describe('keystore crash safety (SIGKILL during writes)', () => {
  it(`keeps every committed e-ID across ${RUNS} kills at random moments`, async () => {
    const dir = path.join(work, 'store');
    const ca = makeCa();
    const known = new Map<string, Known>();
    let seq = 0;
    let pinCounter = 0;
    const newPin = () => `Pin-${++pinCounter}-xyz`;
    let killedMidOperation = 0;
    let tempFilesSeen = 0;
    const opsKilled: Record<string, number> = {};

    for (let run = 0; run < RUNS; run++) {
      // Plan: mostly adds of fresh e-IDs, plus PIN changes, renames and deletes of present ones.
      const ops: CrashOp[] = [];
      const present = [...known.entries()].filter(([, k]) => k.present === 'yes');
      const touched = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const r = Math.random();
        const candidate = present.filter(([id]) => !touched.has(id));
        if (r < 0.6 || candidate.length === 0) {
          const eid = makeEid({ ca, cn: `Person ${run}-${i} Åäö`, serialNumber: `SE5566778899-${run}x${i}`, keyKind: i === 0 && run % 8 === 0 ? 'rsa' : 'ec' });
          const pin = newPin();
          ops.push({ seq: ++seq, type: 'add', id: idOf(eid), pkcs8: eid.key.pkcs8.toString('base64'), chain: eid.chain.map((c) => c.toString('base64')), pin });
          known.set(idOf(eid), { eid, pins: new Set([pin]), labels: new Set([`Person ${run}-${i} Åäö`]), present: 'maybe' });
          touched.add(idOf(eid));
        } else {
          const [id, k] = candidate[Math.floor(Math.random() * candidate.length)];
          touched.add(id);
          if (r < 0.75) {
            const [oldPin] = [...k.pins];
            const np = newPin();
            ops.push({ seq: ++seq, type: 'changePin', id, oldPin, newPin: np });
            k.pins.add(np);
          } else if (r < 0.88) {
            const label = `Etikett ${seq} ÅÄÖ`;
            ops.push({ seq: ++seq, type: 'label', id, label });
            k.labels.add(label);
          } else {
            ops.push({ seq: ++seq, type: 'delete', id });
            k.present = 'maybe';
          }
        }
      }
      const killAfter = Math.floor(Math.random() * 90);
      const child = await runChild(bundle, script, path.join(work, 'plan.json'), { dir, kdf: FAST_KDF, ops }, killAfter);
      expect(child.stderr).toBe('');
      const inFlight = [...child.started].filter((s) => !child.done.has(s));
      expect(inFlight.length).toBeLessThanOrEqual(1);
      if (child.killed && inFlight.length) {
        killedMidOperation++;
        const op = ops.find((o) => o.seq === inFlight[0])!;
        opsKilled[op.type] = (opsKilled[op.type] ?? 0) + 1;
      }
      tempFilesSeen += readdirSync(dir).filter((n) => n.endsWith('.tmp')).length;

      // Restart: a fresh instance on the same directory.
      const ks = new Keystore({ dir, kdf: FAST_KDF });
      const listed = new Map((await ks.list()).map((e) => [e.id, e]));
      expect(await ks.damaged()).toEqual([]);
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]); // swept on open: the writer is dead

      // Settle what this run did, op by op.
      for (const op of ops) {
        const k = known.get(op.id)!;
        const committed = child.done.has(op.seq);
        const notStarted = !child.started.has(op.seq);
        if (op.type === 'add') {
          if (committed) expect(listed.has(op.id), `add ${op.seq} returned before the kill`).toBe(true);
          if (notStarted) expect(listed.has(op.id)).toBe(false);
          k.present = listed.has(op.id) ? 'yes' : 'maybe';
          if (!listed.has(op.id)) known.delete(op.id);
        } else if (op.type === 'delete') {
          if (committed) expect(listed.has(op.id)).toBe(false);
          if (notStarted) expect(listed.has(op.id)).toBe(true);
          if (listed.has(op.id)) k.present = 'yes';
          else known.delete(op.id);
        } else if (op.type === 'changePin') {
          expect(listed.has(op.id)).toBe(true);
          const opened = await opensWithOneOf(ks, op.id, committed ? new Set([op.newPin]) : notStarted ? new Set([op.oldPin]) : new Set([op.oldPin, op.newPin]));
          k.pins = new Set([opened]);
        } else {
          const label = listed.get(op.id)!.label;
          if (committed) expect(label).toBe(op.label);
          expect(k.labels.has(label)).toBe(true);
          k.labels = new Set([label]);
        }
      }
      // Nothing listed that we did not put there.
      for (const id of listed.keys()) expect(known.has(id), `unexpected entry ${id}`).toBe(true);
      for (const [id, k] of known) {
        expect(listed.has(id), `${id} lost`).toBe(true);
        k.present = 'yes';
      }
      // Every e-ID touched in this run opens with its PIN.
      for (const id of new Set(ops.map((o) => o.id))) if (known.has(id)) await opensWithOneOf(ks, id, known.get(id)!.pins);
    }

    // At the end, every e-ID ever committed and not deleted opens, in a last fresh instance.
    const final = new Keystore({ dir, kdf: FAST_KDF });
    const all = await final.list();
    expect(all.map((e) => e.id).sort()).toEqual([...known.keys()].sort());
    for (const e of all) await opensWithOneOf(final, e.id, known.get(e.id)!.pins);
    console.log(`crash test: ${RUNS} runs, ${killedMidOperation} killed mid-operation (${JSON.stringify(opsKilled)}), ${tempFilesSeen} temp files left by killed writers, ${all.length} e-IDs at the end`);
    expect(killedMidOperation).toBeGreaterThanOrEqual(30);
    expect(all.length).toBeGreaterThan(20);
  });
});
