/**
 * SoftHSM2 fixtures for the card-operation tests: one private SoftHSM2 environment per test file
 * holding the demo card and any extra tokens, a CardService + CardOperations on it, and helpers to
 * pull a token (move its directory away) and put it back, to run pkcs11-tool and openssl, and to
 * count sessions opened and closed.
 *
 * All tokens are made before the service loads the module: SoftHSM2 is one library per process,
 * and making a token finalises it.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoCard } from '../../dev/demo-card';
import { createToken, type SoftHsmEnv, type TokenEid } from '../../dev/softhsm';
import { CardOperations, type CardOperationsOptions } from '../../main/card/operations';
import { CardService } from '../../main/card/service';

/** A token to make besides the demo card. */
export interface FixtureToken {
  label: string;
  userPin: string;
  soPin: string;
  eids?: TokenEid[];
}

/** Everything a card-operation test needs. */
export interface CardFixture {
  dir: string;
  env: SoftHsmEnv;
  modulePath: string;
  service: CardService;
  ops: CardOperations;
  /** The token key of the token with this label, from a fresh snapshot. */
  keyOf(label: string): Promise<string>;
  /** Directory of the token with this label (SoftHSM2 names them by UUID). */
  tokenDir(label: string): string;
  /** Moves the token's directory away (the card is pulled); returns a function that puts it back. */
  pull(label: string, opts?: { keepCopy?: boolean }): () => void;
  /** pkcs11-tool on the fixture's SoftHSM2, with extra environment (PINs go as --pin env:NAME). */
  pkcs11Tool(args: string[], env?: Record<string, string>): SpawnSyncReturns<string>;
  close(): void;
}

/** Builds the fixture. Throws when SoftHSM2 is missing (the integration suite needs it). */
export function makeCardFixture(tokens: FixtureToken[] = [], opts: CardOperationsOptions = {}): CardFixture {
  const dir = mkdtempSync(join(tmpdir(), 'eiddesk-cardops-'));
  const demo = ensureDemoCard(dir);
  if (!demo) throw new Error('softhsm2 is not installed: run npm run setup');
  const { env, modulePath } = demo;
  for (const t of tokens) createToken(env, modulePath, { label: t.label, soPin: t.soPin, userPin: t.userPin, eids: t.eids ?? [] });
  process.env.SOFTHSM2_CONF = env.conf;
  const service = new CardService({ modules: () => [{ path: modulePath, name: 'SoftHSM2', source: 'configured' }] });
  const ops = new CardOperations(service, opts);

  const tokenDir = (label: string): string => {
    // The label is stored blank-padded to 32 bytes (bytes, not characters: Å is two).
    const padded = Buffer.concat([Buffer.from(label, 'utf8'), Buffer.alloc(32 - Buffer.byteLength(label), ' ')]);
    for (const d of readdirSync(env.tokenDir)) {
      const obj = join(env.tokenDir, d, 'token.object');
      if (existsSync(obj) && readFileSync(obj).includes(padded)) return join(env.tokenDir, d);
    }
    throw new Error(`no token directory for ${label}`);
  };

  return {
    dir,
    env,
    modulePath,
    service,
    ops,
    async keyOf(label) {
      const snap = await service.snapshot();
      const t = snap.modules.flatMap((m) => m.tokens).find((x) => x.label === label);
      if (!t) throw new Error(`token ${label} not in the snapshot: ${JSON.stringify(snap.modules.map((m) => m.error ?? m.tokens.map((x) => x.label)))}`);
      return t.key;
    },
    tokenDir,
    pull(label, o = {}) {
      const from = tokenDir(label);
      const aside = join(dir, `pulled-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      if (o.keepCopy) {
        cpSync(from, aside, { recursive: true });
        rmSync(from, { recursive: true, force: true });
      } else {
        renameSync(from, aside);
      }
      return () => {
        renameSync(aside, from);
      };
    },
    pkcs11Tool(args, extraEnv = {}) {
      return spawnSync('pkcs11-tool', ['--module', modulePath, ...args], { encoding: 'utf8', env: { ...process.env, SOFTHSM2_CONF: env.conf, ...extraEnv } });
    },
    close() {
      service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs openssl; returns status and output. */
export function openssl(args: string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync('openssl', args, { encoding: 'utf8', input });
}

/** Wraps a module's C_OpenSession / C_CloseSession to count them (closed after a failure?). */
export function countSessions(api: { C_OpenSession: (...a: never[]) => Buffer; C_CloseSession: (...a: never[]) => void }): { opened: number; closed: number; restore(): void } {
  const counts = { opened: 0, closed: 0 };
  const open = api.C_OpenSession;
  const close = api.C_CloseSession;
  const target = api as unknown as Record<string, (...a: unknown[]) => unknown>;
  target.C_OpenSession = (...a: unknown[]) => {
    const s = (open as (...x: unknown[]) => Buffer).apply(api, a);
    counts.opened++;
    return s;
  };
  target.C_CloseSession = (...a: unknown[]) => {
    counts.closed++;
    return (close as (...x: unknown[]) => void).apply(api, a);
  };
  return {
    get opened() {
      return counts.opened;
    },
    get closed() {
      return counts.closed;
    },
    restore() {
      target.C_OpenSession = open as never;
      target.C_CloseSession = close as never;
    },
  };
}
