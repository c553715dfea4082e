/**
 * A fake CliIo for running `eiddesk pin|card ...` in-process: captured stdout/stderr, a chosen
 * environment, and stdin either as piped lines or as a terminal that "types" answers one prompt
 * at a time (each resume() after setRawMode delivers the next answer).
 */
import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../main/cli/io';

/** The fake and what it captured. */
export interface FakeIo {
  io: CliIo;
  out(): string;
  err(): string;
  /** Prompts written to stderr in TTY mode, in order. */
  prompts(): string[];
}

/** Builds a fake. `stdin`: piped lines (non-TTY), or `{ tty: answers }` for a terminal. */
export function fakeIo(opts: { env?: Record<string, string>; stdin?: string[] | { tty: string[] } } = {}): FakeIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  const prompts: string[] = [];
  stdout.on('data', (d) => (o += d));
  stderr.on('data', (d) => {
    const s = String(d);
    e += s;
    if (/: $/.test(s)) prompts.push(s);
  });
  let stdin: CliIo['stdin'];
  if (opts.stdin && !Array.isArray(opts.stdin)) {
    const answers = [...opts.stdin.tty];
    const tty = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (b: boolean) => unknown };
    tty.isTTY = true;
    tty.setRawMode = () => tty;
    const resume = tty.resume.bind(tty);
    tty.resume = () => {
      resume();
      const next = answers.shift();
      if (next !== undefined) setImmediate(() => tty.emit('data', Buffer.from(`${next}\r`)));
      return tty;
    };
    stdin = tty;
  } else {
    const lines = opts.stdin ?? [];
    stdin = Readable.from(lines.length ? [lines.map((l) => `${l}\n`).join('')] : []);
  }
  // Only what the test passes: no SOFTHSM2_CONF or EIDDESK_* from the developer's shell leaks in.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env };
  return { io: { stdout, stderr, stdin, env }, out: () => o, err: () => e, prompts: () => prompts };
}
