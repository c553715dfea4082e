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
 *
 * Key requests (`<id>.req`, a second record kind, added for orders made with a CSR): the same
 * container, byte for byte, with its own magic `89 'E' 'I' 'D' 'K' 'R' 0D 0A` and its own
 * version 1. The bound part holds the public key, the CSR and the subject instead of a
 * certificate chain; the meta part holds the label. A new magic rather than a new entry version
 * because nothing changed for entries: entry files stay version 1 and are read and rewritten
 * exactly as before (no migration, and rewriting keeps their AAD, which covers the version), an
 * older eID Desk never lists a `.req` file (it only reads `.eid`), and a request file handed to
 * the entry reader is "not a keystore entry", not "a newer version".
 */
import { createHash } from 'node:crypto';
import { EidError } from '../errors';

/** File magic. */
export const MAGIC = Buffer.from([0x89, 0x45, 0x49, 0x44, 0x4b, 0x53, 0x0d, 0x0a]);
/** Magic of key-request files: the entry magic with 'R' (request) for 'S' (store). */
export const REQUEST_MAGIC = Buffer.from([0x89, 0x45, 0x49, 0x44, 0x4b, 0x52, 0x0d, 0x0a]);
/** The version of key-request files this code writes and reads. */
export const REQUEST_FORMAT_VERSION = 1;
/** File name suffix of key requests. */
export const REQUEST_SUFFIX = '.req';
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

/** Key algorithms a request can be made for (RSA for most CAs and Vero, P-256 where accepted). */
export type RequestAlgorithm = 'rsa2048' | 'rsa3072' | 'ec-p256';
/** The allowed request algorithms, for validation. */
export const REQUEST_ALGORITHMS: readonly RequestAlgorithm[] = ['rsa2048', 'rsa3072', 'ec-p256'];

/** The authenticated public part of a key request. */
export interface RequestBoundPart {
  /** The first 16 hex digits of the SHA-256 of `spki`. */
  id: string;
  kind: 'key-request';
  /** Base64 DER SubjectPublicKeyInfo, as Node exports it (the form pairing compares). */
  spki: string;
  /** SHA-256 of the SPKI, colon-separated upper-case hex. */
  spkiFingerprint: string;
  /** Base64 DER PKCS#10 request, signed by the key (public: it can be handed out again). */
  csr: string;
  /** RFC 4514 form of the subject, most specific first. */
  subjectDn: string;
  algorithm: RequestAlgorithm;
  /** 'rsa-2048', 'ec-P-256', as entries name it. */
  keyAlgorithm: string;
  createdAt: string;
  kdf: { name: 'scrypt'; salt: string } & ScryptParams;
  cipher: 'aes-256-gcm';
}

/** The mutable public part of a key request. */
export interface RequestMetaPart {
  label: string;
}

/** A decoded key-request file. */
export interface RequestFile {
  bound: RequestBoundPart;
  /** The exact bytes authenticated as AAD: request magic, version, bound length and bound JSON. */
  aad: Buffer;
  meta: RequestMetaPart;
  layer: LayerKind;
  privateBlob: Buffer;
}

/** A decoded entry file. */
export interface EntryFile {
  bound: BoundPart;
  /** The exact bytes authenticated as AAD: magic, version, bound length and bound JSON. */
  aad: Buffer;
  meta: MetaPart;
  layer: LayerKind;
  privateBlob: Buffer;
}

/** The two record kinds share one container; only magic, version and the JSON parts differ. */
interface Kind {
  magic: Buffer;
  version: number;
}
const ENTRY_KIND: Kind = { magic: MAGIC, version: FORMAT_VERSION };
const REQUEST_KIND: Kind = { magic: REQUEST_MAGIC, version: REQUEST_FORMAT_VERSION };

function head(kind: Kind): Buffer {
  const h = Buffer.alloc(10);
  kind.magic.copy(h, 0);
  h.writeUInt16BE(kind.version, 8);
  return h;
}

function encodeContainer(kind: Kind, boundJson: Buffer, metaJson: Buffer, layer: LayerKind, privateBlob: Buffer): Buffer {
  const body = Buffer.concat([head(kind), u32(boundJson.length), boundJson, u32(metaJson.length), metaJson, Buffer.from([layer]), u32(privateBlob.length), privateBlob]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Encodes an entry file. `boundJson` is passed through untouched when it already exists. */
export function encodeEntryFile(boundJson: Buffer, meta: MetaPart, layer: LayerKind, privateBlob: Buffer): Buffer {
  return encodeContainer(ENTRY_KIND, boundJson, Buffer.from(JSON.stringify(meta), 'utf8'), layer, privateBlob);
}

/** The AAD for a bound part about to be written (same bytes `decodeEntryFile` returns). */
export function aadFor(boundJson: Buffer): Buffer {
  return Buffer.concat([head(ENTRY_KIND), u32(boundJson.length), boundJson]);
}

/** Serialises the bound part (once, at add time; later writes reuse the stored bytes). */
export function encodeBound(bound: BoundPart): Buffer {
  return Buffer.from(JSON.stringify(bound), 'utf8');
}

/** Encodes a key-request file (same container as entries, request magic). */
export function encodeRequestFile(boundJson: Buffer, meta: RequestMetaPart, layer: LayerKind, privateBlob: Buffer): Buffer {
  return encodeContainer(REQUEST_KIND, boundJson, Buffer.from(JSON.stringify(meta), 'utf8'), layer, privateBlob);
}

/** The AAD of a key request about to be written (same bytes `decodeRequestFile` returns). */
export function requestAadFor(boundJson: Buffer): Buffer {
  return Buffer.concat([head(REQUEST_KIND), u32(boundJson.length), boundJson]);
}

/** Serialises a request's bound part (once, when the request is made). */
export function encodeRequestBound(bound: RequestBoundPart): Buffer {
  return Buffer.from(JSON.stringify(bound), 'utf8');
}

/** The first 16 hex digits of SHA-256(spki): a request's id, fixed by its key. */
export function requestIdFor(spki: Buffer): string {
  return createHash('sha256').update(spki).digest('hex').slice(0, 16);
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

function corruptRequest(what: string, id?: string): EidError {
  return new EidError(
    'keystore-corrupt',
    `A key request in the keystore is damaged (${what}). The e-IDs and other requests are not affected; delete this request and make a new one.`,
    id ? { id } : undefined,
  );
}

interface Container {
  boundJson: Buffer;
  aad: Buffer;
  metaJson: Buffer;
  layer: LayerKind;
  privateBlob: Buffer;
}

/** Splits and checks a container; `fail` makes the kind-specific error. Magic and version are checked by the caller. */
function decodeContainer(buf: Buffer, fail: (what: string) => EidError): Container {
  if (buf.length > MAX_ENTRY_FILE_BYTES) throw fail('file too large');
  if (buf.length < 10 + 4 + 4 + 1 + 4 + 32) throw fail('truncated');
  const body = buf.subarray(0, buf.length - 32);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(buf.length - 32))) throw fail('checksum mismatch');
  let pos = 10;
  const take = (what: string): Buffer => {
    if (pos + 4 > body.length) throw fail(`truncated ${what}`);
    const len = body.readUInt32BE(pos);
    pos += 4;
    if (pos + len > body.length) throw fail(`truncated ${what}`);
    const out = body.subarray(pos, pos + len);
    pos += len;
    return out;
  };
  const boundJson = take('public part');
  const aad = body.subarray(0, pos);
  const metaJson = take('label part');
  if (pos + 1 > body.length) throw fail('truncated layer');
  const layer = body[pos++];
  if (layer !== Layer.PIN_ONLY && layer !== Layer.PIN_AND_OS) throw fail(`unknown protection layer ${layer}`);
  const privateBlob = take('private part');
  if (pos !== body.length) throw fail('trailing bytes');
  return { boundJson, aad: Buffer.from(aad), metaJson, layer, privateBlob: Buffer.from(privateBlob) };
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
  const c = decodeContainer(buf, (what) => corrupt(what, expectedId));
  const bound = parseBound(c.boundJson, expectedId);
  const meta = parseMeta(c.metaJson, expectedId);
  return { bound, aad: c.aad, meta, layer: c.layer, privateBlob: c.privateBlob };
}

/**
 * Decodes and checks a key-request file, like decodeEntryFile: 'keystore-corrupt' for anything
 * wrong, an unknown version named, an id that does not match the file name or the key refused.
 */
export function decodeRequestFile(buf: Buffer, expectedId?: string): RequestFile {
  if (buf.length < REQUEST_MAGIC.length + 2 || !buf.subarray(0, REQUEST_MAGIC.length).equals(REQUEST_MAGIC)) throw corruptRequest('not a key request file', expectedId);
  const version = buf.readUInt16BE(8);
  if (version !== REQUEST_FORMAT_VERSION) {
    throw new EidError(
      'keystore-corrupt',
      `This key request has format version ${version}, which this version of eID Desk cannot read (it reads version ${REQUEST_FORMAT_VERSION}). Update eID Desk; the file has been left untouched.`,
      { version, ...(expectedId ? { id: expectedId } : {}) },
    );
  }
  const c = decodeContainer(buf, (what) => corruptRequest(what, expectedId));
  const bound = parseRequestBound(c.boundJson, expectedId);
  const o = parseJson(c.metaJson, 'label part', expectedId, corruptRequest);
  if (!isStr(o.label)) throw corruptRequest('label part has missing or wrong fields', expectedId);
  return { bound, aad: c.aad, meta: { label: o.label }, layer: c.layer, privateBlob: c.privateBlob };
}

function parseJson(b: Buffer, what: string, id?: string, fail: (what: string, id?: string) => EidError = corrupt): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(b.toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw fail(`unreadable ${what}`, id);
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

const isKdf = (kdf: Record<string, unknown> | undefined): boolean =>
  !!kdf && kdf.name === 'scrypt' && isStr(kdf.salt) && isPosInt(kdf.N) && isPosInt(kdf.r) && isPosInt(kdf.p);

function parseRequestBound(b: Buffer, id?: string): RequestBoundPart {
  const o = parseJson(b, 'public part', id, corruptRequest);
  const ok =
    isStr(o.id) &&
    ID_RE.test(o.id) &&
    o.kind === 'key-request' &&
    isStr(o.spki) &&
    o.spki.length > 0 &&
    isStr(o.spkiFingerprint) &&
    isStr(o.csr) &&
    o.csr.length > 0 &&
    isStr(o.subjectDn) &&
    REQUEST_ALGORITHMS.includes(o.algorithm as RequestAlgorithm) &&
    isStr(o.keyAlgorithm) &&
    isStr(o.createdAt) &&
    o.cipher === 'aes-256-gcm' &&
    isKdf(o.kdf as Record<string, unknown> | undefined);
  if (!ok) throw corruptRequest('public part has missing or wrong fields', id);
  // The id is fixed by the key: a file renamed or edited to pose as another request is refused.
  if (requestIdFor(Buffer.from(o.spki as string, 'base64')) !== o.id) throw corruptRequest('the id does not belong to the key', id);
  if (id !== undefined && o.id !== id) throw corruptRequest('the file name and the id inside differ', id);
  return o as unknown as RequestBoundPart;
}
