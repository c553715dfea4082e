/**
 * Running the OS stores' own tools (certutil/pk12util, PowerShell, security).
 *
 * Every installer goes through a CommandRunner so the exact argv, environment and standard input
 * of the Windows and macOS paths can be asserted in unit tests on Linux, and so no secret is ever
 * put on a command line by accident: secrets travel by stdin or a 0600 file, and tests check it.
 * Commands never get a terminal: stdin is a pipe that is closed after what we write, so a tool
 * that would prompt fails instead of hanging.
 */
import { spawn } from 'node:child_process';
import { EidError } from '../../errors';

/** One command invocation. */
export interface CommandSpec {
  command: string;
  args: string[];
  /** Written to stdin, then stdin is closed. */
  stdin?: string;
  /** Added to the inherited environment (never secrets: environments are readable by the same user). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** What a command produced. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs commands. The default spawns them; tests record them. */
export interface CommandRunner {
  run(spec: CommandSpec): Promise<CommandResult>;
}

/** The real runner: no shell, no TTY, bounded time and output. */
export const spawnRunner: CommandRunner = {
  run(spec: CommandSpec): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(spec.command, spec.args, {
        env: spec.env ? { ...process.env, ...spec.env } : process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
        shell: false,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      const limit = 16 * 1024 * 1024;
      const collect = (into: Buffer[]) => (b: Buffer) => {
        size += b.length;
        if (size <= limit) into.push(b);
      };
      child.stdout.on('data', collect(out));
      child.stderr.on('data', collect(err));
      const timer = setTimeout(() => child.kill('SIGKILL'), spec.timeoutMs ?? 60_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new EidError('unavailable', `The program ${spec.command} could not be started. Is it installed?`, { command: spec.command }, { cause: e }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(spec.stdin ?? '');
    });
  },
};

/** Runs and throws 'os-store-failed' (with the tool's first error line, never our inputs) on a non-zero exit. */
export async function runChecked(runner: CommandRunner, spec: CommandSpec, what: string): Promise<CommandResult> {
  const r = await runner.run(spec);
  if (r.code !== 0) {
    const line = (r.stderr || r.stdout).split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0) ?? `exit code ${r.code}`;
    throw new EidError('os-store-failed', `${what} failed: ${line.slice(0, 300)}`, { command: spec.command, exitCode: r.code });
  }
  return r;
}
