/**
 * The IPC contract: every channel between the renderer and main, with zod schemas for request and
 * response, and every event main sends. This file is the seam of the app:
 * - main parses every request with it before any service sees it (main/ipc/dispatch.ts);
 * - the bridge (preload/bridge.ts) is generated from it, so the renderer gets typed calls;
 * - a test proves every channel has a handler and every handler a channel.
 *
 * Channels are `domain:verb`. Requests that carry secrets (PINs, passwords) mark those fields with
 * `secret()`: they cross once, inbound, and are never echoed, logged or stored.
 */
import { z } from 'zod';

/** A secret from the user (PIN, PUK, password). Bounded so nobody can push megabytes through. */
export const secret = () => z.string().max(256);

const empty = z.object({}).strict();

// ---------------------------------------------------------------------------------------------
// Shared shapes

/** Error as it crosses the bridge: a stable code for the UI's translation, an English message. */
export const errorPayloadSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

const identitySchema = z.object({
  kind: z.enum(['hsa-id', 'organisation-number', 'personal-number', 'other']),
  value: z.string(),
  organisationNumber: z.string().optional(),
});

const purposeSchema = z.enum(['authentication', 'signing', 'encryption', 'tls-server', 'ca', 'other']);

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

const settingsValuesSchema = z.object({
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

// ---------------------------------------------------------------------------------------------
// Channels

/** One channel's definition. */
export interface ChannelDef {
  readonly request: z.ZodType;
  readonly response: z.ZodType;
}

/** Every request/response channel. */
export const channels = {
  /** Version, platform and host kind, for the About box and the support report. */
  'app:info': {
    request: empty,
    response: z.object({ name: z.string(), version: z.string(), platform: z.string(), host: z.enum(['electron', 'preview']), locale: z.string() }),
  },
  /** Effective settings with the keys locked by machine policy. */
  'settings:get': { request: empty, response: settingsViewSchema },
  /** Changes user settings; keys locked by policy are refused with 'locked-by-policy'. */
  'settings:update': { request: settingsValuesSchema.partial().strict(), response: settingsViewSchema },
  /** A fresh scan of every module, slot, token and e-ID (the card view). */
  'token:list': { request: empty, response: cardSnapshotSchema },
} as const satisfies Record<string, ChannelDef>;

/** Events main pushes to the renderer. */
export const events = {
  /** Tokens were inserted or removed, or what is on them changed. Carries the new view. */
  'token:changed': cardSnapshotSchema,
} as const satisfies Record<string, z.ZodType>;

/** A channel name. */
export type Channel = keyof typeof channels;
/** An event name. */
export type EventName = keyof typeof events;
/** What the renderer sends on a channel. */
export type RequestOf<C extends Channel> = z.input<(typeof channels)[C]['request']>;
/** What main answers on a channel. */
export type ResponseOf<C extends Channel> = z.infer<(typeof channels)[C]['response']>;
/** The payload of an event. */
export type EventOf<E extends EventName> = z.infer<(typeof events)[E]>;
/** The wire form of every answer: results and errors travel as data, never as thrown objects. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: z.infer<typeof errorPayloadSchema> };

/** Whether a name is a known channel (the transport refuses anything else before parsing). */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

/** The IPC channel prefix: main only listens on names starting with it. */
export const IPC_PREFIX = 'eiddesk:';
/** Name of the global the preload exposes. */
export const BRIDGE_GLOBAL = 'eidDesk';
