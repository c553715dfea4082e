/**
 * Shapes shared by several channel groups of the IPC contract (preload/contract.ts merges them).
 * zod schemas only; no channel lives here.
 */
import { z } from 'zod';

/** A secret from the user (PIN, PUK, password). Bounded so nobody can push megabytes through. */
export const secret = () => z.string().max(256);

/** The request of a channel that takes no arguments. */
export const empty = z.object({}).strict();

// ---------------------------------------------------------------------------------------------
// Shared shapes

/** Error as it crosses the bridge: a stable code for the UI's translation, an English message. */
export const errorPayloadSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export const identitySchema = z.object({
  kind: z.enum(['hsa-id', 'organisation-number', 'personal-number', 'other']),
  value: z.string(),
  organisationNumber: z.string().optional(),
});

export const purposeSchema = z.enum(['authentication', 'signing', 'encryption', 'tls-server', 'ca', 'other']);

/** Certificate details as shown in the details dialog. */
export const certificateInfoSchema = z.object({
  subject: z.record(z.string(), z.string()),
  subjectDn: z.string(),
  issuer: z.record(z.string(), z.string()),
  issuerDn: z.string(),
  serialNumber: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  fingerprintSha256: z.string(),
  keyUsage: z.array(z.string()),
  extendedKeyUsage: z.array(z.string()),
  policies: z.array(z.string()),
  upn: z.array(z.string()),
  emails: z.array(z.string()),
  dnsNames: z.array(z.string()),
  purposes: z.array(purposeSchema),
  identity: identitySchema.nullable(),
  assuranceLevel: z.number().nullable(),
  isCA: z.boolean(),
  selfIssued: z.boolean(),
  publicKey: z.object({ algorithm: z.enum(['rsa', 'ec', 'ed25519', 'other']), bits: z.number().nullable(), curve: z.string().nullable() }),
  extensions: z.array(z.object({ oid: z.string(), name: z.string(), critical: z.boolean(), value: z.string() })),
});

/** PIN state from the token flags. */
export const pinStatusSchema = z.object({
  initialized: z.boolean(),
  countLow: z.boolean(),
  finalTry: z.boolean(),
  locked: z.boolean(),
  toBeChanged: z.boolean(),
  soLocked: z.boolean(),
  triesLeft: z.number().nullable(),
  minLength: z.number(),
  maxLength: z.number(),
  protectedAuthenticationPath: z.boolean(),
});

/** One e-ID on a card. */
export const cardEidSchema = z.object({
  id: z.string(),
  label: z.string(),
  holder: z.string(),
  organisation: z.string().nullable(),
  notBefore: z.string(),
  notAfter: z.string(),
  validity: z.enum(['valid', 'expired', 'not-yet-valid']),
  assuranceLevel: z.number().nullable(),
  identity: identitySchema.nullable(),
  upn: z.array(z.string()),
  emails: z.array(z.string()),
  purposes: z.array(purposeSchema),
  keyPresent: z.boolean().nullable(),
  signingCertificate: z.enum(['present', 'missing']).nullable(),
  certificate: certificateInfoSchema,
});

/** A token with its e-IDs. */
export const tokenViewSchema = z.object({
  key: z.string(),
  slotId: z.string(),
  slotDescription: z.string(),
  label: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  serialNumber: z.string(),
  demo: z.boolean(),
  pin: pinStatusSchema,
  eids: z.array(cardEidSchema),
});

/** What the card view shows. */
export const cardSnapshotSchema = z.object({
  modules: z.array(
    z.object({
      path: z.string(),
      name: z.string(),
      source: z.enum(['detected', 'configured']),
      status: z.enum(['ok', 'error']),
      error: errorPayloadSchema.nullable(),
      manufacturer: z.string().nullable(),
      description: z.string().nullable(),
      libraryVersion: z.string().nullable(),
      tokens: z.array(tokenViewSchema),
      slotCount: z.number(),
    }),
  ),
  scannedAt: z.string(),
});

export const settingsValuesSchema = z.object({
  pkcs11Modules: z.array(z.string()),
  autoDetectModules: z.boolean(),
  language: z.enum(['system', 'sv', 'en']),
});

/** Effective settings, the keys policy locks, and problems found reading them. */
export const settingsViewSchema = z.object({
  values: settingsValuesSchema,
  locked: z.array(settingsValuesSchema.keyof()),
  issues: z.array(z.object({ layer: z.enum(['user', 'policy']), message: z.string() })),
});

/** One channel's definition. */
export interface ChannelDef {
  readonly request: z.ZodType;
  readonly response: z.ZodType;
}

