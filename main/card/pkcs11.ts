/**
 * One loaded PKCS#11 module, wrapped so the rest of the app never touches pkcs11js directly.
 *
 * Shape learnt from node-webcrypto-p11: a plain class that loads a module, tolerates
 * CKR_CRYPTOKI_ALREADY_INITIALIZED, opens sessions and always closes them. On top of that:
 * - every Cryptoki error becomes an EidError with a stable code (wrong PIN, token removed...);
 * - operations on one module are serialised through a queue, so the token watcher never
 *   re-initialises the module under a running PIN change or key generation;
 * - `reinitialize()` lets the watcher see tokens that appeared or vanished in modules that only
 *   scan at C_Initialize (SoftHSM2 does this).
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Pkcs11Types from 'pkcs11js';
import { EidError, type ErrorCode } from '../errors';

type Pkcs11Lib = typeof Pkcs11Types;
let lib: Pkcs11Lib | undefined;

/** Loads pkcs11js on first use (it is a native addon; the CLI's help must not pay for it). */
export function pkcs11js(): Pkcs11Lib {
  if (!lib) {
    const req = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
    lib = req('pkcs11js') as Pkcs11Lib;
  }
  return lib;
}

/**
 * Cleans a fixed-width CK_UTF8CHAR field: blank padding per the standard, NUL padding as some
 * modules (and pkcs11js when writing) leave it.
 */
export function ckString(s: string): string {
  return s.replace(/[\0 \t]+$/, '').replace(/^[\0 ]+/, '');
}

/** PKCS#11 return values we map to user-facing codes. */
export const CKR = {
  GENERAL_ERROR: 0x05,
  ARGUMENTS_BAD: 0x07,
  ATTRIBUTE_SENSITIVE: 0x11,
  DEVICE_ERROR: 0x30,
  DEVICE_REMOVED: 0x32,
  FUNCTION_NOT_SUPPORTED: 0x54,
  KEY_HANDLE_INVALID: 0x60,
  MECHANISM_INVALID: 0x70,
  OBJECT_HANDLE_INVALID: 0x82,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_CLOSED: 0xb0,
  SESSION_HANDLE_INVALID: 0xb3,
  SLOT_ID_INVALID: 0x03,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  USER_PIN_NOT_INITIALIZED: 0x102,
  USER_TYPE_INVALID: 0x103,
  CRYPTOKI_NOT_INITIALIZED: 0x190,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;

const CKR_TO_CODE: ReadonlyMap<number, [ErrorCode, string]> = new Map([
  [CKR.PIN_INCORRECT, ['pin-incorrect', 'The PIN is incorrect.']],
  [CKR.PIN_LOCKED, ['pin-locked', 'The PIN is blocked after too many wrong tries. Unblock it with the PUK.']],
  [CKR.PIN_INVALID, ['pin-invalid', 'The new PIN has characters the card does not accept.']],
  [CKR.PIN_LEN_RANGE, ['pin-len-range', 'The PIN is too short or too long for this card.']],
  [CKR.PIN_EXPIRED, ['pin-invalid', 'The PIN has expired and must be changed.']],
  [CKR.DEVICE_REMOVED, ['token-removed', 'The card was removed during the operation. Put it back and try again.']],
  [CKR.TOKEN_NOT_PRESENT, ['token-removed', 'The card is no longer in the reader. Put it back and try again.']],
  [CKR.SESSION_CLOSED, ['token-removed', 'The connection to the card was closed. Put the card back and try again.']],
  [CKR.SESSION_HANDLE_INVALID, ['token-removed', 'The connection to the card was lost. Put the card back and try again.']],
  [CKR.SLOT_ID_INVALID, ['token-removed', 'The card reader or token is gone. Check the reader and try again.']],
  [CKR.DEVICE_ERROR, ['token-removed', 'The card did not answer. Check that it sits well in the reader and try again.']],
  [CKR.CRYPTOKI_NOT_INITIALIZED, ['token-removed', 'The card module was reset during the operation. Try again.']],
  [CKR.TOKEN_NOT_RECOGNIZED, ['token-not-present', 'The card is not recognised by this module.']],
]);

/** Numeric CKR of a pkcs11js error, or undefined for anything else. */
export function ckrOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && (err as Error)?.name !== 'EidError' ? code : undefined;
}

/** Converts anything pkcs11js throws into an EidError; EidErrors pass through. */
export function toCardError(err: unknown, operation: string): EidError {
  if (err instanceof EidError) return err;
  const ckr = ckrOf(err);
  if (ckr !== undefined) {
    const mapped = CKR_TO_CODE.get(ckr);
    if (mapped) return new EidError(mapped[0], mapped[1], { operation, ckr: `0x${ckr.toString(16)}` }, { cause: err });
    const name = (err as Error).message?.split(':')[0] ?? `0x${ckr.toString(16)}`;
    return new EidError('pkcs11', `The card module failed during ${operation} (${name}).`, { operation, ckr: `0x${ckr.toString(16)}` }, { cause: err });
  }
  return new EidError('pkcs11', `The card module failed during ${operation}: ${(err as Error)?.message ?? String(err)}`, { operation }, { cause: err });
}

/** Information about the module itself (C_GetInfo). */
export interface ModuleInfo {
  manufacturer: string;
  description: string;
  cryptokiVersion: string;
  libraryVersion: string;
}

/** Explains why a path could not be loaded, in one line, naming the module. */
function loadFailure(path: string, err: unknown): EidError {
  const raw = (err as Error)?.message ?? String(err);
  let why: string;
  if (!existsSync(path)) why = 'the file does not exist';
  else if (statSync(path).isDirectory()) why = 'it is a directory, not a module file';
  else if (/C_GetFunctionList/i.test(raw)) why = 'it is not a PKCS#11 module (no C_GetFunctionList)';
  else if (/invalid ELF|file too short|not a valid Win32|wrong ELF class|mach-o/i.test(raw)) why = 'it is not a loadable library for this system';
  else why = raw.replace(/\s+/g, ' ').trim();
  return new EidError('module-load-failed', `Could not load PKCS#11 module ${path}: ${why}.`, { module: path }, { cause: err });
}

/** A loaded module. Create with `Pkcs11Module.open(path)`. */
export class Pkcs11Module {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** True until the first rescan: a module that was just initialised has nothing new to see. */
  private fresh = true;

  private constructor(
    readonly path: string,
    readonly api: Pkcs11Types.PKCS11,
  ) {}

  /** Loads and initialises the module; throws 'module-load-failed' with a one-line reason. */
  static open(path: string): Pkcs11Module {
    if (!existsSync(path)) throw loadFailure(path, new Error('not found'));
    const { PKCS11 } = pkcs11js();
    const api = new PKCS11();
    try {
      api.load(path);
    } catch (err) {
      throw loadFailure(path, err);
    }
    const mod = new Pkcs11Module(path, api);
    try {
      mod.initialize();
    } catch (err) {
      try {
        api.close();
      } catch {
        /* already failing */
      }
      throw new EidError('module-load-failed', `PKCS#11 module ${path} loaded but failed to start: ${toCardError(err, 'C_Initialize').message}`, { module: path });
    }
    return mod;
  }

  private initialize(): void {
    try {
      this.api.C_Initialize();
    } catch (err) {
      if (ckrOf(err) !== CKR.CRYPTOKI_ALREADY_INITIALIZED) throw err;
    }
  }

  /**
   * Finalises and initialises again, so modules that scan only at start see new tokens. Skipped
   * right after opening (the module has just scanned), which halves the CLI's card work.
   */
  rescan(): void {
    if (this.fresh) {
      this.fresh = false;
      return;
    }
    this.reinitialize();
  }

  /** Finalises and initialises again (after a token vanished under an operation). */
  reinitialize(): void {
    this.fresh = false;
    try {
      this.api.C_Finalize();
    } catch {
      /* not initialised: fine */
    }
    this.initialize();
  }

  /** C_GetInfo, trimmed. */
  info(): ModuleInfo {
    const i = this.api.C_GetInfo();
    return {
      manufacturer: ckString(i.manufacturerID),
      description: ckString(i.libraryDescription),
      cryptokiVersion: `${i.cryptokiVersion.major}.${i.cryptokiVersion.minor}`,
      libraryVersion: `${i.libraryVersion.major}.${i.libraryVersion.minor}`,
    };
  }

  /**
   * Runs `fn` with exclusive use of this module. Everything that opens sessions goes through here,
   * so a watcher's re-initialisation can never cut a running operation short.
   */
  exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new EidError('unavailable', `The PKCS#11 module ${this.path} was closed.`);
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Opens a session on `slot`, runs `fn`, and always closes the session (logging out first if
   * logged in). Errors are mapped to EidError codes.
   */
  withSession<T>(slot: Buffer, opts: { rw?: boolean; operation: string }, fn: (session: Buffer) => T | Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const { CKF_SERIAL_SESSION, CKF_RW_SESSION } = pkcs11js();
      let session: Buffer;
      try {
        session = this.api.C_OpenSession(slot, CKF_SERIAL_SESSION | (opts.rw ? CKF_RW_SESSION : 0));
      } catch (err) {
        throw toCardError(err, opts.operation);
      }
      try {
        return await fn(session);
      } catch (err) {
        throw toCardError(err, opts.operation);
      } finally {
        try {
          this.api.C_CloseSession(session);
        } catch {
          /* the token may be gone; nothing more to close */
        }
      }
    });
  }

  /** Finalises and unloads. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.api.C_Finalize();
    } catch {
      /* ignore */
    }
    try {
      this.api.close();
    } catch {
      /* ignore */
    }
  }
}
