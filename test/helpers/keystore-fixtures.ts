/**
 * Fixtures for keystore tests: temp directories, a controllable clock, a fake OS protector and a
 * command runner that records what would have run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SecretProtector } from '../../main/keystore/keystore';
import type { CommandResult, CommandRunner, CommandSpec } from '../../main/keystore/os-store/runner';

/** Low scrypt cost so unit tests stay fast; production uses DEFAULT_SCRYPT (asserted separately). */
export const FAST_KDF = { N: 2 ** 10, r: 8, p: 1 };

/** A temp directory removed by `cleanup()`. */
export function tempDir(prefix = 'eiddesk-ks-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A clock tests move by hand. */
export function manualClock(start = Date.UTC(2026, 0, 15, 9, 0, 0)): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/**
 * A stand-in for safeStorage: AES-GCM under a per-instance key, so a blob protected by one
 * "OS account" cannot be opened by another.
 */
export function fakeProtector(key: Buffer = randomBytes(32)): SecretProtector & { key: Buffer; calls: { protect: number; unprotect: number }; enabled: boolean } {
  const p = {
    key,
    enabled: true,
    calls: { protect: 0, unprotect: 0 },
    available: () => p.enabled,
    protect(plain: Buffer): Buffer {
      p.calls.protect++;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([Buffer.from('FAKEOS'), iv, c.getAuthTag(), ct]);
    },
    unprotect(wrapped: Buffer): Buffer {
      p.calls.unprotect++;
      if (!wrapped.subarray(0, 6).equals(Buffer.from('FAKEOS'))) throw new Error('not protected');
      const d = createDecipheriv('aes-256-gcm', key, wrapped.subarray(6, 18));
      d.setAuthTag(wrapped.subarray(18, 34));
      return Buffer.concat([d.update(wrapped.subarray(34)), d.final()]);
    },
  };
  return p;
}

/** A runner that records every command and answers from `respond`. */
export function recordingRunner(respond: (spec: CommandSpec, index: number) => Partial<CommandResult> | Promise<Partial<CommandResult>> = () => ({})): CommandRunner & { calls: CommandSpec[] } {
  const calls: CommandSpec[] = [];
  return {
    calls,
    async run(spec: CommandSpec): Promise<CommandResult> {
      calls.push(spec);
      const r = await respond(spec, calls.length - 1);
      return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
  };
}
