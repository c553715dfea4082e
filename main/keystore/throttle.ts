/**
 * Wrong-PIN throttling for e-IDs in the keystore.
 *
 * A keystore PIN guards a key that never leaves the machine, so blocking it for good (as a card
 * does after three tries) would lock users out of their own e-ID with no PUK to help. Instead the
 * first three wrong PINs are free, and each one after that makes the next attempt wait twice as
 * long (30 s, 60 s, 120 s ... capped at an hour). That stops guessing through the app or the CLI;
 * offline guessing against a copied file is what the KDF cost and the OS layer are for.
 *
 * The state is kept per e-ID in a small sidecar file written atomically, so it survives restarts
 * and crashes. It is deliberately not inside the entry file: a wrong PIN must never rewrite the
 * file that holds the key.
 */
import { promises as fsp } from 'node:fs';
import { EidError } from '../errors';
import { writeFileAtomic, removeFileDurably } from './atomic-file';

/** Wrong PINs allowed before any delay. */
export const FREE_ATTEMPTS = 3;
/** Delay after the first wrong PIN beyond the free ones. */
export const FIRST_DELAY_SECONDS = 30;
/** Upper bound of the delay. */
export const MAX_DELAY_SECONDS = 3600;

/** Persisted wrong-PIN state of one e-ID. */
export interface ThrottleState {
  /** Consecutive wrong PINs since the last correct one. */
  failures: number;
  /** Clock time (ms) of the last wrong PIN. */
  lastFailureAt: number;
}

/** The empty state: no wrong PINs. */
export const NO_FAILURES: ThrottleState = Object.freeze({ failures: 0, lastFailureAt: 0 });

/** Seconds to wait after `failures` consecutive wrong PINs. */
export function delayAfter(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  const doublings = Math.min(failures - FREE_ATTEMPTS, 20);
  return Math.min(FIRST_DELAY_SECONDS * 2 ** doublings, MAX_DELAY_SECONDS);
}

/** Whole seconds until the next attempt is allowed at `now` (0: allowed now). */
export function retryAfterSeconds(state: ThrottleState, now: number): number {
  const delayMs = delayAfter(state.failures) * 1000;
  if (delayMs === 0) return 0;
  const remaining = state.lastFailureAt + delayMs - now;
  // A clock set back (remaining > delay) must not extend the wait beyond one full delay.
  return remaining <= 0 ? 0 : Math.ceil(Math.min(remaining, delayMs) / 1000);
}

/** Throws 'throttled' when an attempt is not allowed yet. */
export function assertAttemptAllowed(state: ThrottleState, now: number): void {
  const wait = retryAfterSeconds(state, now);
  if (wait > 0) {
    throw new EidError('throttled', `Too many wrong PINs for this e-ID. Wait ${wait} seconds, then try again.`, {
      retryAfterSeconds: wait,
      attempts: state.failures,
    });
  }
}

/** The state after one more wrong PIN. */
export function recordFailure(state: ThrottleState, now: number): ThrottleState {
  return { failures: state.failures + 1, lastFailureAt: now };
}

/** The 'pin-incorrect' error for the state after a wrong PIN, telling what happens next. */
export function wrongPinError(state: ThrottleState): EidError {
  const wait = delayAfter(state.failures);
  const left = Math.max(0, FREE_ATTEMPTS - state.failures);
  const next =
    wait > 0
      ? `Wait ${wait} seconds before the next attempt.`
      : `${left} more wrong ${left === 1 ? 'PIN is' : 'PINs are'} allowed before attempts are delayed.`;
  return new EidError('pin-incorrect', `The keystore PIN is not correct. ${next}`, {
    attempts: state.failures,
    attemptsBeforeDelay: left,
    retryAfterSeconds: wait,
  });
}

/**
 * Reads the sidecar. A missing file means no failures. An unreadable one (only possible by
 * outside tampering, since writes are atomic) counts as the free attempts used up, timed at the
 * file's modification time: failing closed, but never locking forever.
 */
export async function readThrottleState(file: string): Promise<ThrottleState> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NO_FAILURES;
    throw err;
  }
  try {
    const v = JSON.parse(text) as Partial<ThrottleState>;
    if (Number.isSafeInteger(v.failures) && (v.failures as number) >= 0 && Number.isFinite(v.lastFailureAt)) {
      return { failures: v.failures as number, lastFailureAt: v.lastFailureAt as number };
    }
  } catch {
    // fall through
  }
  const st = await fsp.stat(file);
  return { failures: FREE_ATTEMPTS, lastFailureAt: st.mtimeMs };
}

/** Writes the sidecar atomically; the no-failure state removes it. */
export async function writeThrottleState(file: string, state: ThrottleState): Promise<void> {
  if (state.failures === 0) {
    await removeFileDurably(file);
    return;
  }
  await writeFileAtomic(file, Buffer.from(JSON.stringify({ failures: state.failures, lastFailureAt: state.lastFailureAt })), {
    overwrite: true,
  });
}
