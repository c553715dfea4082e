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
 */
import {
  constants as cryptoConstants,
  createCipheriv,
  createDecipheriv,
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
import { parseCertificate, type ParsedCertificate } from '../pki/certificate';
import { isTempFile, removeFileDurably, sweepTempFiles, writeFileAtomic } from './atomic-file';
import {
  ENTRY_SOURCES,
  ENTRY_SUFFIX,
  ID_RE,
  Layer,
  MAX_ENTRY_FILE_BYTES,
  aadFor,
  decodeEntryFile,
  encodeBound,
  encodeEntryFile,
  type BoundPart,
  type EntryFile,
  type EntrySource,
  type InstallRecord,
  type LayerKind,
  type MetaPart,
  type ScryptParams,
} from './format';
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

function cleanLabel(label: string): string {
  // eslint-disable-next-line no-control-regex
  return label.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
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
      }
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
    const info = leaf.info;
    const id = info.fingerprintSha256.replace(/:/g, '').toLowerCase().slice(0, 16);
    const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
    await this.#open();
    return this.#withLock(id, async () => {
      try {
        await fsp.lstat(this.#entryPath(id));
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
          chain: input.chain.map((c) => Buffer.from(c).toString('base64')),
          holder: info.subject.CN ?? info.subject.O ?? info.subjectDn,
          organisation: info.subject.O ?? null,
          identityNumber: info.identity?.value ?? null,
          identityKind: info.identity?.kind ?? null,
          notBefore: info.notBefore,
          notAfter: info.notAfter,
          keyAlgorithm: keyAlgorithmName(key),
          createdAt: new Date(this.#clock()).toISOString(),
          source: input.source,
          kdf: { name: 'scrypt', salt: salt.toString('base64'), ...this.#kdf },
          cipher: 'aes-256-gcm',
        };
        const boundJson = encodeBound(bound);
        const inner = seal(pkcs8, keys, aadFor(boundJson));
        const { layer, blob } = this.#wrap(inner);
        const label = cleanLabel(input.label ?? '') || cleanLabel(bound.holder) || 'e-ID';
        // A sidecar left by an earlier entry with this id (deleted, crash before sidecar removal).
        await fsp.rm(this.#pinPath(id), { force: true });
        try {
          await writeFileAtomic(this.#entryPath(id), encodeEntryFile(boundJson, { label, installs: [] }, layer, blob), { overwrite: false });
        } catch (err) {
          if (err instanceof EidError && err.code === 'already-exists') throw new EidError('already-exists', 'This e-ID is already in the keystore.', { id });
          throw err;
        }
        return id;
      } finally {
        wipe(keys);
        pkcs8.fill(0);
      }
    });
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
    const pinFile = this.#pinPath(id);
    const state = await readThrottleState(pinFile);
    assertAttemptAllowed(state, this.#clock());
    let inner = file.privateBlob;
    if (file.layer === Layer.PIN_AND_OS) {
      const p = this.#protectorReady();
      if (!p) {
        throw new EidError('keystore-locked', "This e-ID is also protected by your account's OS key store, which is not available here (for example in the command line). Open it in eID Desk.", { id });
      }
      try {
        inner = p.unprotect(file.privateBlob);
      } catch (err) {
        throw new EidError('keystore-locked', "The OS key store could not open this e-ID's protection. It may have been made under another user account or installation; import the e-ID again from its file.", { id }, { cause: err });
      }
    }
    const kdf = file.bound.kdf;
    checkKdfBounds(kdf, id);
    const keys = await deriveKeys(pin, Buffer.from(kdf.salt, 'base64'), kdf);
    const result = open(inner, keys, file.aad);
    if (!result.ok) {
      wipe(keys);
      if (result.reason === 'tampered') {
        throw new EidError('keystore-corrupt', 'This e-ID in the keystore has been altered or damaged (its certificate and key no longer belong together). Delete it and import it again from its file.', { id });
      }
      const next = recordFailure(state, this.#clock());
      await writeThrottleState(pinFile, next);
      throw wrongPinError(next);
    }
    if (state.failures > 0) await writeThrottleState(pinFile, NO_FAILURES);
    return { file, keys, inner, pkcs8: result.pkcs8 };
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
}
