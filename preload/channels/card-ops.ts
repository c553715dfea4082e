/**
 * Channels for card management: PIN status, change and unblock, test signature, orphan keys
 * (issue 4).
 *
 * Every request names its token by the key from the card snapshot (TokenView.key), never "the
 * current card": with several cards in several readers an operation must act on the card the
 * user saw in the dialog. PINs and PUKs are `secret()` fields: they cross once, inbound.
 */
import { z } from 'zod';
import { pinStatusSchema, secret, type ChannelDef } from '../schemas';
import { base64, CERTIFICATE_FILE_MAX_BYTES, requestAlgorithmSchema } from './files';

/** A token key from `token:list` (module path + slot + serial). Bounded, never empty. */
const tokenKey = z.string().min(1).max(2048);

/** A secret that must be typed (an empty PIN is never what the user meant). */
const typedSecret = () => secret().min(1);

/** A CKA_ID in hex ("02", "4A3F"); colons or spaces between bytes are tolerated. */
const keyId = z
  .string()
  .max(256)
  .regex(/^[0-9A-Fa-f]{2}([\s:]?[0-9A-Fa-f]{2})*$/);

/** State of the PUK (SO PIN on SoftHSM2) from the token flags. */
export const secretStateSchema = z.object({
  countLow: z.boolean(),
  finalTry: z.boolean(),
  locked: z.boolean(),
  toBeChanged: z.boolean(),
  triesLeft: z.number().nullable(),
});

/** Why a PIN action is not offered. */
const blockerSchema = z.enum(['pin-locked', 'pin-not-initialized', 'puk-locked', 'unsupported']).nullable();

/**
 * Everything a PIN dialog shows before the user types: PIN and PUK state fresh from the card,
 * whether change and unblock are offered (and why not), what this card family calls the unblock
 * secret, and whether its PINs are digits (the dialogs then ask for a numeric keypad).
 */
export const pinReportSchema = z.object({
  tokenKey: z.string(),
  label: z.string(),
  serialNumber: z.string(),
  pin: pinStatusSchema,
  puk: secretStateSchema,
  change: z.object({ possible: z.boolean(), blockedBy: blockerSchema }),
  unblock: z.object({
    possible: z.boolean(),
    blockedBy: blockerSchema,
    method: z.enum(['so-login-init-pin', 'set-pin-public-session', 'none']),
    secretName: z.enum(['PUK', 'SO PIN']),
  }),
  /** The card's PINs and PUK are digits (SITHS: PIN 6 digits, PUK 8): a numeric keypad fits. */
  digitsOnly: z.boolean(),
});

/** The outcome of a test signature. The challenge is random and not secret. */
export const testSignResultSchema = z.object({
  tokenKey: z.string(),
  id: z.string(),
  label: z.string(),
  holder: z.string(),
  verified: z.boolean(),
  algorithm: z.enum(['sha256WithRSAEncryption', 'ecdsaWithSHA256']),
  mechanism: z.string(),
  keyType: z.enum(['rsa', 'ec', 'other']),
  keyBits: z.number().nullable(),
  durationMs: z.number(),
  signMs: z.number(),
  certificateFingerprint: z.string(),
  challenge: z.string(),
});

/** One orphan key (a key pair that never got its certificate), with what identifies it. */
export const orphanKeySchema = z.object({
  id: z.string(),
  label: z.string(),
  keyType: z.enum(['rsa', 'ec', 'other']),
  bits: z.number().nullable(),
  curve: z.string().nullable(),
  hasPrivateKey: z.boolean(),
  hasPublicKey: z.boolean(),
  objectCount: z.number(),
  generatedOnCard: z.boolean().nullable(),
  publicKeySha256: z.string().nullable(),
});

/** A key pair made on the card and the CSR its private key signed (public data only). */
export const keygenResultSchema = z.object({
  tokenKey: z.string(),
  id: z.string(),
  label: z.string(),
  algorithm: requestAlgorithmSchema,
  subjectDn: z.string(),
  csrPem: z.string(),
  publicKeySha256: z.string(),
});

/** An issued certificate written next to its key: what it is and whom it is for. */
export const writeCertificateResultSchema = z.object({
  tokenKey: z.string(),
  id: z.string(),
  label: z.string(),
  subjectDn: z.string(),
  fingerprintSha256: z.string(),
  notAfter: z.string(),
  validity: z.enum(['valid', 'expired', 'not-yet-valid']),
});

/** The operations that report progress. */
export const cardOperationSchema = z.enum(['pin-change', 'pin-unblock', 'test-sign', 'orphans', 'delete-orphans', 'keygen', 'write-cert']);

/** The steps an operation goes through (main/card/session.ts OperationStep). */
export const operationStepSchema = z.enum([
  'login',
  'changing-pin',
  'unblocking-pin',
  'signing',
  'generating-key',
  'signing-request',
  'writing-certificate',
  'deleting-keys',
  'done',
]);

/** Card management channels. */
export const cardOpsChannels = {
  /** PIN and PUK state fresh from the card, before the user types anything. */
  'pin:status': { request: z.object({ tokenKey }).strict(), response: pinReportSchema },
  /** Changes the user PIN (the UI has asked for the new one twice). Answers the fresh status. */
  'pin:change': {
    request: z.object({ tokenKey, oldPin: typedSecret(), newPin: typedSecret() }).strict(),
    response: pinReportSchema,
  },
  /** Unblocks the user PIN with the PUK (SO PIN on SoftHSM2), setting a new one. */
  'pin:unblock': {
    request: z.object({ tokenKey, puk: typedSecret(), newPin: typedSecret() }).strict(),
    response: pinReportSchema,
  },
  /** Signs a random challenge with an e-ID's key and verifies it with its certificate. */
  'card:test-sign': {
    request: z.object({ tokenKey, eidId: keyId, pin: typedSecret() }).strict(),
    response: testSignResultSchema,
  },
  /** Key pairs without a certificate. With the PIN private keys are seen too (most cards hide them). */
  'card:orphans': {
    request: z.object({ tokenKey, pin: typedSecret().optional() }).strict(),
    response: z.object({ tokenKey: z.string(), orphans: z.array(orphanKeySchema), privateKeysVisible: z.boolean() }),
  },
  /** Deletes the named orphans; refuses (deleting nothing) if any of them is not an orphan now. */
  'card:delete-orphans': {
    request: z
      .object({
        tokenKey,
        pin: typedSecret(),
        // '' names key objects without a CKA_ID (they can never be paired with a certificate).
        ids: z.array(z.union([keyId, z.literal('')])).min(1).max(64),
      })
      .strict(),
    response: z.object({
      tokenKey: z.string(),
      deleted: z.array(z.object({ id: z.string(), objects: z.number() })),
      remaining: z.array(orphanKeySchema),
    }),
  },
  /**
   * Makes a key pair on the card (private key sensitive, never extractable) and answers the CSR
   * it signed. Without `subject` the CSR takes the subject of the card's current e-ID.
   */
  'card:keygen': {
    request: z
      .object({ tokenKey, algorithm: requestAlgorithmSchema, subject: z.string().trim().min(1).max(1024).optional(), pin: typedSecret() })
      .strict(),
    response: keygenResultSchema,
  },
  /**
   * Writes an issued certificate (a .cer/.crt/.pem file, as `certificate:inspect` takes it) next
   * to the key it belongs to, same CKA_ID and label. Refuses ('key-mismatch') if no key on the
   * card matches, writing nothing.
   */
  'card:write-cert': {
    request: z.object({ tokenKey, fileName: z.string().max(260), data: base64(CERTIFICATE_FILE_MAX_BYTES).min(4), pin: typedSecret() }).strict(),
    response: writeCertificateResultSchema,
  },
} as const satisfies Record<string, ChannelDef>;

/** Card management events. */
export const cardOpsEvents = {
  /**
   * A step of a running card operation, sent to the window that asked. While `critical` is true
   * pulling the card would leave something half done: the UI says "Do not remove the card".
   */
  'card:progress': z.object({
    tokenKey: z.string(),
    operation: cardOperationSchema,
    step: operationStepSchema,
    critical: z.boolean(),
  }),
} as const satisfies Record<string, z.ZodType>;
