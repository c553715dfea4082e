/**
 * Errors with stable codes.
 *
 * Every failure that can reach a user, the CLI or the bridge is an EidError with a code from
 * ErrorCode. The renderer translates by code (so Swedish users read Swedish); the English
 * message is for logs, the CLI and support. Messages and details never hold a secret: no PIN,
 * PUK, password or key material, ever.
 */

/** Stable error codes. Add here, never rename: the CLI's JSON output and support docs cite them. */
export type ErrorCode =
  // generic
  | 'validation'
  | 'internal'
  | 'not-found'
  | 'cancelled'
  | 'unavailable'
  | 'locked-by-policy'
  // card / PKCS#11
  | 'module-load-failed'
  | 'token-not-present'
  | 'token-removed'
  | 'pin-incorrect'
  | 'pin-locked'
  | 'pin-invalid'
  | 'pin-len-range'
  | 'puk-incorrect'
  | 'unblock-unsupported'
  | 'pkcs11'
  // PKCS#12
  | 'bad-password'
  | 'malformed'
  | 'no-private-key'
  | 'no-certificate'
  | 'unsupported'
  | 'too-large'
  | 'too-costly'
  | 'key-mismatch'
  // keystore
  | 'keystore-locked'
  | 'keystore-corrupt'
  | 'throttled'
  | 'already-exists'
  | 'os-store-failed'
  // card management (issue 4)
  | 'puk-locked'
  // CSR pairing (issue 3): no key in this keystore belongs to the certificate
  | 'no-matching-key';

/** Details are non-secret, flat and serialisable (tries left, a module path, a limit). */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

/** The one error type services throw. */
export class EidError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;
  constructor(code: ErrorCode, message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EidError';
    this.code = code;
    this.details = details;
  }
}

/** Serialisable form, as it crosses the bridge and appears in `--json` output. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

/**
 * Whether a value is an EidError. Checked by name and shape, not instanceof: the CLI ships one
 * bundle per command, so the class may exist more than once in a process.
 */
export function isEidError(err: unknown): err is EidError {
  return err instanceof EidError || ((err as Error | null)?.name === 'EidError' && typeof (err as EidError).code === 'string');
}

/** Maps anything thrown to a payload. Unknown errors become 'internal' without leaking internals. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (isEidError(err)) {
    return err.details ? { code: err.code, message: err.message, details: err.details } : { code: err.code, message: err.message };
  }
  return { code: 'internal', message: 'An unexpected error occurred. The support report has the details.' };
}
