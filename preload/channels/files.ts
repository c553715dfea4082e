/**
 * Channels for e-IDs on file: PKCS#12 inspection and import, the keystore, the OS certificate
 * stores (issue 3).
 *
 * The file travels as base64 in the request (the renderer cannot hand main a path in the
 * sandbox, and the preview has no file system access either), bounded by the decoder's size
 * limit so nobody can push more than one honest e-ID file through. The file's password and the
 * keystore PINs are secrets: inbound once, never echoed.
 */
import { z } from 'zod';
import { certificateInfoSchema, empty, identitySchema, secret, type ChannelDef } from '../schemas';

/**
 * Largest PKCS#12 file accepted, in bytes. Equal to the decoder's DEFAULT_LIMITS.maxBytes (a unit
 * test keeps them equal); repeated here because the renderer may not import main/, and it needs
 * the limit to refuse a huge file before reading it.
 */
export const P12_MAX_BYTES = 1024 * 1024;

/**
 * Largest certificate file (.cer/.crt/.pem/.p7b) accepted for pairing, in bytes. Equal to the
 * keystore's MAX_CERTIFICATE_FILE_BYTES (a unit test keeps them equal), repeated for the renderer.
 */
export const CERTIFICATE_FILE_MAX_BYTES = 1024 * 1024;

/** Base64 of at most `maxBytes` bytes: the length bound is checked before the pattern. */
export const base64 = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');

/** A keystore id: 16 lower-case hex digits (the start of the certificate's SHA-256). */
export const keystoreIdSchema = z.string().regex(/^[0-9a-f]{16}$/);

/** A SHA-256 fingerprint as CertificateInfo writes it (AB:CD:...); lower case is accepted and upper-cased. */
export const fingerprintSchema = z
  .string()
  .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/)
  .transform((s) => s.toUpperCase());

const validitySchema = z.enum(['valid', 'expired', 'not-yet-valid']);
const osStoreKindSchema = z.enum(['windows-my', 'macos-keychain', 'nss']);

/** The file as the user picked it: its name (for display) and its bytes. */
const p12FileFields = {
  fileName: z.string().max(260),
  data: base64(P12_MAX_BYTES),
  /** The PIN code from the PIN letter. Sent as typed after trimming; main retries trimmed anyway. */
  password: secret(),
};

/**
 * A certificate file as the user picked it (.cer/.crt/.pem/.p7b/.p7c): its name and its bytes,
 * bounded by the certificate-file limit. The same fields for inspecting it and for pairing it, so
 * what could be looked at can always be paired and nothing larger can be pushed through either.
 */
const certificateFileFields = {
  fileName: z.string().max(260),
  data: base64(CERTIFICATE_FILE_MAX_BYTES),
};

/**
 * A key request or an e-ID in the keystore that holds the key of a certificate: what the import
 * wizard offers to pair a certificates-only file with (public data; no PIN was asked).
 */
export const pairableSchema = z.object({ kind: z.enum(['request', 'entry']), id: keystoreIdSchema, label: z.string() });

/** Key algorithms a request can be made for. */
export const requestAlgorithmSchema = z.enum(['rsa2048', 'rsa3072', 'ec-p256']);

/** A key request waiting for its certificate (the key never crosses the bridge; the CSR may, it is public). */
export const keystoreRequestSchema = z.object({
  id: keystoreIdSchema,
  label: z.string(),
  subjectDn: z.string(),
  algorithm: requestAlgorithmSchema,
  keyAlgorithm: z.string(),
  createdAt: z.string(),
  spkiFingerprint: z.string(),
  csrPem: z.string(),
  protectedByOs: z.boolean(),
  /** Wrong-PIN state of the request (its PIN is asked for when pairing). */
  pin: z.object({ attempts: z.number().int(), retryAfterSeconds: z.number().int() }),
});

/** One certificate of a PKCS#12 file, as inspection describes it. */
export const p12CertificateSchema = certificateInfoSchema.extend({
  index: z.number().int(),
  friendlyName: z.string().optional(),
  localKeyId: z.string().optional(),
  validity: validitySchema,
  hasKey: z.boolean(),
});

/** The chain of the holder's certificate up to a shipped trust anchor, or how far it got. */
export const chainReportSchema = z.object({
  status: z.enum(['trusted', 'untrusted-root', 'incomplete']),
  links: z.array(
    z.object({
      subjectDn: z.string(),
      issuerDn: z.string(),
      serialNumber: z.string(),
      fingerprintSha256: z.string(),
      notAfter: z.string(),
      validity: validitySchema,
      source: z.enum(['file', 'anchor']),
    }),
  ),
  anchor: z.string().nullable(),
  problem: z.string().nullable(),
});

/**
 * What is inside a PKCS#12 file (never key bytes). A certificate file (`certificate:inspect`) is
 * described in this very shape, as a file with certificates only.
 */
export const p12ReportSchema = z.object({
  fileName: z.string(),
  certificates: z.array(p12CertificateSchema),
  keys: z.number().int(),
  keyDetails: z.array(
    z.object({
      index: z.number().int(),
      friendlyName: z.string().optional(),
      algorithm: z.string(),
      bits: z.number().nullable(),
      curve: z.string().nullable(),
      certificateIndex: z.number().int().nullable(),
    }),
  ),
  pairs: z.array(z.object({ keyIndex: z.number().int(), certificateIndex: z.number().int() })),
  leaf: p12CertificateSchema.nullable(),
  /** The leaf certificate, DER in base64 (public data), so later steps can ask about it. */
  leafDer: z.string().nullable(),
  chain: chainReportSchema.nullable(),
  certificatesOnly: z.boolean(),
  keyOnly: z.boolean(),
  keyMismatch: z.boolean(),
  protection: z.object({ macAlgorithm: z.string().nullable(), macIterations: z.number().nullable(), encryption: z.array(z.string()) }),
  /** Id of the keystore entry that already holds this e-ID, if any. */
  inKeystore: keystoreIdSchema.nullable(),
  /**
   * Key requests and entries whose key the leaf certificate was issued for: a certificates-only
   * file (an order made with a CSR) can be paired with these through `keystore:pair`. An entry
   * holding this very certificate is not listed (that is `inKeystore`). Main always sends it.
   */
  pairable: z.array(pairableSchema),
});

/** The preview shown before an older certificate is removed from an OS store. */
export const olderCertificateSchema = z.object({
  reason: z.enum(['same-identity-number', 'same-subject']),
  reference: z.string(),
  store: osStoreKindSchema,
  location: z.string(),
  holder: z.string(),
  issuer: z.string(),
  identityNumber: z.string().nullable(),
  notBefore: z.string(),
  notAfter: z.string(),
  expired: z.boolean(),
  fingerprintSha256: z.string(),
  removesPrivateKey: z.boolean().nullable(),
  summary: z.string(),
});

/** Where an e-ID was installed (a keystore entry's record). */
export const installRecordSchema = z.object({
  kind: osStoreKindSchema,
  location: z.string(),
  reference: z.string().nullable(),
  installedAt: z.string(),
});

/** One e-ID in the keystore, as the "E-IDs on file" page shows it. */
export const keystoreEntrySchema = z.object({
  id: keystoreIdSchema,
  label: z.string(),
  holder: z.string(),
  organisation: z.string().nullable(),
  identity: identitySchema.nullable(),
  notBefore: z.string(),
  notAfter: z.string(),
  validity: validitySchema,
  fingerprintSha256: z.string(),
  keyAlgorithm: z.string(),
  createdAt: z.string(),
  source: z.enum(['pkcs12-file', 'order-portal', 'csr-pairing']),
  protectedByOs: z.boolean(),
  installs: z.array(installRecordSchema),
  /** Wrong-PIN state: how many in a row, and how long until the next attempt is allowed. */
  pin: z.object({ attempts: z.number().int(), retryAfterSeconds: z.number().int() }),
  certificate: certificateInfoSchema,
  chain: z.array(z.object({ subjectDn: z.string(), issuerDn: z.string(), notAfter: z.string(), fingerprintSha256: z.string() })),
});

/** The OS certificate store of this computer. */
export const osStoreInfoSchema = z.object({ kind: osStoreKindSchema, location: z.string(), available: z.boolean() });

/** PKCS#12 and keystore channels. */
export const fileChannels = {
  /** Opens a PKCS#12 file with its password and says what is inside. Nothing is stored. */
  'p12:inspect': { request: z.object(p12FileFields).strict(), response: p12ReportSchema },
  /**
   * Says what a certificate file delivered for a CSR holds (.cer/.crt/.pem, PKCS#7 .p7b/.p7c),
   * before any PIN is asked: the user checks that it is the certificate they ordered and not an
   * old one (seed 003), and sees which key here it belongs to (`pairable`) or that none does.
   * The answer has the shape of `p12:inspect`'s, described by the same code, so the wizard shows
   * both with the same step: `keys` 0, `keyDetails` and `pairs` empty, `certificatesOnly` true,
   * `protection` all null/empty (such a file has no password, MAC or encryption). Nothing is
   * stored. Hostile files end as 'malformed' (details.kind 'pkcs12' for a PKCS#12 under a
   * certificate's name), 'too-large' (over the size limit, or too many certificates) or
   * 'no-certificate'.
   */
  'certificate:inspect': { request: z.object(certificateFileFields).strict(), response: p12ReportSchema },
  /**
   * Imports every e-ID of the file into the keystore (under `keystorePin`) and/or the OS store,
   * then removes the older certificates named in `removeOlder` (only ones the OS store reports as
   * older certificates of the same identity). All or nothing: if any store step fails, what this
   * call added is taken out again and the error is returned.
   */
  'p12:import': {
    request: z
      .object({
        ...p12FileFields,
        keystorePin: secret().optional(),
        targets: z.object({ keystore: z.boolean(), osStore: z.boolean() }).strict(),
        label: z.string().max(120).optional(),
        removeOlder: z.array(fingerprintSchema).max(20).default([]),
      })
      .strict()
      .refine((r) => r.targets.keystore || r.targets.osStore, { path: ['targets'], message: 'choose at least one place' })
      .refine((r) => !r.targets.keystore || r.keystorePin !== undefined, { path: ['keystorePin'], message: 'required for the keystore' }),
    response: z.object({
      imported: z.array(
        z.object({
          holder: z.string(),
          identity: identitySchema.nullable(),
          notAfter: z.string(),
          fingerprintSha256: z.string(),
          keystoreId: keystoreIdSchema.nullable(),
          osStore: z.object({ kind: osStoreKindSchema, location: z.string(), reference: z.string() }).nullable(),
        }),
      ),
      /** Older certificates of the same identity still in the OS store after the import. */
      older: z.array(olderCertificateSchema),
      /** Fingerprints of older certificates removed as asked. */
      removed: z.array(z.string()),
      /** Older certificates that could not be removed (the import itself stands). */
      removeFailed: z.array(z.object({ fingerprintSha256: z.string(), code: z.string(), message: z.string() })),
    }),
  },
  /** Every e-ID in the keystore, plus entries that cannot be read (so they can be deleted). */
  'keystore:list': {
    request: empty,
    response: z.object({
      dir: z.string(),
      entries: z.array(keystoreEntrySchema),
      damaged: z.array(z.object({ id: z.string(), code: z.string(), message: z.string() })),
    }),
  },
  /** The rules a keystore PIN must follow, shown before the user types (translated by id). */
  'keystore:pin-rules': {
    request: empty,
    response: z.object({
      minLength: z.number().int(),
      maxLength: z.number().int(),
      rules: z.array(z.object({ id: z.enum(['min-length', 'max-length', 'not-repeated', 'not-sequence']), text: z.string() })),
    }),
  },
  /** Changes the PIN of one e-ID on file. Wrong old PINs are counted and throttled ('throttled', details.retryAfterSeconds). */
  'keystore:change-pin': {
    request: z.object({ id: keystoreIdSchema, oldPin: secret(), newPin: secret() }).strict(),
    response: z.object({ id: keystoreIdSchema }),
  },
  /** Deletes an e-ID from the keystore (the UI confirms first). Installs in OS stores stay; the answer lists them. */
  'keystore:delete': {
    request: z.object({ id: keystoreIdSchema }).strict(),
    response: z.object({ deleted: keystoreIdSchema, stillInstalledIn: z.array(installRecordSchema) }),
  },
  /**
   * Makes a key pair in the keystore for an order made with a CSR (seed 003; the Incomes
   * Register's technical-interface certificate, seed 002) and returns the signed CSR to hand to
   * the CA. The private key stays in the keystore, encrypted under `pin` (the keystore PIN rules
   * apply) and is never exported. The subject is a DN such as "CN=1234567-8,O=Yritys Oy,C=FI";
   * a missing CN, a country that is not two letters or an over-long value is 'validation'.
   */
  'keystore:create-request': {
    request: z
      .object({
        alg: requestAlgorithmSchema,
        subject: z.string().min(1).max(1024),
        label: z.string().max(120).optional(),
        pin: secret(),
      })
      .strict(),
    response: z.object({
      id: keystoreIdSchema,
      csrPem: z.string(),
      subjectDn: z.string(),
      spkiFingerprint: z.string(),
      algorithm: requestAlgorithmSchema,
      label: z.string(),
      createdAt: z.string(),
    }),
  },
  /** Key requests waiting for their certificate, plus request files that cannot be read (so they can be deleted). */
  'keystore:requests': {
    request: empty,
    response: z.object({
      requests: z.array(keystoreRequestSchema),
      damaged: z.array(z.object({ id: z.string(), code: z.string(), message: z.string() })),
    }),
  },
  /**
   * Deletes a key request. Its key is gone for good: a certificate issued for it can no longer
   * be used, so the UI confirms first, saying exactly that.
   */
  'keystore:delete-request': {
    request: z.object({ id: keystoreIdSchema }).strict(),
    response: z.object({ deleted: keystoreIdSchema }),
  },
  /**
   * Pairs a delivered certificate with the key it was issued for: a key request (it becomes an
   * e-ID on file, source 'csr-pairing', and the request goes) or an e-ID already here (a renewal
   * for the same key: a new entry, the old one stays). The certificate comes as a
   * certificates-only PKCS#12 (with its password) or a certificate file (.cer/.crt/.pem, or
   * PKCS#7 .p7b/.p7c). `pin` is the PIN of the request or entry; the new entry keeps it. With
   * `targets.osStore` the new e-ID is also installed into the OS store, all or nothing as with
   * `p12:import`. 'no-matching-key' means the key is not in this keystore (it is where the CSR
   * was made).
   */
  'keystore:pair': {
    request: z
      .object({
        source: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('p12'), ...p12FileFields }).strict(),
          z.object({ kind: z.literal('certificate'), ...certificateFileFields }).strict(),
        ]),
        pin: secret(),
        /** The keystore always takes the paired e-ID (the key lives there); the OS store optionally. */
        targets: z.object({ keystore: z.literal(true), osStore: z.boolean() }).strict(),
        label: z.string().max(120).optional(),
        /** The key the user chose from p12:inspect's `pairable`; without it main picks (a request before an e-ID). */
        target: z.object({ kind: z.enum(['request', 'entry']), id: keystoreIdSchema }).strict().optional(),
      })
      .strict(),
    response: z.object({
      entryId: keystoreIdSchema,
      holder: z.string(),
      identity: identitySchema.nullable(),
      notAfter: z.string(),
      fingerprintSha256: z.string(),
      /** A key request became this e-ID (and is gone); false for a renewal of an e-ID's key. */
      replacedRequest: z.boolean(),
      /** The key request that became this e-ID, if one did. */
      requestId: keystoreIdSchema.nullable(),
      /** The e-ID whose key the certificate renews, if so. */
      renewalOf: keystoreIdSchema.nullable(),
      osStore: z.object({ kind: osStoreKindSchema, location: z.string(), reference: z.string() }).nullable(),
      /** Older certificates of the same identity in the OS store (offered for removal via os-store:remove). */
      older: z.array(olderCertificateSchema),
    }),
  },
  /** This computer's certificate store: which kind, where, and whether its tools are there. */
  'os-store:info': { request: empty, response: osStoreInfoSchema },
  /**
   * Older certificates of the same identity in the OS store (seed 003: "remove the old one"), with
   * a preview of what removal does. Asked about a keystore entry, a fingerprint (keystore or
   * store), or a certificate not yet installed (base64 DER, e.g. the leaf of a file being imported).
   */
  'os-store:older': {
    request: z.union([
      z.object({ id: keystoreIdSchema }).strict(),
      z.object({ fingerprint: fingerprintSchema }).strict(),
      z.object({ certificate: base64(64 * 1024).min(4) }).strict(),
    ]),
    response: osStoreInfoSchema.extend({ older: z.array(olderCertificateSchema) }),
  },
  /** Removes one certificate (and its private key, if the store holds it) from the OS store. */
  'os-store:remove': {
    request: z.object({ fingerprint: fingerprintSchema }).strict(),
    response: z.object({ removed: z.string() }),
  },
} as const satisfies Record<string, ChannelDef>;

/** PKCS#12 and keystore events. */
export const fileEvents = {} as const satisfies Record<string, z.ZodType>;
