/**
 * The on-disk format of one keystore entry (`<id>.eid`), version 1.
 *
 * ```
 *  magic      8 bytes   89 'E' 'I' 'D' 'K' 'S' 0D 0A   (the 0D 0A catches text-mode mangling)
 *  version    u16 BE    1
 *  bound      u32 BE length + UTF-8 JSON   public, immutable part; authenticated as GCM AAD
 *  meta       u32 BE length + UTF-8 JSON   public, mutable part (label, OS-store installs)
 *  layer      u8        0 = PIN only, 1 = PIN + OS protector (safeStorage) around the private part
 *  private    u32 BE length + bytes        the encrypted private key (see keystore.ts)
 *  checksum   32 bytes  SHA-256 of everything before it
 * ```
 *
 * Why this shape:
 * - The public part is readable without the PIN, so the list and details views never ask for it.
 * - The "bound" part (id, certificate chain, what is shown about the holder, KDF parameters) is
 *   the AAD of the AES-GCM encryption: replacing the certificates of an entry, or moving a file to
 *   another id, is detected when the key is unlocked. The bytes are kept exactly as read, so the
 *   AAD never depends on how JSON is re-serialised.
 * - The "meta" part (label, install records) can change without the PIN; nothing in it is trusted.
 * - The checksum makes an accidentally damaged file fail fast on open, before the KDF runs, and
 *   lets list() set it aside instead of showing garbage. (It is not a security check: the GCM tag
 *   is.)
 * - Unknown versions are refused with 'keystore-corrupt' and say that a newer eID Desk wrote them;
 *   the file is never rewritten by a version that does not understand it.
 */
import { createHash } from 'node:crypto';
import { EidError } from '../errors';

/** File magic. */
export const MAGIC = Buffer.from([0x89, 0x45, 0x49, 0x44, 0x4b, 0x53, 0x0d, 0x0a]);
/** The one version this code writes and reads. */
export const FORMAT_VERSION = 1;
/** Files beyond this size are not keystore entries (a chain of a few certificates is ~10 kB). */
export const MAX_ENTRY_FILE_BYTES = 1024 * 1024;
/** File name suffix of entries. */
export const ENTRY_SUFFIX = '.eid';
/** Entry ids: the first 16 hex digits of the SHA-256 of the leaf certificate. */
export const ID_RE = /^[0-9a-f]{16}$/;

/** Where an e-ID in the keystore came from. */
export type EntrySource = 'pkcs12-file' | 'order-portal' | 'csr-pairing';
/** The allowed sources, for validation. */
export const ENTRY_SOURCES: readonly EntrySource[] = ['pkcs12-file', 'order-portal', 'csr-pairing'];

/** The OS stores an e-ID can be installed into. */
export type OsStoreKind = 'windows-my' | 'macos-keychain' | 'nss';

/** A record that an entry was installed into an OS store (informational; the store is the truth). */
export interface InstallRecord {
  kind: OsStoreKind;
  /** Where: the NSS directory, the keychain path, 'CurrentUser\\My'. */
  location: string;
  /** The store's name for it (NSS nickname, Windows thumbprint, keychain label), if any. */
  reference: string | null;
  installedAt: string;
}

/** scrypt parameters, stored per entry so the cost can be raised later without breaking old files. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** The authenticated public part. */
export interface BoundPart {
  id: string;
  /** SHA-256 fingerprint of chain[0], colon-separated upper-case hex (as CertificateInfo has it). */
  fingerprintSha256: string;
  /** Base64 DER certificates, leaf first. */
  chain: string[];
  holder: string;
  organisation: string | null;
  identityNumber: string | null;
  identityKind: string | null;
  notBefore: string;
  notAfter: string;
  /** 'rsa-2048', 'ec-P-256', 'ed25519'... */
  keyAlgorithm: string;
  createdAt: string;
  source: EntrySource;
  kdf: { name: 'scrypt'; salt: string } & ScryptParams;
  cipher: 'aes-256-gcm';
}

/** The mutable public part. */
export interface MetaPart {
  label: string;
  installs: InstallRecord[];
}

/** Private layer kinds. */
export const Layer = { PIN_ONLY: 0, PIN_AND_OS: 1 } as const;
export type LayerKind = (typeof Layer)[keyof typeof Layer];

/** A decoded entry file. */
export interface EntryFile {
  bound: BoundPart;
  /** The exact bytes authenticated as AAD: magic, version, bound length and bound JSON. */
  aad: Buffer;
  meta: MetaPart;
  layer: LayerKind;
  privateBlob: Buffer;
}

/** Encodes an entry file. `boundJson` is passed through untouched when it already exists. */
export function encodeEntryFile(boundJson: Buffer, meta: MetaPart, layer: LayerKind, privateBlob: Buffer): Buffer {
  const head = Buffer.alloc(10);
  MAGIC.copy(head, 0);
  head.writeUInt16BE(FORMAT_VERSION, 8);
  const metaJson = Buffer.from(JSON.stringify(meta), 'utf8');
  const body = Buffer.concat([head, u32(boundJson.length), boundJson, u32(metaJson.length), metaJson, Buffer.from([layer]), u32(privateBlob.length), privateBlob]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** The AAD for a bound part about to be written (same bytes `decodeEntryFile` returns). */
export function aadFor(boundJson: Buffer): Buffer {
  const head = Buffer.alloc(10);
  MAGIC.copy(head, 0);
  head.writeUInt16BE(FORMAT_VERSION, 8);
  return Buffer.concat([head, u32(boundJson.length), boundJson]);
}

/** Serialises the bound part (once, at add time; later writes reuse the stored bytes). */
export function encodeBound(bound: BoundPart): Buffer {
  return Buffer.from(JSON.stringify(bound), 'utf8');
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function corrupt(what: string, id?: string): EidError {
  return new EidError(
    'keystore-corrupt',
    `A keystore file is damaged (${what}). The other e-IDs are not affected; delete this one and import it again from its file.`,
    id ? { id } : undefined,
  );
}

/**
 * Decodes and checks an entry file. Throws 'keystore-corrupt' for anything wrong, including an
 * unknown version (with a message saying a newer eID Desk made it) and an id that does not match
 * the file name.
 */
export function decodeEntryFile(buf: Buffer, expectedId?: string): EntryFile {
  if (buf.length < MAGIC.length + 2 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt('not a keystore file', expectedId);
  const version = buf.readUInt16BE(8);
  if (version !== FORMAT_VERSION) {
    throw new EidError(
      'keystore-corrupt',
      `This keystore entry has format version ${version}, which this version of eID Desk cannot read (it reads version ${FORMAT_VERSION}). Update eID Desk; the file has been left untouched.`,
      { version, ...(expectedId ? { id: expectedId } : {}) },
    );
  }
  if (buf.length > MAX_ENTRY_FILE_BYTES) throw corrupt('file too large', expectedId);
  if (buf.length < 10 + 4 + 4 + 1 + 4 + 32) throw corrupt('truncated', expectedId);
  const body = buf.subarray(0, buf.length - 32);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(buf.length - 32))) throw corrupt('checksum mismatch', expectedId);
  let pos = 10;
  const take = (what: string): Buffer => {
    if (pos + 4 > body.length) throw corrupt(`truncated ${what}`, expectedId);
    const len = body.readUInt32BE(pos);
    pos += 4;
    if (pos + len > body.length) throw corrupt(`truncated ${what}`, expectedId);
    const out = body.subarray(pos, pos + len);
    pos += len;
    return out;
  };
  const boundJson = take('public part');
  const aad = body.subarray(0, pos);
  const metaJson = take('label part');
  if (pos + 1 > body.length) throw corrupt('truncated layer', expectedId);
  const layer = body[pos++];
  if (layer !== Layer.PIN_ONLY && layer !== Layer.PIN_AND_OS) throw corrupt(`unknown protection layer ${layer}`, expectedId);
  const privateBlob = take('private part');
  if (pos !== body.length) throw corrupt('trailing bytes', expectedId);
  const bound = parseBound(boundJson, expectedId);
  const meta = parseMeta(metaJson, expectedId);
  return { bound, aad: Buffer.from(aad), meta, layer, privateBlob: Buffer.from(privateBlob) };
}

function parseJson(b: Buffer, what: string, id?: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(b.toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw corrupt(`unreadable ${what}`, id);
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

function parseBound(b: Buffer, id?: string): BoundPart {
  const o = parseJson(b, 'public part', id);
  const kdf = o.kdf as Record<string, unknown> | undefined;
  const ok =
    isStr(o.id) &&
    ID_RE.test(o.id) &&
    isStr(o.fingerprintSha256) &&
    Array.isArray(o.chain) &&
    o.chain.length > 0 &&
    o.chain.every(isStr) &&
    isStr(o.holder) &&
    isStrOrNull(o.organisation) &&
    isStrOrNull(o.identityNumber) &&
    isStrOrNull(o.identityKind) &&
    isStr(o.notBefore) &&
    isStr(o.notAfter) &&
    isStr(o.keyAlgorithm) &&
    isStr(o.createdAt) &&
    ENTRY_SOURCES.includes(o.source as EntrySource) &&
    o.cipher === 'aes-256-gcm' &&
    !!kdf &&
    kdf.name === 'scrypt' &&
    isStr(kdf.salt) &&
    isPosInt(kdf.N) &&
    isPosInt(kdf.r) &&
    isPosInt(kdf.p);
  if (!ok) throw corrupt('public part has missing or wrong fields', id);
  if (id !== undefined && o.id !== id) throw corrupt('the file name and the id inside differ', id);
  return o as unknown as BoundPart;
}

function parseMeta(b: Buffer, id?: string): MetaPart {
  const o = parseJson(b, 'label part', id);
  if (!isStr(o.label) || !Array.isArray(o.installs)) throw corrupt('label part has missing or wrong fields', id);
  const installs: InstallRecord[] = [];
  for (const r of o.installs as unknown[]) {
    const rec = r as Record<string, unknown>;
    if (rec && isStr(rec.kind) && isStr(rec.location) && isStrOrNull(rec.reference) && isStr(rec.installedAt)) {
      installs.push({ kind: rec.kind as OsStoreKind, location: rec.location, reference: rec.reference, installedAt: rec.installedAt });
    }
  }
  return { label: o.label, installs };
}
