/**
 * The keystore: e-IDs on file, kept encrypted under a PIN the user chooses.
 *
 * Layout: one file per e-ID, `<id>.eid` (format.ts), plus a small wrong-PIN sidecar `<id>.pin`
 * (throttle.ts). One file per e-ID, each replaced atomically, is the simplest thing that is
 * crash-safe: no index can disagree with the entries (the directory listing *is* the index), a
 * crash can only affect the one e-ID being written (and even that one is either fully old or
 * fully new), and a damaged file takes only itself out of the list. A single store file would
 * put every e-ID at risk on every write and need a journal to avoid that.
 *
 * Protection of the private key, innermost first:
 * 1. AES-256-GCM under a key derived from the keystore PIN with scrypt (N=2^17, r=8, p=1, the
 *    OWASP minimum for scrypt: 128 MiB, and 0.35 s (Node 22) to 0.38 s (Node 20) per derivation
 *    on an idle 2-core Xeon build machine, ~0.5 s when it is busy; measure with
 *    `npx node test/helpers/keystore-kdf-time.ts`). It runs once per unlock, add or PIN change,
 *    never per signature. The public part is bound as AAD, so swapping certificates is detected.
 * 2. When a SecretProtector is available (Electron's safeStorage in the app: DPAPI, Keychain,
 *    libsecret), the encrypted blob is wrapped once more, so a copied file cannot even be guessed
 *    at offline without the user's OS login. It is an extra layer, never the only one: without it
 *    (the CLI, a Linux box without a keyring) the PIN layer alone stands. An entry written
 *    without it is upgraded the next time it is unlocked where it is available.
 *
 * The private key never leaves this module as bytes: `unlock` returns a handle that can sign,
 * and OS-store installers get the key through `installToOsStore`, which hands it to the
 * installer and wipes it. There is no export, by design and by test.
 *
 * Key requests (orders made with a CSR, seed 003; seed 002's technical-interface certificate):
 * `createRequest` makes a key pair here and keeps the private key in `<id>.req`, encrypted
 * exactly like an entry (same KDF, AEAD with the public part as AAD, OS layer, atomic write,
 * PIN rules, throttling in `<id>.req.pin`), and hands out only the signed CSR. When the
 * certificate arrives, `pair` turns the request into an ordinary entry (source 'csr-pairing').
 * The key must never be lost on the way, so the order is: write the entry (atomic, durable) and
 * read it back, then remove the request. A crash in between leaves both, and the next open
 * removes a request whose key an entry already holds. `pair` also accepts a renewal issued for
 * the key of an existing entry: the new certificate becomes a new entry, the old one stays.
 */
import {
  constants as cryptoConstants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  scrypt,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { EidError } from '../errors';
import { actsAsCA, colonHex, parseCertificate, validityState, type CertificateInfo, type ParsedCertificate } from '../pki/certificate';
import { buildChain } from '../pki/chain';
import { parseCsr, toPem } from '../pki/csr';
import { isTempFile, removeFileDurably, sweepTempFiles, writeFileAtomic } from './atomic-file';
import {
  ENTRY_SOURCES,
  ENTRY_SUFFIX,
  ID_RE,
  Layer,
  MAX_ENTRY_FILE_BYTES,
  REQUEST_SUFFIX,
  aadFor,
  decodeEntryFile,
  decodeRequestFile,
  encodeBound,
  encodeEntryFile,
  encodeRequestBound,
  encodeRequestFile,
  requestAadFor,
  requestIdFor,
  type BoundPart,
  type EntryFile,
  type EntrySource,
  type InstallRecord,
  type LayerKind,
  type MetaPart,
  type RequestAlgorithm,
  type RequestBoundPart,
  type RequestFile,
  type ScryptParams,
} from './format';
import { assertRequestAlgorithm, generateRequestKeyPair, requestSubject, signedRequest } from './requests';
import { assertPinAcceptable, normalisePin } from './pin-rules';
import {
  NO_FAILURES,
  assertAttemptAllowed,
  readThrottleState,
  recordFailure,
  retryAfterSeconds,
  writeThrottleState,
  wrongPinError,
} from './throttle';
import type { InstalledCert, OsStoreInstaller } from './os-store/types';

/**
 * A second, OS-bound layer around the encrypted private key. In the app it is backed by
 * Electron's safeStorage (wired in main/app); in plain Node it is absent.
 */
export interface SecretProtector {
  available(): boolean;
  protect(plain: Buffer): Buffer;
  unprotect(wrapped: Buffer): Buffer;
}

/** Construction options. `clock` and `kdf` exist for tests; production passes only dir and protector. */
export interface KeystoreOptions {
  dir: string;
  protector?: SecretProtector;
  /** Milliseconds since the epoch; drives createdAt and PIN throttling. */
  clock?: () => number;
  /** scrypt cost for new entries. Lower only in tests: real entries use DEFAULT_SCRYPT. */
  kdf?: Partial<ScryptParams>;
}

/** The KDF cost of new entries: ~0.35-0.4 s, 128 MiB (see the module comment). */
export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

/**
 * Bounds on KDF parameters read from a file: a hostile or damaged file must not make us spend
 * gigabytes or minutes. The upper bound is 8x today's cost, leaving room to raise the default.
 */
const KDF_BOUNDS = { minN: 2 ** 10, maxN: 2 ** 20, maxR: 16, maxP: 4, maxWork: 2 ** 20 * 8 };

/** What goes into the keystore: a key and its certificate chain, already decoded. */
export interface AddInput {
  /** DER PrivateKeyInfo. */
  pkcs8: Buffer;
  /** DER certificates, leaf first; the leaf must carry the key's public key. */
  chain: Buffer[];
  /** Shown in lists; defaults to the holder's name. */
  label?: string;
  source: EntrySource;
}

/** The public view of one e-ID in the keystore (readable without the PIN). */
export interface KeystoreEntry {
  id: string;
  label: string;
  holder: string;
  organisation: string | null;
  identityNumber: string | null;
  identityKind: string | null;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  keyAlgorithm: string;
  createdAt: string;
  source: EntrySource;
  installs: InstallRecord[];
  /** Whether the OS layer (safeStorage) protects this entry too. */
  protectedByOs: boolean;
  /** DER certificates, leaf first. */
  chain: Buffer[];
}

/** An entry file that could not be read, so the UI can offer to delete it. */
export interface DamagedEntry {
  id: string;
  file: string;
  code: string;
  message: string;
}

/** Wrong-PIN status of one e-ID. */
export interface PinStatus {
  attempts: number;
  retryAfterSeconds: number;
}

/** Signature algorithms the handle offers. RSA: PKCS#1 v1.5 or PSS; EC: ECDSA (DER); Ed25519 ignores the hash. */
export type SignatureAlgorithm = 'sha256' | 'sha384' | 'sha512' | 'rsa-pss-sha256' | 'rsa-pss-sha384' | 'rsa-pss-sha512';

/** Result of the "test function" (seed 003): sign a random challenge, verify with the certificate. */
export interface SelfTestResult {
  ok: boolean;
  algorithm: SignatureAlgorithm;
  keyAlgorithm: string;
}

/**
 * An unlocked e-ID. It signs; it never reveals the key. `lock()` drops the key object; the handle
 * is useless afterwards.
 */
export interface UnlockedEid {
  readonly id: string;
  readonly entry: KeystoreEntry;
  sign(data: Buffer, algorithm?: SignatureAlgorithm): Buffer;
  selfTest(): SelfTestResult;
  lock(): void;
}

/** What a key request is made from. */
export interface RequestInput {
  alg: RequestAlgorithm;
  /** The subject as a DN, `CN=...,O=...,C=FI` or `/C=FI/O=.../CN=...` (checked by requestSubject). */
  subject: string;
  /** Shown in lists; defaults to the CN. */
  label?: string;
}

/** The public view of a key request (readable without the PIN). The key itself never appears. */
export interface KeystoreRequest {
  id: string;
  label: string;
  /** RFC 4514, most specific first, as the CSR carries it. */
  subjectDn: string;
  algorithm: RequestAlgorithm;
  keyAlgorithm: string;
  createdAt: string;
  /** SHA-256 of the SubjectPublicKeyInfo, AB:CD:... (what the CA's certificate will carry). */
  spkiFingerprint: string;
  /** The signed PKCS#10 request, DER (public: it may be sent to the CA again). */
  csr: Buffer;
  csrPem: string;
  protectedByOs: boolean;
}

/** Options for `pair`. */
export interface PairOptions {
  /** Label of the new entry; default: the request's label, or the renewed entry's. */
  label?: string;
  /**
   * The key the user chose (from `pairable`): only this request or entry is considered. Without
   * it, a request wins over an entry; with two entries holding one key the user must choose.
   */
  target?: { kind: 'request' | 'entry'; id: string };
  /**
   * Runs once the new entry is durably stored and before the request is removed (the bridge
   * installs into the OS store here). If it throws, the new entry is removed again, the request
   * or the renewed entry stays as it was, and the error is rethrown: all or nothing.
   */
  beforeCommit?: (entry: KeystoreEntry) => Promise<void>;
}

/** What `pair` did. */
export interface PairResult {
  entryId: string;
  entry: KeystoreEntry;
  /** A key request became this entry and is gone. False for a renewal of an entry's key. */
  replacedRequest: boolean;
  requestId: string | null;
  /** The entry whose key the certificate was issued for again (a renewal), if so. */
  renewalOf: string | null;
}

/** A request or entry holding the key of a certificate (public data; no PIN needed). */
export interface PairableMatch {
  kind: 'request' | 'entry';
  id: string;
  label: string;
}

// ---------------------------------------------------------------------------------------------
// Key derivation and the private envelope (module-private on purpose: nothing here is exported).

interface DerivedKeys {
  enc: Buffer;
  verifier: Buffer;
}

const VERIFIER_LABEL = Buffer.from('eiddesk keystore pin check v1');
const VERIFIER_LEN = 16;
const IV_LEN = 12;
const TAG_LEN = 16;

function checkKdfBounds(p: ScryptParams, id?: string): void {
  const powerOfTwo = (p.N & (p.N - 1)) === 0;
  if (!powerOfTwo || p.N < KDF_BOUNDS.minN || p.N > KDF_BOUNDS.maxN || p.r > KDF_BOUNDS.maxR || p.p > KDF_BOUNDS.maxP || p.N * p.r * p.p > KDF_BOUNDS.maxWork) {
    throw new EidError('keystore-corrupt', 'A keystore file asks for key-derivation settings outside the allowed range; it is damaged or was not made by eID Desk. Delete it and import the e-ID again.', id ? { id } : undefined);
  }
}

function deriveKeys(pin: string, salt: Buffer, p: ScryptParams): Promise<DerivedKeys> {
  const secret = Buffer.from(normalisePin(pin), 'utf8');
  return new Promise((resolve, reject) => {
    // Async scrypt runs on the libuv pool: the app's main process stays responsive meanwhile.
    scrypt(secret, salt, 64, { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r + 16 * 1024 * 1024 }, (err, out) => {
      secret.fill(0);
      if (err) return reject(new EidError('internal', 'Key derivation failed.', undefined, { cause: err }));
      const enc = Buffer.from(out.subarray(0, 32));
      const verifier = createHmac('sha256', out.subarray(32)).update(VERIFIER_LABEL).digest().subarray(0, VERIFIER_LEN);
      out.fill(0);
      resolve({ enc, verifier });
      return undefined;
    });
  });
}

/**
 * inner = verifier(16) | iv(12) | tag(16) | ciphertext. The verifier tells a wrong PIN apart from
 * a tampered file (GCM alone cannot); it gives an offline guesser nothing the GCM tag does not
 * already give, and sits inside the OS layer like the ciphertext.
 */
function seal(pkcs8: Buffer, keys: DerivedKeys, aad: Buffer): Buffer {
  const iv = randomBytes(IV_LEN);
  const cipher = createCipheriv('aes-256-gcm', keys.enc, iv);
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  return Buffer.concat([keys.verifier, iv, cipher.getAuthTag(), ct]);
}

type OpenResult = { ok: true; pkcs8: Buffer } | { ok: false; reason: 'wrong-pin' | 'tampered' };

function open(inner: Buffer, keys: DerivedKeys, aad: Buffer): OpenResult {
  if (inner.length < VERIFIER_LEN + IV_LEN + TAG_LEN + 1) return { ok: false, reason: 'tampered' };
  if (!timingSafeEqual(inner.subarray(0, VERIFIER_LEN), keys.verifier)) return { ok: false, reason: 'wrong-pin' };
  const iv = inner.subarray(VERIFIER_LEN, VERIFIER_LEN + IV_LEN);
  const tag = inner.subarray(VERIFIER_LEN + IV_LEN, VERIFIER_LEN + IV_LEN + TAG_LEN);
  try {
    const d = createDecipheriv('aes-256-gcm', keys.enc, iv);
    d.setAAD(aad);
    d.setAuthTag(tag);
    return { ok: true, pkcs8: Buffer.concat([d.update(inner.subarray(VERIFIER_LEN + IV_LEN + TAG_LEN)), d.final()]) };
  } catch {
    return { ok: false, reason: 'tampered' };
  }
}

function wipe(keys: DerivedKeys): void {
  keys.enc.fill(0);
  keys.verifier.fill(0);
}

// ---------------------------------------------------------------------------------------------
// Helpers

function keyAlgorithmName(key: KeyObject): string {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return `${key.asymmetricKeyType}-${d.modulusLength ?? '?'}`;
    case 'ec': {
      const names: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
      return `ec-${names[d.namedCurve ?? ''] ?? d.namedCurve ?? '?'}`;
    }
    default:
      return key.asymmetricKeyType ?? 'unknown';
  }
}

function spkiOf(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** A SubjectPublicKeyInfo as Node re-exports it, so encodings (EC point forms, NULL params) compare equal; null if unreadable. */
function normalSpki(spki: Buffer): Buffer | null {
  try {
    return createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' });
  } catch {
    return null;
  }
}

function spkiFingerprintOf(spki: Buffer): string {
  return colonHex(createHash('sha256').update(spki).digest());
}

/** Certificates may start a few minutes "in the future" when the CA's clock runs ahead of ours. */
const NOT_BEFORE_SKEW_MS = 5 * 60 * 1000;
/** Most certificates one pairing accepts (the certificate files are bounded the same way). */
const MAX_PAIR_CERTIFICATES = 32;

/** Wording of the shared decrypt path, per record kind (entries keep their original messages). */
interface RecordText {
  osUnavailable: string;
  osFailed: string;
  tampered: string;
}
const ENTRY_TEXT: RecordText = {
  osUnavailable: "This e-ID is also protected by your account's OS key store, which is not available here (for example in the command line). Open it in eID Desk.",
  osFailed: "The OS key store could not open this e-ID's protection. It may have been made under another user account or installation; import the e-ID again from its file.",
  tampered: 'This e-ID in the keystore has been altered or damaged (its certificate and key no longer belong together). Delete it and import it again from its file.',
};
const REQUEST_TEXT: RecordText = {
  osUnavailable: "This key request is also protected by your account's OS key store, which is not available here (for example in the command line). Pair the certificate in eID Desk.",
  osFailed: "The OS key store could not open this key request's protection. It may have been made under another user account or installation.",
  tampered: 'This key request in the keystore has been altered or damaged. Delete it and make a new request.',
};

function requestNotFound(id: string): EidError {
  return new EidError('not-found', 'There is no key request with this id in the keystore. List them with "eiddesk keystore requests".', { id });
}

function toRequest(file: RequestFile): KeystoreRequest {
  const b = file.bound;
  const csr = Buffer.from(b.csr, 'base64');
  return {
    id: b.id,
    label: file.meta.label,
    subjectDn: b.subjectDn,
    algorithm: b.algorithm,
    keyAlgorithm: b.keyAlgorithm,
    createdAt: b.createdAt,
    spkiFingerprint: b.spkiFingerprint,
    csr,
    csrPem: toPem(csr, 'CERTIFICATE REQUEST'),
    protectedByOs: file.layer === Layer.PIN_AND_OS,
  };
}

function noMatchingKey(leafInfo: CertificateInfo | null): EidError {
  const holder = leafInfo ? ` for "${leafInfo.subject.CN ?? leafInfo.subjectDn}"` : '';
  return new EidError(
    'no-matching-key',
    `No key in this keystore belongs to the certificate${holder}. The private key stays where the certificate request (CSR) was made: pair the certificate on that computer, in the same user account and keystore folder. If the request was deleted, the key is gone and the certificate must be ordered again.`,
    leafInfo ? { fingerprintSha256: leafInfo.fingerprintSha256 } : undefined,
  );
}

function cleanLabel(label: string): string {
  // eslint-disable-next-line no-control-regex
  return label.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
}

/** Entry ids: the first 16 hex digits of the certificate's SHA-256. */
function entryIdOf(info: Pick<CertificateInfo, 'fingerprintSha256'>): string {
  return info.fingerprintSha256.replace(/:/g, '').toLowerCase().slice(0, 16);
}

function notFound(id: string): EidError {
  return new EidError('not-found', 'There is no e-ID with this id in the keystore. List them with "eiddesk keystore list".', { id });
}

function toEntry(file: EntryFile): KeystoreEntry {
  const b = file.bound;
  return {
    id: b.id,
    label: file.meta.label,
    holder: b.holder,
    organisation: b.organisation,
    identityNumber: b.identityNumber,
    identityKind: b.identityKind,
    notBefore: b.notBefore,
    notAfter: b.notAfter,
    fingerprintSha256: b.fingerprintSha256,
    keyAlgorithm: b.keyAlgorithm,
    createdAt: b.createdAt,
    source: b.source,
    installs: file.meta.installs,
    protectedByOs: file.layer === Layer.PIN_AND_OS,
    chain: b.chain.map((c) => Buffer.from(c, 'base64')),
  };
}

/** The handle `unlock` returns. Not exported: callers see only the UnlockedEid interface. */
class UnlockedKey implements UnlockedEid {
  readonly id: string;
  readonly entry: KeystoreEntry;
  #key: KeyObject | null;

  constructor(entry: KeystoreEntry, key: KeyObject) {
    this.id = entry.id;
    this.entry = entry;
    this.#key = key;
  }

  sign(data: Buffer, algorithm: SignatureAlgorithm = 'sha256'): Buffer {
    const key = this.#key;
    if (!key) throw new EidError('keystore-locked', 'This e-ID has been locked again; unlock it with its PIN first.');
    const pss = algorithm.startsWith('rsa-pss-');
    const hash = pss ? algorithm.slice('rsa-pss-'.length) : algorithm;
    const type = key.asymmetricKeyType;
    if (type === 'ed25519' || type === 'ed448') {
      if (pss) throw new EidError('unsupported', `${algorithm} needs an RSA key; this e-ID has an ${type} key.`);
      return cryptoSign(null, data, key);
    }
    if (type === 'ec') {
      if (pss) throw new EidError('unsupported', `${algorithm} needs an RSA key; this e-ID has an EC key.`);
      return cryptoSign(hash, data, { key, dsaEncoding: 'der' });
    }
    if (type === 'rsa' || type === 'rsa-pss') {
      if (pss || type === 'rsa-pss') {
        return cryptoSign(hash, data, { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST });
      }
      return cryptoSign(hash, data, key);
    }
    throw new EidError('unsupported', `Signing with a ${type ?? 'unknown'} key is not supported.`);
  }

  selfTest(): SelfTestResult {
    const challenge = randomBytes(32);
    const algorithm: SignatureAlgorithm = 'sha256';
    const signature = this.sign(challenge, algorithm);
    const pub = new X509Certificate(this.entry.chain[0]).publicKey;
    let ok: boolean;
    if (pub.asymmetricKeyType === 'ed25519' || pub.asymmetricKeyType === 'ed448') ok = cryptoVerify(null, challenge, pub, signature);
    else if (pub.asymmetricKeyType === 'ec') ok = cryptoVerify('sha256', challenge, { key: pub, dsaEncoding: 'der' }, signature);
    else if (pub.asymmetricKeyType === 'rsa-pss') ok = cryptoVerify('sha256', challenge, { key: pub, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST }, signature);
    else ok = cryptoVerify('sha256', challenge, pub, signature);
    return { ok, algorithm, keyAlgorithm: this.entry.keyAlgorithm };
  }

  lock(): void {
    this.#key = null;
  }
}

// ---------------------------------------------------------------------------------------------

/** The keystore of e-IDs on file. Plain Node: the app, the CLI and tests all use this class. */
export class Keystore {
  /** The directory holding the entries. */
  readonly dir: string;
  readonly #protector: SecretProtector | undefined;
  readonly #clock: () => number;
  readonly #kdf: ScryptParams;
  #opened: Promise<void> | null = null;
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(options: KeystoreOptions) {
    this.dir = path.resolve(options.dir);
    this.#protector = options.protector;
    this.#clock = options.clock ?? Date.now;
    this.#kdf = { ...DEFAULT_SCRYPT, ...(options.kdf ?? {}) };
    checkKdfBounds(this.#kdf);
  }

  #entryPath(id: string): string {
    return path.join(this.dir, `${id}${ENTRY_SUFFIX}`);
  }

  #pinPath(id: string): string {
    return path.join(this.dir, `${id}.pin`);
  }

  #protectorReady(): SecretProtector | null {
    const p = this.#protector;
    try {
      return p && p.available() ? p : null;
    } catch {
      return null;
    }
  }

  /** Creates the directory (0700) and sweeps what a crashed writer left: temp files, orphan sidecars. */
  #open(): Promise<void> {
    this.#opened ??= (async () => {
      await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await sweepTempFiles(this.dir, this.#clock());
      const names = new Set(await fsp.readdir(this.dir));
      for (const name of names) {
        const m = /^([0-9a-f]{16})\.pin$/.exec(name);
        if (m && !names.has(`${m[1]}${ENTRY_SUFFIX}`)) await fsp.rm(path.join(this.dir, name), { force: true });
        const r = /^([0-9a-f]{16})\.req\.pin$/.exec(name);
        if (r && !names.has(`${r[1]}${REQUEST_SUFFIX}`)) await fsp.rm(path.join(this.dir, name), { force: true });
      }
      await this.#sweepPairedRequests(names);
    })().catch((err: unknown) => {
      this.#opened = null;
      throw err instanceof EidError ? err : new EidError('unavailable', `The keystore folder ${this.dir} cannot be opened or created. Check that it exists and that you may write to it.`, { dir: this.dir }, { cause: err });
    });
    return this.#opened;
  }

  /** Serialises operations on one entry within this process (cross-process: last writer wins, each write whole). */
  async #withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(id) === tail) this.#locks.delete(id);
    }
  }

  async #readFile(id: string): Promise<EntryFile> {
    if (!ID_RE.test(id)) throw notFound(id);
    let buf: Buffer;
    try {
      const fh = await fsp.open(this.#entryPath(id), 'r');
      try {
        const st = await fh.stat();
        if (st.size > MAX_ENTRY_FILE_BYTES) throw new EidError('keystore-corrupt', 'A keystore file is far too large to be an e-ID; delete it.', { id });
        buf = await fh.readFile();
      } finally {
        await fh.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(id);
      throw err;
    }
    return decodeEntryFile(buf, id);
  }

  async #ids(): Promise<string[]> {
    await this.#open();
    const ids: string[] = [];
    for (const name of await fsp.readdir(this.dir)) {
      if (isTempFile(name) || !name.endsWith(ENTRY_SUFFIX)) continue;
      const id = name.slice(0, -ENTRY_SUFFIX.length);
      if (ID_RE.test(id)) ids.push(id);
    }
    return ids.sort();
  }

  /** Every readable e-ID, sorted by label. Damaged files are left out (see `damaged()`). */
  async list(): Promise<KeystoreEntry[]> {
    const out: KeystoreEntry[] = [];
    for (const id of await this.#ids()) {
      try {
        out.push(toEntry(await this.#readFile(id)));
      } catch (err) {
        if (err instanceof EidError && (err.code === 'keystore-corrupt' || err.code === 'not-found')) continue;
        throw err;
      }
    }
    return out.sort((a, b) => a.label.localeCompare(b.label) || a.id.localeCompare(b.id));
  }

  /** Entry files that cannot be read, so the UI can say so and offer deletion. */
  async damaged(): Promise<DamagedEntry[]> {
    const out: DamagedEntry[] = [];
    for (const id of await this.#ids()) {
      try {
        await this.#readFile(id);
      } catch (err) {
        if (err instanceof EidError && err.code === 'keystore-corrupt') out.push({ id, file: this.#entryPath(id), code: err.code, message: err.message });
      }
    }
    return out;
  }

  /** The public part of one e-ID. */
  async get(id: string): Promise<KeystoreEntry> {
    await this.#open();
    return toEntry(await this.#readFile(id));
  }

  /**
   * Resolves an id typed by a person: the full id or a unique prefix of at least 4 characters
   * (as with git commits). Throws 'not-found', or 'validation' when the prefix is ambiguous.
   */
  async resolveId(idOrPrefix: string): Promise<string> {
    const want = idOrPrefix.trim().toLowerCase();
    const ids = await this.#ids();
    if (ids.includes(want)) return want;
    const matches = want.length >= 4 ? ids.filter((i) => i.startsWith(want)) : [];
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new EidError('validation', `The id '${want}' matches ${matches.length} e-IDs; type more of it.`, { id: want });
    throw notFound(want);
  }

  /** Wrong-PIN status, for "N attempts, wait M seconds" in the unlock dialog. */
  async pinStatus(id: string): Promise<PinStatus> {
    await this.get(id);
    const state = await readThrottleState(this.#pinPath(id));
    return { attempts: state.failures, retryAfterSeconds: retryAfterSeconds(state, this.#clock()) };
  }

  /**
   * Adds an e-ID. Checks the PIN against the rules, that the key belongs to chain[0]
   * ('key-mismatch'), and that this certificate is not already stored ('already-exists').
   * Resolves with the new id once the entry is durably on disk.
   */
  async add(input: AddInput, pin: string): Promise<string> {
    assertPinAcceptable(pin);
    if (!ENTRY_SOURCES.includes(input.source)) throw new EidError('validation', `Unknown source '${String(input.source)}'.`);
    if (!input.chain || input.chain.length === 0) throw new EidError('no-certificate', 'There is no certificate to store with the key. An e-ID needs its certificate.');
    const parsed: ParsedCertificate[] = input.chain.map((c, i) => {
      try {
        return parseCertificate(c);
      } catch (err) {
        throw new EidError('malformed', `Certificate ${i + 1} of the chain cannot be read.`, { index: i }, { cause: err });
      }
    });
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: input.pkcs8, format: 'der', type: 'pkcs8' });
    } catch (err) {
      throw new EidError('malformed', 'The private key cannot be read.', undefined, { cause: err });
    }
    const leaf = parsed[0];
    let certSpki: Buffer;
    try {
      certSpki = createPublicKey({ key: leaf.spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' });
    } catch (err) {
      throw new EidError('unsupported', "The certificate's public key type is not supported.", undefined, { cause: err });
    }
    if (!spkiOf(key).equals(certSpki)) {
      throw new EidError('key-mismatch', 'The private key does not belong to the certificate. Check that the file is the right one for this e-ID.');
    }
    const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
    await this.#open();
    return this.#storeEntry({ info: leaf.info, chain: input.chain, pkcs8, keyAlgorithm: keyAlgorithmName(key), label: input.label, source: input.source }, pin, false);
  }

  /**
   * Writes a new entry under its own lock and wipes `e.pkcs8` afterwards. With `verify`, the
   * file is read back and decrypted (with the keys just derived, no second KDF run) before
   * this resolves: pairing deletes the only other copy of the key next, so "written" must mean
   * "readable".
   */
  async #storeEntry(
    e: { info: CertificateInfo; chain: Buffer[]; pkcs8: Buffer; keyAlgorithm: string; label: string | undefined; source: EntrySource },
    pin: string,
    verify: boolean,
  ): Promise<string> {
    const { info, pkcs8 } = e;
    const id = entryIdOf(info);
    return this.#withLock(id, async () => {
      try {
        await fsp.lstat(this.#entryPath(id));
        pkcs8.fill(0);
        throw new EidError('already-exists', 'This e-ID is already in the keystore.', { id });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const salt = randomBytes(16);
      const keys = await deriveKeys(pin, salt, this.#kdf);
      try {
        const bound: BoundPart = {
          id,
          fingerprintSha256: info.fingerprintSha256,
          chain: e.chain.map((c) => Buffer.from(c).toString('base64')),
          holder: info.subject.CN ?? info.subject.O ?? info.subjectDn,
          organisation: info.subject.O ?? null,
          identityNumber: info.identity?.value ?? null,
          identityKind: info.identity?.kind ?? null,
          notBefore: info.notBefore,
          notAfter: info.notAfter,
          keyAlgorithm: e.keyAlgorithm,
          createdAt: new Date(this.#clock()).toISOString(),
          source: e.source,
          kdf: { name: 'scrypt', salt: salt.toString('base64'), ...this.#kdf },
          cipher: 'aes-256-gcm',
        };
        const boundJson = encodeBound(bound);
        const inner = seal(pkcs8, keys, aadFor(boundJson));
        const { layer, blob } = this.#wrap(inner);
        const label = cleanLabel(e.label ?? '') || cleanLabel(bound.holder) || 'e-ID';
        // A sidecar left by an earlier entry with this id (deleted, crash before sidecar removal).
        await fsp.rm(this.#pinPath(id), { force: true });
        try {
          await writeFileAtomic(this.#entryPath(id), encodeEntryFile(boundJson, { label, installs: [] }, layer, blob), { overwrite: false });
        } catch (err) {
          if (err instanceof EidError && err.code === 'already-exists') throw new EidError('already-exists', 'This e-ID is already in the keystore.', { id });
          throw err;
        }
        if (verify) await this.#verifyStored(id, keys, pkcs8);
        return id;
      } finally {
        wipe(keys);
        pkcs8.fill(0);
      }
    });
  }

  /** Reads a just-written entry back and checks that it decrypts to `pkcs8`; removes it and fails otherwise. */
  async #verifyStored(id: string, keys: DerivedKeys, pkcs8: Buffer): Promise<void> {
    let good = false;
    try {
      const file = await this.#readFile(id);
      const result = open(this.#unwrapLayer(file, id, ENTRY_TEXT), keys, file.aad);
      good = result.ok && result.pkcs8.equals(pkcs8);
      if (result.ok) result.pkcs8.fill(0);
    } catch {
      good = false;
    }
    if (!good) {
      await removeFileDurably(this.#entryPath(id)).catch(() => undefined);
      throw new EidError('internal', 'The new e-ID could not be read back after it was written, so it was not kept. Nothing else changed; try again, and check the disk if it happens again.', { id });
    }
  }

  #wrap(inner: Buffer): { layer: LayerKind; blob: Buffer } {
    const p = this.#protectorReady();
    if (!p) return { layer: Layer.PIN_ONLY, blob: inner };
    try {
      return { layer: Layer.PIN_AND_OS, blob: p.protect(inner) };
    } catch {
      // The OS layer failing must not block storing the e-ID: the PIN layer stands alone then.
      return { layer: Layer.PIN_ONLY, blob: inner };
    }
  }

  /**
   * The one place key bytes are decrypted. Throttled, counts wrong PINs, resets them on success.
   * Must run inside #withLock(id). The caller owns and wipes `pkcs8`.
   */
  async #decrypt(id: string, pin: string): Promise<{ file: EntryFile; keys: DerivedKeys; inner: Buffer; pkcs8: Buffer }> {
    await this.#open();
    const file = await this.#readFile(id);
    const opened = await this.#openSealed(file, file.bound.kdf, this.#pinPath(id), id, ENTRY_TEXT, pin);
    return { file, ...opened };
  }

  /** Removes the OS layer, if the record has one. */
  #unwrapLayer(record: { layer: LayerKind; privateBlob: Buffer }, id: string, text: RecordText): Buffer {
    if (record.layer !== Layer.PIN_AND_OS) return record.privateBlob;
    const p = this.#protectorReady();
    if (!p) throw new EidError('keystore-locked', text.osUnavailable, { id });
    try {
      return p.unprotect(record.privateBlob);
    } catch (err) {
      throw new EidError('keystore-locked', text.osFailed, { id }, { cause: err });
    }
  }

  /** Decrypts a sealed record (entry or request) with the PIN, throttled through `pinFile`. */
  async #openSealed(
    record: { layer: LayerKind; privateBlob: Buffer; aad: Buffer },
    kdf: ScryptParams & { salt: string },
    pinFile: string,
    id: string,
    text: RecordText,
    pin: string,
  ): Promise<{ keys: DerivedKeys; inner: Buffer; pkcs8: Buffer }> {
    const state = await readThrottleState(pinFile);
    assertAttemptAllowed(state, this.#clock());
    const inner = this.#unwrapLayer(record, id, text);
    checkKdfBounds(kdf, id);
    const keys = await deriveKeys(pin, Buffer.from(kdf.salt, 'base64'), kdf);
    const result = open(inner, keys, record.aad);
    if (!result.ok) {
      wipe(keys);
      if (result.reason === 'tampered') throw new EidError('keystore-corrupt', text.tampered, { id });
      const next = recordFailure(state, this.#clock());
      await writeThrottleState(pinFile, next);
      throw wrongPinError(next);
    }
    if (state.failures > 0) await writeThrottleState(pinFile, NO_FAILURES);
    return { keys, inner, pkcs8: result.pkcs8 };
  }

  /** Unlocks an e-ID with its PIN: a handle that signs. Wrong PINs: 'pin-incorrect', then 'throttled'. */
  async unlock(id: string, pin: string): Promise<UnlockedEid> {
    return this.#withLock(id, async () => {
      const { file, keys, inner, pkcs8 } = await this.#decrypt(id, pin);
      wipe(keys);
      try {
        const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
        if (file.layer === Layer.PIN_ONLY && this.#protectorReady()) await this.#rewrite(id, file, file.meta, inner);
        return new UnlockedKey(toEntry(await this.#readFile(id).catch(() => file)), key);
      } finally {
        pkcs8.fill(0);
      }
    });
  }

  /** Changes the PIN of one e-ID: checks the old one (throttled) and the new one against the rules. */
  async changePin(id: string, oldPin: string, newPin: string): Promise<void> {
    assertPinAcceptable(newPin);
    await this.#withLock(id, async () => {
      const { file, keys, pkcs8 } = await this.#decrypt(id, oldPin);
      wipe(keys);
      try {
        const salt = randomBytes(16);
        const newKeys = await deriveKeys(newPin, salt, this.#kdf);
        try {
          const bound: BoundPart = { ...file.bound, kdf: { name: 'scrypt', salt: salt.toString('base64'), ...this.#kdf } };
          const boundJson = encodeBound(bound);
          const inner = seal(pkcs8, newKeys, aadFor(boundJson));
          const { layer, blob } = this.#wrap(inner);
          await writeFileAtomic(this.#entryPath(id), encodeEntryFile(boundJson, file.meta, layer, blob), { overwrite: true });
        } finally {
          wipe(newKeys);
        }
      } finally {
        pkcs8.fill(0);
      }
    });
  }

  /** Rewrites an entry keeping its bound part byte for byte (label, installs, OS layer upgrade). */
  async #rewrite(id: string, file: EntryFile, meta: MetaPart, innerIfUpgrading?: Buffer): Promise<void> {
    const boundJson = file.aad.subarray(14);
    let layer: LayerKind = file.layer;
    let blob = file.privateBlob;
    if (innerIfUpgrading) ({ layer, blob } = this.#wrap(innerIfUpgrading));
    await writeFileAtomic(this.#entryPath(id), encodeEntryFile(boundJson, meta, layer, blob), { overwrite: true });
  }

  /** Renames an e-ID (no PIN needed: the label is not protected data). */
  async setLabel(id: string, label: string): Promise<void> {
    const clean = cleanLabel(label);
    if (!clean) throw new EidError('validation', 'The name cannot be empty.');
    await this.#open();
    await this.#withLock(id, async () => {
      const file = await this.#readFile(id);
      await this.#rewrite(id, file, { ...file.meta, label: clean });
    });
  }

  /** Deletes an e-ID and its wrong-PIN state. The caller asks for confirmation first. */
  async delete(id: string): Promise<void> {
    if (!ID_RE.test(id)) throw notFound(id);
    await this.#open();
    await this.#withLock(id, async () => {
      // Removing the entry file is the commit point; a crash after it leaves only a sidecar
      // that the next open sweeps.
      if (!(await removeFileDurably(this.#entryPath(id)))) throw notFound(id);
      await fsp.rm(this.#pinPath(id), { force: true });
    });
  }

  /**
   * Installs an e-ID into an OS store: unlocks it (PIN, throttled), hands key and chain to the
   * installer, records the install in the entry. This is the only path by which key bytes leave
   * the keystore module, and they go straight into the OS store as non-exportable.
   */
  async installToOsStore(id: string, pin: string, installer: OsStoreInstaller): Promise<InstalledCert> {
    return this.#withLock(id, async () => {
      const { file, keys, pkcs8 } = await this.#decrypt(id, pin);
      wipe(keys);
      let installed: InstalledCert;
      const entry = toEntry(file);
      try {
        installed = await installer.install({ pkcs8, chain: entry.chain, friendlyName: entry.label });
      } finally {
        pkcs8.fill(0);
      }
      const fresh = await this.#readFile(id);
      const record: InstallRecord = {
        kind: installer.kind,
        location: installer.location,
        reference: installed.reference,
        installedAt: new Date(this.#clock()).toISOString(),
      };
      const installs = [...fresh.meta.installs.filter((r) => !(r.kind === record.kind && r.location === record.location)), record];
      await this.#rewrite(id, fresh, { ...fresh.meta, installs });
      return installed;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Key requests (orders made with a CSR) and pairing

  #requestPath(id: string): string {
    return path.join(this.dir, `${id}${REQUEST_SUFFIX}`);
  }

  #requestPinPath(id: string): string {
    return path.join(this.dir, `${id}${REQUEST_SUFFIX}.pin`);
  }

  /**
   * Crash recovery of `pair` (run on open): a request whose key an entry already holds was paired
   * by a process that died before removing it. The entry is complete (atomic write, read back
   * before the request is touched), so the request goes. Anything unreadable is left alone.
   */
  async #sweepPairedRequests(names: Set<string>): Promise<void> {
    const requests = [...names].filter((n) => n.endsWith(REQUEST_SUFFIX) && ID_RE.test(n.slice(0, -REQUEST_SUFFIX.length)));
    if (!requests.length) return;
    const held = new Set<string>();
    for (const name of names) {
      if (isTempFile(name) || !name.endsWith(ENTRY_SUFFIX) || !ID_RE.test(name.slice(0, -ENTRY_SUFFIX.length))) continue;
      try {
        const file = await this.#readFile(name.slice(0, -ENTRY_SUFFIX.length));
        const spki = normalSpki(parseCertificate(Buffer.from(file.bound.chain[0], 'base64')).spki);
        if (spki) held.add(spki.toString('base64'));
      } catch {
        // A damaged entry holds nothing we can rely on.
      }
    }
    for (const name of requests) {
      const id = name.slice(0, -REQUEST_SUFFIX.length);
      try {
        const req = await this.#readRequest(id);
        if (held.has(req.bound.spki)) {
          await removeFileDurably(this.#requestPath(id));
          await fsp.rm(this.#requestPinPath(id), { force: true });
        }
      } catch {
        // Unreadable: listed by damagedRequests(), never removed behind the user's back.
      }
    }
  }

  async #readRequest(id: string): Promise<RequestFile> {
    if (!ID_RE.test(id)) throw requestNotFound(id);
    let buf: Buffer;
    try {
      const fh = await fsp.open(this.#requestPath(id), 'r');
      try {
        const st = await fh.stat();
        if (st.size > MAX_ENTRY_FILE_BYTES) throw new EidError('keystore-corrupt', 'A key request file is far too large to be one; delete it.', { id });
        buf = await fh.readFile();
      } finally {
        await fh.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw requestNotFound(id);
      throw err;
    }
    return decodeRequestFile(buf, id);
  }

  async #requestIds(): Promise<string[]> {
    await this.#open();
    const ids: string[] = [];
    for (const name of await fsp.readdir(this.dir)) {
      if (isTempFile(name) || !name.endsWith(REQUEST_SUFFIX)) continue;
      const id = name.slice(0, -REQUEST_SUFFIX.length);
      if (ID_RE.test(id)) ids.push(id);
    }
    return ids.sort();
  }

  /**
   * Makes a key pair here, keeps the private key encrypted under `pin` (the PIN rules apply, as
   * for entries) and returns the request with its signed CSR, to be sent to the CA. The subject
   * is checked before any key is made ('validation' naming what is wrong).
   */
  async createRequest(input: RequestInput, pin: string): Promise<KeystoreRequest> {
    assertPinAcceptable(pin);
    assertRequestAlgorithm(input.alg);
    const subject = requestSubject(input.subject);
    await this.#open();
    const { privateKey, publicKey } = await generateRequestKeyPair(input.alg);
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const csr = await signedRequest(subject.der, spki, privateKey, input.alg);
    const id = requestIdFor(spki);
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    try {
      return await this.#withLock(`req:${id}`, async () => {
        const salt = randomBytes(16);
        const keys = await deriveKeys(pin, salt, this.#kdf);
        try {
          const bound: RequestBoundPart = {
            id,
            kind: 'key-request',
            spki: spki.toString('base64'),
            spkiFingerprint: spkiFingerprintOf(spki),
            csr: csr.toString('base64'),
            subjectDn: parseCsr(csr).subjectDn,
            algorithm: input.alg,
            keyAlgorithm: keyAlgorithmName(privateKey),
            createdAt: new Date(this.#clock()).toISOString(),
            kdf: { name: 'scrypt', salt: salt.toString('base64'), ...this.#kdf },
            cipher: 'aes-256-gcm',
          };
          const boundJson = encodeRequestBound(bound);
          const { layer, blob } = this.#wrap(seal(pkcs8, keys, requestAadFor(boundJson)));
          const label = cleanLabel(input.label ?? '') || cleanLabel(subject.commonName) || 'Key request';
          await fsp.rm(this.#requestPinPath(id), { force: true });
          await writeFileAtomic(this.#requestPath(id), encodeRequestFile(boundJson, { label }, layer, blob), { overwrite: false });
          return toRequest(await this.#readRequest(id));
        } finally {
          wipe(keys);
        }
      });
    } finally {
      pkcs8.fill(0);
    }
  }

  /** Every readable key request, oldest first. Damaged files are left out (see `damagedRequests()`). */
  async listRequests(): Promise<KeystoreRequest[]> {
    const out: KeystoreRequest[] = [];
    for (const id of await this.#requestIds()) {
      try {
        out.push(toRequest(await this.#readRequest(id)));
      } catch (err) {
        if (err instanceof EidError && (err.code === 'keystore-corrupt' || err.code === 'not-found')) continue;
        throw err;
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Request files that cannot be read, so the UI can say so and offer deletion. */
  async damagedRequests(): Promise<DamagedEntry[]> {
    const out: DamagedEntry[] = [];
    for (const id of await this.#requestIds()) {
      try {
        await this.#readRequest(id);
      } catch (err) {
        if (err instanceof EidError && err.code === 'keystore-corrupt') out.push({ id, file: this.#requestPath(id), code: err.code, message: err.message });
      }
    }
    return out;
  }

  /** The public part of one key request, CSR included. */
  async getRequest(id: string): Promise<KeystoreRequest> {
    await this.#open();
    return toRequest(await this.#readRequest(id));
  }

  /** Resolves a request id typed by a person: the full id or a unique prefix of at least 4 characters. */
  async resolveRequestId(idOrPrefix: string): Promise<string> {
    const want = idOrPrefix.trim().toLowerCase();
    const ids = await this.#requestIds();
    if (ids.includes(want)) return want;
    const matches = want.length >= 4 ? ids.filter((i) => i.startsWith(want)) : [];
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new EidError('validation', `The id '${want}' matches ${matches.length} key requests; type more of it.`, { id: want });
    throw requestNotFound(want);
  }

  /** Wrong-PIN status of a request (its PIN is asked for when pairing). */
  async requestPinStatus(id: string): Promise<PinStatus> {
    await this.getRequest(id);
    const state = await readThrottleState(this.#requestPinPath(id));
    return { attempts: state.failures, retryAfterSeconds: retryAfterSeconds(state, this.#clock()) };
  }

  /**
   * Deletes a key request and its wrong-PIN state. Its key is gone for good: a certificate issued
   * for it can no longer be used. The caller asks for confirmation first. A damaged request file
   * can be deleted too.
   */
  async deleteRequest(id: string): Promise<void> {
    if (!ID_RE.test(id)) throw requestNotFound(id);
    await this.#open();
    await this.#withLock(`req:${id}`, async () => {
      if (!(await removeFileDurably(this.#requestPath(id)))) throw requestNotFound(id);
      await fsp.rm(this.#requestPinPath(id), { force: true });
    });
  }

  /** Requests and entries, each with the normalised SPKI of its key (public data only). */
  async #holders(): Promise<{ requests: Array<{ file: RequestFile; spki: string }>; entries: Array<{ entry: KeystoreEntry; spki: string | null }> }> {
    const requests: Array<{ file: RequestFile; spki: string }> = [];
    for (const id of await this.#requestIds()) {
      try {
        const file = await this.#readRequest(id);
        requests.push({ file, spki: file.bound.spki });
      } catch (err) {
        if (!(err instanceof EidError && (err.code === 'keystore-corrupt' || err.code === 'not-found'))) throw err;
      }
    }
    const entries = (await this.list()).map((entry) => {
      let spki: string | null = null;
      try {
        spki = normalSpki(parseCertificate(entry.chain[0]).spki)?.toString('base64') ?? null;
      } catch {
        spki = null;
      }
      return { entry, spki };
    });
    return { requests, entries };
  }

  /**
   * Requests and entries holding the key of `certificate` (DER), so the import wizard can offer
   * to pair a certificates-only file. Public data only, no PIN. An entry that already holds this
   * very certificate is not listed (there is nothing to pair; inspection reports it as in the keystore).
   */
  async pairable(certificate: Buffer): Promise<PairableMatch[]> {
    let parsed: ParsedCertificate;
    try {
      parsed = parseCertificate(certificate);
    } catch (err) {
      throw new EidError('malformed', 'The certificate cannot be read.', undefined, { cause: err });
    }
    const spki = normalSpki(parsed.spki)?.toString('base64');
    if (!spki) return [];
    const { requests, entries } = await this.#holders();
    return [
      ...requests.filter((r) => r.spki === spki).map((r) => ({ kind: 'request' as const, id: r.file.bound.id, label: r.file.meta.label })),
      ...entries
        .filter((e) => e.spki === spki && e.entry.fingerprintSha256 !== parsed.info.fingerprintSha256)
        .map((e) => ({ kind: 'entry' as const, id: e.entry.id, label: e.entry.label })),
    ];
  }

  /**
   * Pairs a certificate delivered for a key in this keystore. `certificates` (DER) hold the
   * end-entity certificate and, optionally, its CA certificates, in any order. Finds the request
   * (or entry: a renewal for the same key) whose public key equals the certificate's, checks the
   * certificate is an end-entity certificate within its validity, opens the key with `pin`
   * (throttled like any unlock), and stores key + chain as a new entry under the same PIN
   * (source 'csr-pairing'). Then `options.beforeCommit` runs, and finally the request is removed.
   * A renewed entry is kept. Errors: 'no-matching-key', 'already-exists' (this certificate is
   * already an entry), 'validation' (details.reason: 'ca-certificate', 'expired',
   * 'not-yet-valid', 'several-certificates'), 'malformed', 'pin-incorrect', 'throttled'.
   */
  async pair(certificates: Buffer[], pin: string, options: PairOptions = {}): Promise<PairResult> {
    if (!Array.isArray(certificates) || certificates.length === 0) throw new EidError('no-certificate', 'There is no certificate to pair. Choose the file the issuer delivered.');
    if (certificates.length > MAX_PAIR_CERTIFICATES) throw new EidError('too-large', `More than ${MAX_PAIR_CERTIFICATES} certificates were given; an issuer sends a certificate and a few CA certificates.`, { limit: MAX_PAIR_CERTIFICATES });
    const parsed: ParsedCertificate[] = certificates.map((c, i) => {
      try {
        return parseCertificate(c);
      } catch (err) {
        throw new EidError('malformed', `Certificate ${i + 1} cannot be read. Download the certificate again.`, { certificate: i + 1 }, { cause: err });
      }
    });
    const spkis = parsed.map((p) => normalSpki(p.spki)?.toString('base64') ?? null);
    const { requests, entries } = await this.#holders();

    // Which certificate is for a key here, and whose key it is. A request wins over an entry (a
    // request and an entry with one key exist only between a crash and the next open).
    type Target = { kind: 'request'; file: RequestFile } | { kind: 'entry'; entry: KeystoreEntry };
    const matches: Array<{ cert: ParsedCertificate; target: Target }> = [];
    for (let i = 0; i < parsed.length; i++) {
      const spki = spkis[i];
      if (!spki) continue;
      const want = options.target;
      const req = want?.kind === 'entry' ? undefined : requests.find((r) => r.spki === spki && (!want || r.file.bound.id === want.id));
      const ent = want?.kind === 'request' ? undefined : entries.find((e) => e.spki === spki && e.entry.fingerprintSha256 !== parsed[i].info.fingerprintSha256 && (!want || e.entry.id === want.id));
      if (req) matches.push({ cert: parsed[i], target: { kind: 'request', file: req.file } });
      else if (ent) matches.push({ cert: parsed[i], target: { kind: 'entry', entry: ent.entry } });
    }
    if (matches.length === 0) {
      const stored = parsed.map((p) => entries.find((e) => e.entry.fingerprintSha256 === p.info.fingerprintSha256)).find((e) => e !== undefined);
      if (stored) throw new EidError('already-exists', `This certificate is already in the keystore as "${stored.entry.label}"; there is nothing to pair.`, { id: stored.entry.id });
      throw noMatchingKey((parsed.find((p) => !actsAsCA(p.info)) ?? parsed[0]).info);
    }
    const endEntity = matches.filter((m) => !actsAsCA(m.cert.info));
    if (endEntity.length === 0) {
      throw new EidError('validation', 'The certificate for the key here is a CA certificate, not an e-ID certificate. Ask the issuer for the end-entity certificate.', { reason: 'ca-certificate' });
    }
    if (new Set(endEntity.map((m) => m.cert.info.fingerprintSha256)).size > 1) {
      throw new EidError('validation', 'The file holds certificates for several keys in this keystore. Pair them one file at a time.', { reason: 'several-certificates' });
    }
    const { cert: leaf, target } = endEntity[0];
    const now = this.#clock();
    if (validityState(leaf.info, new Date(now)) === 'expired') {
      throw new EidError('validation', `The certificate expired on ${leaf.info.notAfter.slice(0, 10)}; pairing it would give an e-ID that cannot be used. Order a new certificate.`, { reason: 'expired', notAfter: leaf.info.notAfter });
    }
    if (validityState(leaf.info, new Date(now + NOT_BEFORE_SKEW_MS)) === 'not-yet-valid') {
      throw new EidError('validation', `The certificate is valid only from ${leaf.info.notBefore.slice(0, 16).replace('T', ' ')} UTC. Pair it from then on; the key stays safe in the keystore until then.`, { reason: 'not-yet-valid', notBefore: leaf.info.notBefore });
    }
    // Chain: the leaf, its issuers as far as the certificates given reach, then any other CA certificates given.
    const others = parsed.filter((p) => p !== leaf);
    const linked = buildChain(leaf, others, [], new Date(now)).links.map((l) => l.fingerprintSha256);
    const byFp = new Map(parsed.map((p) => [p.info.fingerprintSha256, p] as const));
    const chainCerts = linked.map((fp) => byFp.get(fp)).filter((p): p is ParsedCertificate => p !== undefined);
    for (const p of others) if (p.info.isCA && !chainCerts.includes(p)) chainCerts.push(p);
    const chain = chainCerts.map((p) => p.der);

    const lockId = target.kind === 'request' ? `req:${target.file.bound.id}` : target.entry.id;
    return this.#withLock(lockId, async () => {
      let pkcs8: Buffer;
      let label: string;
      if (target.kind === 'request') {
        const id = target.file.bound.id;
        const file = await this.#readRequest(id); // again, under the lock: it may have been deleted meanwhile
        const opened = await this.#openSealed(file, file.bound.kdf, this.#requestPinPath(id), id, REQUEST_TEXT, pin);
        wipe(opened.keys);
        pkcs8 = opened.pkcs8;
        label = options.label ?? file.meta.label;
      } else {
        const opened = await this.#decrypt(target.entry.id, pin);
        wipe(opened.keys);
        pkcs8 = opened.pkcs8;
        label = options.label ?? opened.file.meta.label;
      }
      let newId: string;
      try {
        const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
        if (!spkiOf(key).equals(createPublicKey({ key: leaf.spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' }))) {
          throw new EidError('key-mismatch', 'The key in the keystore does not belong to this certificate after all; nothing was changed.');
        }
        // #storeEntry wipes the buffer it gets; `pkcs8` is wiped below.
        newId = await this.#storeEntry({ info: leaf.info, chain, pkcs8: Buffer.from(pkcs8), keyAlgorithm: keyAlgorithmName(key), label, source: 'csr-pairing' }, pin, true);
      } finally {
        pkcs8.fill(0);
      }
      const entry = await this.get(newId);
      if (options.beforeCommit) {
        try {
          await options.beforeCommit(entry);
        } catch (err) {
          // The new entry goes only while the key is still where it came from. Another eID Desk
          // process opening the keystore right now may have removed the request as already
          // paired; then the new entry is the key's only copy and stays.
          const source = target.kind === 'request' ? this.#requestPath(target.file.bound.id) : this.#entryPath(target.entry.id);
          const sourceStillThere = await fsp.lstat(source).then(
            () => true,
            () => false,
          );
          if (sourceStillThere) {
            await this.#withLock(newId, async () => {
              await removeFileDurably(this.#entryPath(newId));
              await fsp.rm(this.#pinPath(newId), { force: true });
            }).catch(() => undefined);
          }
          throw err;
        }
      }
      if (target.kind === 'request') {
        // The commit point: from here the entry is the only copy of the key, and a readable one.
        await removeFileDurably(this.#requestPath(target.file.bound.id));
        await fsp.rm(this.#requestPinPath(target.file.bound.id), { force: true });
      }
      return {
        entryId: newId,
        entry: await this.get(newId),
        replacedRequest: target.kind === 'request',
        requestId: target.kind === 'request' ? target.file.bound.id : null,
        renewalOf: target.kind === 'entry' ? target.entry.id : null,
      };
    });
  }
}
