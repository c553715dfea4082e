/**
 * `eiddesk`: the command line for IT and support. Plain Node, the same services as the app.
 *
 * Commands load lazily so `eiddesk tokens` pays only for PKCS#11 and certificate parsing: Node's
 * start-up is already close to a whole pkcs11-tool run, and the benchmark holds us to 2x of it.
 */
import { Exit, isUsageError, println, processIo, type CliIo } from './cli/io';

/** A command module: runs with its own argv and returns the exit code. */
export type CommandModule = { run(argv: string[], io: CliIo): Promise<number> };

const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<CommandModule> }>> = {
  tokens: { summary: 'list PKCS#11 modules, slots, tokens and the e-IDs on them', load: () => import('./cli/tokens') },
  p12: { summary: 'inspect or import a PKCS#12 (.p12/.pfx) file', load: () => import('./cli/p12') },
  keystore: { summary: 'e-IDs in the local keystore: list, show, delete; key requests (CSR) and pairing', load: () => import('./cli/keystore') },
  pin: { summary: 'PIN status, change and unblock on a card', load: () => import('./cli/pin') },
  card: { summary: 'test signature, key generation, certificate writing and orphan keys', load: () => import('./cli/card') },
};

/** Top-level usage text. */
export function usage(): string {
  const lines = ['Usage: eiddesk <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Secrets are never taken from the command line: use the EIDDESK_* variables or the prompt.');
  lines.push('Exit codes: 0 ok, 1 error, 2 usage, 3 a PKCS#11 module failed to load, 4 wrong PIN.');
  return lines.join('\n');
}

/** Entry point; returns the exit code instead of exiting so tests can call it in-process. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    println(name ? io.stdout : io.stderr, usage());
    return name ? Exit.OK : Exit.USAGE;
  }
  if (name === '--version') {
    println(io.stdout, process.env.EIDDESK_VERSION ?? '0.1.0');
    return Exit.OK;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    println(io.stderr, `eiddesk: unknown command '${name}'\n\n${usage()}`);
    return Exit.USAGE;
  }
  try {
    return await (await cmd.load()).run(rest, io);
  } catch (err) {
    if (isUsageError(err)) {
      println(io.stderr, `eiddesk ${name}: ${err.message} (see eiddesk ${name} --help)`);
      return Exit.USAGE;
    }
    throw err;
  }
}
