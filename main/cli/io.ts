/**
 * What a CLI command gets from the outside world, injectable so commands are testable in-process.
 *
 * Secrets (PINs, PUKs, passwords) are read from an environment variable or a prompt on the
 * terminal (echo off), or from standard input when it is not a terminal. Never from argv: argv is
 * visible to every user of the machine through the process list.
 */
import { EidError, toErrorPayload } from '../errors';

/** Streams and environment for one CLI invocation. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly env: NodeJS.ProcessEnv;
}

/** Exit codes shared by every command. Commands may add their own (documented in the README). */
export const Exit = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  MODULE_LOAD: 3,
  WRONG_PIN: 4,
} as const;

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Recognises a UsageError from any command bundle (each bundle has its own copy of the class). */
export function isUsageError(err: unknown): err is UsageError {
  return (err as Error | null)?.name === 'UsageError';
}

/** The default, real-process IO. */
export function processIo(): CliIo {
  // stdin and stderr on first use: creating the stdin stream alone costs ~3 ms of every run, and
  // most runs (secrets from the environment, JSON on stdout) never touch it.
  return {
    stdout: process.stdout,
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
}

/** Writes a line. */
export function println(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** Prints JSON, one document per invocation. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints an error as `{"ok":false,"error":{...}}` (json) or one plain line on stderr. */
export function printError(io: CliIo, err: unknown, json: boolean): void {
  const payload = toErrorPayload(err);
  if (json) printJson(io, { ok: false, error: payload });
  else println(io.stderr, `eiddesk: ${payload.message} [${payload.code}]`);
}

/**
 * Reads one secret: from `envVar` if set, else from a prompt (TTY, no echo), else one line of stdin.
 * Fails with a validation error when there is no way to ask.
 */
export async function readSecret(io: CliIo, envVar: string, prompt: string): Promise<string> {
  const fromEnv = io.env[envVar];
  if (fromEnv !== undefined) return fromEnv;
  const stdin = io.stdin;
  if (stdin.isTTY && stdin.setRawMode) {
    io.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    return new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: Buffer | string) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return finish(() => resolve(value));
          if (ch === '\u0003') return finish(() => reject(new EidError('cancelled', 'Cancelled.')));
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
        return undefined;
      };
      const finish = (done: () => void) => {
        stdin.removeListener('data', onData);
        stdin.setRawMode?.(false);
        stdin.pause();
        io.stderr.write('\n');
        done();
      };
      stdin.on('data', onData);
    });
  }
  // Not a terminal: take one line from stdin (lets scripts pipe the secret in).
  return readLine(stdin, envVar);
}

const pendingLines = new WeakMap<NodeJS.ReadableStream, { lines: string[]; ended: boolean; waiters: Array<() => void> }>();

/** Reads lines from a non-TTY stdin, keeping extra lines for the next secret (PIN then new PIN). */
async function readLine(stdin: NodeJS.ReadableStream, envVar: string): Promise<string> {
  let state = pendingLines.get(stdin);
  if (!state) {
    const s = { lines: [] as string[], ended: false, waiters: [] as Array<() => void>, partial: '' };
    state = s;
    pendingLines.set(stdin, s);
    stdin.setEncoding?.('utf8');
    stdin.on('data', (chunk: string | Buffer) => {
      s.partial += chunk.toString();
      const parts = s.partial.split(/\r?\n/);
      s.partial = parts.pop() ?? '';
      s.lines.push(...parts);
      s.waiters.splice(0).forEach((w) => w());
    });
    stdin.on('end', () => {
      if (s.partial) s.lines.push(s.partial);
      s.partial = '';
      s.ended = true;
      s.waiters.splice(0).forEach((w) => w());
    });
    stdin.on('error', () => {
      s.ended = true;
      s.waiters.splice(0).forEach((w) => w());
    });
  }
  const st = state;
  while (st.lines.length === 0 && !st.ended) await new Promise<void>((r) => st.waiters.push(r));
  const line = st.lines.shift();
  if (line === undefined) throw new EidError('validation', `No secret given: set ${envVar} or type it at the prompt.`);
  if (st.lines.length === 0 && st.ended) (stdin as NodeJS.ReadableStream & { pause?: () => void }).pause?.();
  return line;
}

/** Minimal argv parser: `--flag`, `--key value`, `--key=value`, repeated keys collected. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

/** Parses argv against the allowed option names; unknown options are a usage error. */
export function parseArgs(argv: readonly string[], options: { booleans?: readonly string[]; values?: readonly string[] }): ParsedArgs {
  const booleans = new Set(options.booleans ?? []);
  const values = new Set(options.values ?? []);
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (k: string, v: string) => flags.set(k, [...(flags.get(k) ?? []), v]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq === -1 ? undefined : eq);
    if (booleans.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      add(name, 'true');
    } else if (values.has(name)) {
      const v = eq !== -1 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      add(name, v);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positional, flags };
}

/** First value of a flag. */
export const flag = (args: ParsedArgs, name: string): string | undefined => args.flags.get(name)?.[0];
/** Whether a boolean flag is present. */
export const has = (args: ParsedArgs, name: string): boolean => args.flags.has(name);
