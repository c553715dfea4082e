/**
 * `eiddesk pin status|change|unblock --token LABEL`: the PIN page for IT, support and scripts.
 *
 * Secrets: EIDDESK_PIN (current PIN), EIDDESK_NEW_PIN, EIDDESK_PUK (the SO PIN on SoftHSM2), or a
 * prompt with echo off; on a terminal the new PIN is asked twice. Never on the command line.
 * Exit codes: 0 ok, 1 error, 2 usage, 3 a module failed to load, 4 wrong or blocked PIN/PUK.
 */
import { EidError } from '../errors';
import type { PinReport } from '../card/operations';
import { fail, openTarget, pinWarning, progressPrinter, refuseBlockedPin, secret, TARGET_HELP, TARGET_VALUES, type CardTarget } from './card-target';
import { Exit, has, parseArgs, printJson, println, UsageError, type CliIo } from './io';

const HELP = `Usage:
  eiddesk pin status  --token LABEL [--json]
  eiddesk pin change  --token LABEL [--json]
  eiddesk pin unblock --token LABEL [--json]

status   the PIN state from the card (tries low, final try, blocked, to be changed), the PIN
         length rules and whether change and unblock are possible.
change   asks the current PIN (EIDDESK_PIN) and the new one twice (EIDDESK_NEW_PIN).
unblock  asks the PUK (EIDDESK_PUK; the SO PIN on SoftHSM2) and the new PIN (EIDDESK_NEW_PIN).

${TARGET_HELP}
  --json          machine-readable output

Exit codes: 0 ok, 1 error, 2 usage, 3 a module failed to load, 4 wrong or blocked PIN/PUK.`;

function stateText(s: { locked: boolean; finalTry: boolean; countLow: boolean; toBeChanged?: boolean }): string {
  if (s.locked) return 'BLOCKED';
  if (s.finalTry) return 'final try (1 try left)';
  if (s.countLow) return 'tries low';
  if (s.toBeChanged) return 'must be changed';
  return 'ok';
}

function printReport(io: CliIo, r: PinReport): void {
  const out = (s: string) => println(io.stdout, s);
  const range = r.pin.minLength === r.pin.maxLength ? `${r.pin.minLength}` : `${r.pin.minLength} to ${r.pin.maxLength >= 0xffff_ffff ? 'any' : r.pin.maxLength}`;
  out(`Token "${r.label}" (serial ${r.serialNumber})`);
  out(`  PIN: ${r.pin.initialized ? stateText(r.pin) : 'not set'}${r.pin.protectedAuthenticationPath ? ' (typed on the reader\'s PIN pad)' : ''}`);
  out(`  PIN length: ${range} characters`);
  out(`  ${r.unblock.secretName}: ${stateText(r.puk)}`);
  out(`  Change PIN: ${r.change.possible ? 'possible' : `not possible (${r.change.blockedBy})`}`);
  const how = r.unblock.method === 'so-login-init-pin' ? 'login as SO + C_InitPIN' : r.unblock.method === 'set-pin-public-session' ? 'C_SetPIN in a public session' : 'none';
  out(`  Unblock with the ${r.unblock.secretName}: ${r.unblock.possible ? `possible (${how})` : `not possible (${r.unblock.blockedBy})`}`);
}

/** Asks the new PIN, twice on a terminal (unless it came from the environment). */
async function newPin(io: CliIo, t: CardTarget): Promise<string> {
  const first = await secret(io, 'EIDDESK_NEW_PIN', 'New PIN', t.token);
  if (io.env.EIDDESK_NEW_PIN === undefined && io.stdin.isTTY) {
    const again = await secret(io, 'EIDDESK_NEW_PIN_REPEAT', 'Repeat the new PIN', t.token);
    if (again !== first) throw new EidError('validation', 'The two new PINs differ. Nothing was changed.');
  }
  return first;
}

/** Runs the command. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json', 'help'], values: [...TARGET_VALUES] });
  const [sub, ...extra] = args.positional;
  if (has(args, 'help') || sub === 'help') {
    println(io.stdout, HELP);
    return Exit.OK;
  }
  if (!sub || !['status', 'change', 'unblock'].includes(sub)) throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'status, change or unblock?');
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const json = has(args, 'json');
  let target: CardTarget | undefined;
  try {
    target = await openTarget(args);
    const { ops, token } = target;
    if (sub === 'status') {
      const r = await ops.pinStatus(token.key);
      if (json) printJson(io, { ok: true, ...r });
      else printReport(io, r);
      return Exit.OK;
    }
    if (sub === 'change') {
      refuseBlockedPin(token);
      const warning = pinWarning(token);
      if (warning && !json) println(io.stderr, warning);
      const oldPin = await secret(io, 'EIDDESK_PIN', 'Current PIN', token);
      const pin = await newPin(io, target);
      const r = await ops.changePin(token.key, { oldPin, newPin: pin }, progressPrinter(io, json));
      if (json) printJson(io, { ok: true, ...r });
      else println(io.stdout, `The PIN of "${token.label}" was changed.`);
      return Exit.OK;
    }
    const status = await ops.pinStatus(token.key);
    if (!status.unblock.possible) {
      throw status.unblock.blockedBy === 'puk-locked'
        ? new EidError('puk-locked', `The ${status.unblock.secretName} of "${token.label}" is blocked too. Contact the card issuer.`)
        : new EidError('unblock-unsupported', `The card "${token.label}" cannot be unblocked through its PKCS#11 module. Use the card issuer's tool.`);
    }
    if (status.puk.finalTry && !json) println(io.stderr, `Warning: one try is left before the ${status.unblock.secretName} is blocked.`);
    const puk = await secret(io, 'EIDDESK_PUK', status.unblock.secretName, token);
    const pin = await newPin(io, target);
    const r = await ops.unblockPin(token.key, { puk, newPin: pin }, progressPrinter(io, json));
    if (json) printJson(io, { ok: true, ...r });
    else println(io.stdout, `The PIN of "${token.label}" was unblocked and set to the new PIN.`);
    return Exit.OK;
  } catch (err) {
    return fail(io, err, json);
  } finally {
    target?.close();
  }
}
