/**
 * What `eiddesk pin` and `eiddesk card` share: choosing the token (`--token LABEL`, optionally
 * `--serial`), the modules (`--module PATH`, else settings + auto-detected as `eiddesk tokens`),
 * reading secrets (environment or prompt, never argv), progress lines ("do not remove the card")
 * and exit codes (4 for a wrong or blocked PIN/PUK, 3 when a module failed to load).
 */
import { EidError, isEidError } from '../errors';
import { blockedSecretError } from '../card/pin-flags';
import { resolveModules, type ModuleCandidate } from '../card/modules';
import type { CardOperations, OperationOptions } from '../card/operations';
import type { CardService } from '../card/service';
import type { CardSnapshot, TokenView } from '../card/types';
import { Exit, flag, isUsageError, printError, println, readSecret, UsageError, type CliIo, type ParsedArgs } from './io';

/** Options every card command accepts. */
export const TARGET_VALUES = ['module', 'token', 'serial'] as const;

/** Help lines for those options. */
export const TARGET_HELP = `  --token LABEL   the token (card PIN) to act on, by its exact label (see eiddesk tokens)
  --serial S      the token's serial number, when two tokens share a label
  --module PATH   load this module (repeatable); default: settings + auto-detected modules`;

/** The chosen token, the services to act on it, and cleanup. */
export interface CardTarget {
  service: CardService;
  ops: CardOperations;
  token: TokenView;
  close(): void;
}

/** Which modules to load: --module wins; otherwise the user's settings, as `eiddesk tokens` does. */
async function modulesFor(args: ParsedArgs): Promise<() => ModuleCandidate[]> {
  const explicit = args.flags.get('module') ?? [];
  if (explicit.length) return () => resolveModules({ configured: explicit, autoDetect: false });
  const { createServices } = await import('../services');
  const s = createServices({ host: 'cli' }).settings.get();
  return () => resolveModules({ configured: s.pkcs11Modules, autoDetect: s.autoDetectModules });
}

/**
 * Picks the token whose trimmed label is exactly `label` (and serial, if given). Pure, for the
 * unit tests: the error lists what is there, so the user can copy the right label.
 */
export function pickToken(snap: CardSnapshot, label: string, serial?: string): TokenView {
  const all = snap.modules.flatMap((m) => m.tokens);
  const matches = all.filter((t) => t.label.trim() === label.trim() && (serial === undefined || t.serialNumber === serial.trim()));
  if (matches.length === 1) return matches[0];
  const failed = snap.modules.filter((m) => m.status === 'error');
  const failures = failed.length ? ` ${failed.map((m) => m.error?.message ?? `Module ${m.path} failed to load.`).join(' ')}` : '';
  if (matches.length > 1) {
    const list = matches.map((t) => `"${t.label}" (serial ${t.serialNumber})`).join(', ');
    throw new EidError('validation', `More than one token is labelled "${label}": ${list}. Add --serial to choose.`, { matches: matches.length });
  }
  const list = all.length ? `Tokens found: ${all.map((t) => `"${t.label}"${serial !== undefined ? ` (serial ${t.serialNumber})` : ''}`).join(', ')}.` : 'No tokens found: insert the card and check the reader.';
  throw new EidError(failed.length ? 'module-load-failed' : 'not-found', `No token labelled "${label}"${serial !== undefined ? ` with serial ${serial}` : ''}. ${list}${failures}`, {
    tokens: all.length,
    failedModules: failed.length,
  });
}

/** Loads the modules, finds the token, and builds CardOperations on the same service. */
export async function openTarget(args: ParsedArgs): Promise<CardTarget> {
  const label = flag(args, 'token');
  if (label === undefined || !label.trim()) throw new UsageError('--token LABEL is required (the token label, as eiddesk tokens shows it)');
  const [{ CardService }, { CardOperations }] = await Promise.all([import('../card/service'), import('../card/operations')]);
  const service = new CardService({ modules: await modulesFor(args) });
  try {
    const snap = await service.snapshot();
    const token = pickToken(snap, label, flag(args, 'serial'));
    const ops = new CardOperations(service);
    ops.observe(snap);
    return { service, ops, token, close: () => service.close() };
  } catch (err) {
    service.close();
    throw err;
  }
}

/** Exit code for an error: 4 wrong/blocked secret, 3 module failed to load, else 1. */
export function exitCodeFor(err: unknown): number {
  if (isEidError(err)) {
    if (err.code === 'pin-incorrect' || err.code === 'pin-locked' || err.code === 'puk-incorrect' || err.code === 'puk-locked') return Exit.WRONG_PIN;
    if (err.code === 'module-load-failed') return Exit.MODULE_LOAD;
  }
  return Exit.ERROR;
}

/** Prints the error (JSON or one line) and returns its exit code. Usage errors go up to main(). */
export function fail(io: CliIo, err: unknown, json: boolean): number {
  if (isUsageError(err)) throw err;
  printError(io, err, json);
  return exitCodeFor(err);
}

/** Reads a secret from `envVar` or a prompt naming the token. */
export function secret(io: CliIo, envVar: string, what: string, token: TokenView): Promise<string> {
  return readSecret(io, envVar, `${what} for "${token.label}": `);
}

/** Refuses before prompting when the flags already say the PIN is blocked (asking would be cruel). */
export function refuseBlockedPin(token: TokenView): void {
  if (token.pin.locked) throw blockedSecretError('pin', 'PIN');
}

/** A warning line about the PIN state, shown before the user types (null when all is well). */
export function pinWarning(token: TokenView): string | null {
  const p = token.pin;
  if (p.locked) return null; // the operation refuses with its own message
  if (p.finalTry) return 'Warning: one try is left before the PIN is blocked.';
  if (p.countLow) return 'Warning: only a few tries are left before the PIN is blocked.';
  if (p.toBeChanged) return 'Note: the card asks for the PIN to be changed.';
  return null;
}

/** Progress for commands: one "do not remove the card" line when it starts to matter. */
export function progressPrinter(io: CliIo, json: boolean): OperationOptions {
  let warned = false;
  return {
    onProgress: (p) => {
      if (p.critical && !warned && !json) {
        warned = true;
        println(io.stderr, 'Do not remove the card until this is done...');
      }
    },
  };
}
