/**
 * PKCS#12 decoder: PFX -> integrity MAC -> AuthenticatedSafe -> SafeContents -> bags.
 *
 * Order of work, chosen for hostile input and for speed:
 * 1. Size limit, then a full structural walk of everything readable without the password, and
 *    every algorithm and iteration count checked, before any key derivation runs. A hostile file
 *    therefore fails in microseconds with 'too-large', 'malformed', 'unsupported' or 'too-costly'.
 * 2. All key derivations start at once: PBKDF2 for PBES2 bags on libuv's thread pool (native),
 *    the PKCS#12 KDF for the MAC and legacy bags on this thread or worker threads (kdf-pool.ts).
 * 3. Results are judged together: a failed MAC with bags that decrypt cleanly means a damaged
 *    file ('malformed'); a failed MAC with bags that do not means a wrong password.
 *
 * Passwords: PBKDF2 (PBES2, PBMAC1) gets the UTF-8 bytes; the PKCS#12 KDF (legacy PBE, classic
 * MAC) gets a BMPString. Empty passwords are tried both as an empty BMPString with its
 * terminator and as "no password" (zero bytes), as OpenSSL does; non-ASCII passwords also in the
 * byte-wise form old OpenSSL versions wrote.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DerError, Tag, oidToString, readSmallInt, readString, type DerNode } from '../pki/der';
import { EidError } from '../errors';
import { parseEncryption, parseMacData, readAlgorithm, unsupported, type EncryptionPlan, type MacPlan } from './algorithms';
import { berChildren, berSeq, decodeBer, explicit, isDefiniteTree, octets, toDefinite } from './ber';
import { decrypt } from './ciphers';
import { bmpPassword, legacyBmpPassword, pbkdf2, type HashName, type Pkcs12KdfJob } from './kdf';
import { runPkcs12Kdfs } from './kdf-pool';
import { DEFAULT_LIMITS, type DecodeLimits, type Pkcs12Bag, type Pkcs12Certificate, type Pkcs12Contents, type Pkcs12Key } from './types';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
} as const;

/** Nested safeContentsBags allowed (real files use none; the spec allows some). */
const MAX_BAG_NESTING = 4;
/** All key derivations of one file together may cost this many times the per-derivation limit. */
const TOTAL_COST_FACTOR = 4;

const HASH_LEN: Readonly<Record<HashName, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** An encrypted item waiting for its key: a whole SafeContents (encryptedData) or one shrouded key. */
interface Encrypted {
  kind: 'safe-contents' | 'key';
  plan: EncryptionPlan;
  data: Buffer;
  attrs: Pkcs12Bag;
  depth: number;
}

/** Outcome of one decryption attempt; never a rejected promise, so nothing goes unhandled. */
type Attempt = { ok: true; plain: Buffer } | { ok: false; error?: unknown };

/** Collects PKCS#12 KDF jobs so they can run as one parallel batch. */
class KdfBatch {
  private readonly jobs: Pkcs12KdfJob[] = [];
  private readonly waiters: Array<{ resolve: (b: Buffer) => void; reject: (e: unknown) => void }> = [];
  add(job: Pkcs12KdfJob): Promise<Buffer> {
    this.jobs.push(job);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
  async run(): Promise<void> {
    if (this.jobs.length === 0) return;
    try {
      const out = await runPkcs12Kdfs(this.jobs);
      out.forEach((b, i) => this.waiters[i].resolve(b));
    } catch (err) {
      this.waiters.forEach((w) => w.reject(err));
      throw new EidError('internal', 'Key derivation failed unexpectedly (a worker thread could not run). Try again.', undefined, { cause: err });
    }
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undoes a producer bug in BMPString friendly names: GnuTLS's certtool (3.7, `--p12-name`)
 * writes each byte of the UTF-8 name as one BMPString character, so "Åsa" arrives as "Ã\u0085sa". When
 * every character fits in a byte, some are non-ASCII, and those bytes form valid UTF-8 with at
 * least one multi-byte sequence, the name was widened UTF-8: decode it as such. A genuine
 * Latin-1 name ("Åsa" = C5 73 61) is not valid UTF-8 and stays as it is.
 */
export function repairWidenedUtf8(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0080-\u00ff]/.test(name) || /[^\u0000-\u00ff]/.test(name)) return name;
  try {
    return STRICT_UTF8.decode(Buffer.from(name, 'latin1'));
  } catch {
    return name;
  }
}

/**
 * A text file with PEM blocks: PEM itself, or what `openssl pkcs12 -nodes` writes ("Bag
 * Attributes" lines before each block), which users save as .p12 after a conversion.
 * DER always starts with a SEQUENCE tag, so only a file that does not is searched further.
 */
function looksLikePem(data: Buffer): boolean {
  if (data.subarray(0, 64).toString('latin1').includes('-----BEGIN')) return true;
  return data[0] !== 0x30 && data.subarray(0, 16384).includes('-----BEGIN ');
}

function malformed(message: string, cause?: unknown): EidError {
  return new EidError('malformed', message, undefined, cause === undefined ? undefined : { cause });
}

const DAMAGED = 'The file is not a readable PKCS#12 (.p12/.pfx) file: it is damaged or of another kind. Download or export it again.';

/** Decoding state for one file. */
class Pkcs12Decoder {
  readonly certificates: Pkcs12Certificate[] = [];
  readonly keys: Pkcs12Key[] = [];
  readonly encryption = new Set<string>();
  private pending: Encrypted[] = [];
  private spent = 0;
  /** BMPString forms of the password to try with the PKCS#12 KDF, most likely first. */
  private readonly bmpCandidates: Buffer[];
  private readonly utf8: Buffer;
  /** Index into bmpCandidates confirmed by the MAC, when there is one. */
  private bmpIndex: number | null = null;
  private macVerified = false;

  constructor(
    password: string,
    private readonly limits: DecodeLimits,
  ) {
    this.utf8 = Buffer.from(password, 'utf8');
    this.bmpCandidates = [bmpPassword(password)];
    if (password === '') this.bmpCandidates.push(Buffer.alloc(0));
    // eslint-disable-next-line no-control-regex
    else if (/[^\u0000-\u007f]/.test(password)) this.bmpCandidates.push(legacyBmpPassword(password));
  }

  /** Charges one key derivation against the limits. Throws 'too-costly' before any work. */
  private charge(iterations: number, runs: number, what: string): void {
    const { maxIterations } = this.limits;
    if (!(iterations <= maxIterations)) {
      throw new EidError(
        'too-costly',
        `The file asks for ${Number.isFinite(iterations) ? iterations.toLocaleString('en-US') : 'an enormous number of'} iterations of key derivation for its ${what}; this program accepts at most ${maxIterations.toLocaleString('en-US')}. Real e-ID files use far fewer: this file is broken or hostile.`,
        { iterations: Number.isFinite(iterations) ? iterations : -1, limit: maxIterations },
      );
    }
    this.spent += iterations * runs;
    if (this.spent > maxIterations * TOTAL_COST_FACTOR) {
      throw new EidError('too-costly', 'The file asks for more key-derivation work in total than any real e-ID file needs: it is broken or hostile.', {
        limit: maxIterations * TOTAL_COST_FACTOR,
      });
    }
  }

  private chargePlan(plan: EncryptionPlan, what: string): void {
    this.charge(plan.iterations, plan.kind === 'pkcs12-pbe' ? 2 : 1, what);
  }

  // -------------------------------------------------------------------------------------------
  // Structure

  /** Reads the bag attributes we keep: friendlyName and localKeyId. Damaged names are skipped, not fatal. */
  private readAttributes(node: DerNode | undefined): Pkcs12Bag {
    const out: Pkcs12Bag = {};
    if (!node) return out;
    if (node.tag !== Tag.SET) throw new DerError('bag attributes: expected a SET');
    for (const attr of berChildren(node)) {
      const [typeNode, valuesNode] = berSeq(attr, 'attribute');
      if (typeNode?.tag !== Tag.OID || valuesNode?.tag !== Tag.SET) throw new DerError('attribute: bad shape');
      const type = oidToString(typeNode.value);
      const first = berChildren(valuesNode)[0];
      if (!first) continue;
      if (type === OID.friendlyName) {
        try {
          out.friendlyName = first.tag === Tag.BMP_STRING ? repairWidenedUtf8(readString(first)) : readString(first);
        } catch {
          // A broken display name must not make the e-ID unusable.
        }
      } else if (type === OID.localKeyId) {
        out.localKeyId = octets(first, 'localKeyId').toString('hex').toUpperCase();
      }
    }
    return out;
  }

  /** Checks a PrivateKeyInfo's shape and returns it as DER (BER from some producers is re-encoded). */
  private normaliseKey(buf: Buffer): Buffer {
    const node = decodeBer(buf);
    const items = berSeq(node, 'PrivateKeyInfo');
    if (items.length < 3 || items[0].tag !== Tag.INTEGER) throw new DerError('PrivateKeyInfo: bad shape');
    readAlgorithm(items[1], 'private key algorithm');
    octets(items[2], 'private key');
    return isDefiniteTree(node) ? Buffer.from(node.raw) : toDefinite(node);
  }

  /** Walks a SafeContents (SEQUENCE OF SafeBag). Shrouded keys are queued, limits checked. */
  walkSafeContents(node: DerNode, depth: number): void {
    if (depth > MAX_BAG_NESTING) throw new DerError('safeContentsBag nested too deep');
    for (const bag of berSeq(node, 'SafeContents')) {
      const items = berSeq(bag, 'SafeBag');
      if (items[0]?.tag !== Tag.OID) throw new DerError('SafeBag: missing bag type');
      const bagId = oidToString(items[0].value);
      const value = explicit(items[1], 0, 'SafeBag value');
      const attrs = this.readAttributes(items[2]);
      switch (bagId) {
        case OID.keyBag:
          this.keys.push({ ...attrs, pkcs8: this.normaliseKey(value.raw) });
          break;
        case OID.shroudedKeyBag: {
          const [algNode, dataNode] = berSeq(value, 'EncryptedPrivateKeyInfo');
          const plan = parseEncryption(algNode, 'private key');
          this.chargePlan(plan, 'private key');
          this.pending.push({ kind: 'key', plan, data: octets(dataNode, 'encrypted private key'), attrs, depth });
          break;
        }
        case OID.certBag: {
          const [typeNode, certNode] = berSeq(value, 'CertBag');
          if (typeNode?.tag !== Tag.OID) throw new DerError('CertBag: missing certificate type');
          // SDSI certificates (and anything else) are not X.509: skipped, like OpenSSL does.
          if (oidToString(typeNode.value) !== OID.x509Certificate) break;
          const der = Buffer.from(octets(explicit(certNode, 0, 'certificate value'), 'certificate'));
          this.certificates.push({ ...attrs, der });
          break;
        }
        case OID.safeContentsBag:
          this.walkSafeContents(value, depth + 1);
          break;
        default:
          // crlBag, secretBag and private extensions: not used by e-IDs, skipped.
          break;
      }
    }
  }

  /** Reads the PFX envelope. Returns the AuthenticatedSafe bytes (what the MAC covers) and the MAC plan. */
  readPfx(data: Buffer): { authSafe: Buffer; mac: MacPlan | null } {
    const pfx = berSeq(decodeBer(data), 'PFX');
    const version = readSmallInt(pfx[0], 'PFX version');
    if (version !== 3) throw malformed(`The file is PKCS#12 version ${version}; only version 3 (every current producer) is supported.`);
    const [typeNode, contentNode] = berSeq(pfx[1], 'authSafe ContentInfo');
    if (typeNode?.tag !== Tag.OID) throw new DerError('authSafe: missing content type');
    const type = oidToString(typeNode.value);
    if (type === OID.signedData) throw unsupported('integrity protection', type);
    if (type !== OID.data) throw new DerError(`authSafe: unexpected content type ${type}`);
    const authSafe = octets(explicit(contentNode, 0, 'authSafe content'), 'authSafe');
    const mac = pfx[2] ? parseMacData(pfx[2]) : null;
    if (pfx.length > 3) throw new DerError('PFX: unexpected extra elements');
    // The classic MAC may be tried once per password form; PBMAC1 takes one form only.
    if (mac) this.charge(mac.iterations, mac.kind === 'pkcs12' ? this.bmpCandidates.length : 1, 'integrity check (MAC)');
    return { authSafe, mac };
  }

  /** Walks the AuthenticatedSafe: plain SafeContents now, encrypted ones queued. */
  readAuthenticatedSafe(authSafe: Buffer): void {
    for (const ci of berSeq(decodeBer(authSafe), 'AuthenticatedSafe')) {
      const [typeNode, contentNode] = berSeq(ci, 'ContentInfo');
      if (typeNode?.tag !== Tag.OID) throw new DerError('ContentInfo: missing content type');
      const type = oidToString(typeNode.value);
      if (type === OID.data) {
        this.walkSafeContents(decodeBer(octets(explicit(contentNode, 0, 'data content'), 'data')), 0);
      } else if (type === OID.encryptedData) {
        const [, eci] = berSeq(explicit(contentNode, 0, 'encryptedData content'), 'EncryptedData');
        const [, algNode, contentEnc] = berSeq(eci, 'EncryptedContentInfo');
        const plan = parseEncryption(algNode, 'certificates');
        this.chargePlan(plan, 'certificates');
        this.pending.push({ kind: 'safe-contents', plan, data: octets(contentEnc, 'encrypted content', 0x80), attrs: {}, depth: 0 });
      } else if (type === OID.envelopedData) {
        throw unsupported('privacy protection', type);
      } else {
        throw new DerError(`AuthenticatedSafe: unexpected content type ${type}`);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Crypto

  /** Starts one decryption. PBKDF2 starts immediately; PKCS#12 KDF jobs wait in `batch`. */
  private attempt(item: Encrypted, bmp: Buffer, batch: KdfBatch): Promise<Attempt> {
    const { plan } = item;
    let keyIv: Promise<[Buffer, Buffer]>;
    if (plan.kind === 'pbes2') {
      keyIv = pbkdf2(this.utf8, plan.salt, plan.iterations, plan.keyLength, plan.prf).then((k) => [k, plan.iv]);
    } else {
      const job = (id: 1 | 2, length: number): Pkcs12KdfJob => ({ hash: 'sha1', password: bmp, salt: plan.salt, id, iterations: plan.iterations, length });
      const key = batch.add(job(1, plan.keyLength));
      const iv = plan.ivLength ? batch.add(job(2, plan.ivLength)) : Promise.resolve(Buffer.alloc(0));
      keyIv = Promise.all([key, iv]);
    }
    return keyIv.then(
      ([key, iv]): Attempt => {
        const plain = decrypt(plan.cipher, key, iv, item.data, plan.rc2Bits);
        key.fill(0);
        if (!plain) return { ok: false };
        // The plaintext must parse, too: with RC4 (no padding), or a 1-in-256 padding accident,
        // a wrong key shows only here.
        try {
          if (item.kind === 'key') this.normaliseKey(plain);
          else berSeq(decodeBer(plain), 'SafeContents');
        } catch (error) {
          plain.fill(0);
          return { ok: false, error };
        }
        return { ok: true, plain };
      },
      (error: unknown): Attempt => ({ ok: false, error }),
    );
  }

  /** Starts the MAC check for one password form. */
  private macAttempt(mac: MacPlan, authSafe: Buffer, bmp: Buffer, batch: KdfBatch): Promise<boolean> {
    const key =
      mac.kind === 'pkcs12'
        ? batch.add({ hash: mac.hash, password: bmp, salt: mac.salt, id: 3, iterations: mac.iterations, length: HASH_LEN[mac.hash] })
        : pbkdf2(this.utf8, mac.salt, mac.iterations, mac.keyLength, mac.prf);
    return key.then(
      (k) => {
        const digest = createHmac(mac.kind === 'pkcs12' ? mac.hash : mac.hmac, k).update(authSafe).digest();
        k.fill(0);
        return digest.length === mac.expected.length && timingSafeEqual(digest, mac.expected);
      },
      () => false,
    );
  }

  /** Accepts one decrypted item: keys are stored, SafeContents walked (which may queue more keys). */
  private accept(item: Encrypted, plain: Buffer): void {
    this.encryption.add(item.plan.name);
    if (item.kind === 'key') {
      this.keys.push({ ...item.attrs, pkcs8: this.normaliseKey(plain) });
      plain.fill(0);
    } else {
      this.walkSafeContents(decodeBer(plain), item.depth);
    }
  }

  /**
   * Verifies the MAC (if any) and decrypts everything, in parallel. Loops because an encrypted
   * SafeContents may hold more shrouded keys (their limits are checked before their derivation).
   */
  async run(authSafe: Buffer, mac: MacPlan | null): Promise<void> {
    let firstRound = true;
    while (this.pending.length > 0 || (firstRound && mac)) {
      const items = this.pending;
      this.pending = [];
      const batch = new KdfBatch();
      const bmp0 = this.bmpCandidates[this.bmpIndex ?? 0];
      const macFirst = firstRound && mac ? this.macAttempt(mac, authSafe, this.bmpCandidates[0], batch) : null;
      const attempts = items.map((item) => this.attempt(item, bmp0, batch));
      await batch.run();
      const results = await Promise.all(attempts);

      if (macFirst && mac) {
        let ok = await macFirst;
        let index = 0;
        // Other password forms only for the classic MAC; PBMAC1 takes UTF-8, one form only.
        for (let i = 1; !ok && mac.kind === 'pkcs12' && i < this.bmpCandidates.length; i++) {
          const again = new KdfBatch();
          const p = this.macAttempt(mac, authSafe, this.bmpCandidates[i], again);
          await again.run();
          if (await p) {
            ok = true;
            index = i;
          }
        }
        if (!ok) {
          // Wrong password, or a damaged file? If anything encrypted decrypts and parses with
          // this password, the password is right and the file was changed after it was made.
          const anyDecrypts = results.some((r) => r.ok);
          results.forEach((r) => r.ok && r.plain.fill(0));
          if (anyDecrypts) throw malformed('The file is damaged: its integrity check (MAC) fails although the password is right. Download or export it again.');
          throw new EidError('bad-password', 'Wrong password, or the file is damaged: its integrity check fails. Check the PIN code in the PIN letter (the latest one you received).');
        }
        this.bmpIndex = index;
        this.macVerified = true;
      }
      firstRound = false;

      for (let i = 0; i < items.length; i++) {
        let r = results[i];
        const item = items[i];
        if (!r.ok && item.plan.kind === 'pkcs12-pbe') {
          // Retry with the other password forms: the one the MAC confirmed, or (no MAC) each in turn.
          const forms = this.bmpIndex !== null ? [this.bmpIndex] : this.bmpCandidates.map((_, k) => k);
          for (const k of forms) {
            if (this.bmpCandidates[k] === bmp0) continue;
            const again = new KdfBatch();
            const p = this.attempt(item, this.bmpCandidates[k], again);
            await again.run();
            r = await p;
            if (r.ok) {
              if (this.bmpIndex === null) this.bmpIndex = k;
              break;
            }
          }
        }
        if (!r.ok) {
          if (r.error instanceof EidError) throw r.error;
          if (this.macVerified) {
            throw new EidError(
              'bad-password',
              `The password opens the file but not its ${item.kind === 'key' ? 'private key' : 'certificates'}: the file was made with two different passwords. Export it again with one password.`,
            );
          }
          throw new EidError('bad-password', 'Wrong password: the contents cannot be decrypted with it. Check the PIN code in the PIN letter (the latest one you received).');
        }
        this.accept(item, r.plain);
      }
    }
  }
}

/**
 * Decodes a PKCS#12 file: checks limits, verifies the MAC, decrypts every bag.
 * Throws EidError with code too-large, malformed, unsupported, too-costly or bad-password; never
 * anything else for bad input. Whether the file holds a key and a certificate is the caller's
 * question (inspection reports it; import refuses with no-private-key / no-certificate).
 */
export async function decodePkcs12(data: Buffer, password: string, limits: DecodeLimits = DEFAULT_LIMITS): Promise<Pkcs12Contents> {
  if (data.length > limits.maxBytes) {
    throw new EidError(
      'too-large',
      `The file is ${data.length.toLocaleString('en-US')} bytes; a PKCS#12 e-ID file is a few kilobytes and at most ${limits.maxBytes.toLocaleString('en-US')} bytes are accepted. Check that you chose the right file.`,
      { size: data.length, limit: limits.maxBytes },
    );
  }
  if (data.length === 0) throw malformed('The file is empty. Download or export it again.');
  if (looksLikePem(data)) {
    throw malformed('This is a PEM (text) file, not a PKCS#12 (.p12/.pfx) file. Choose the .p12 or .pfx file, or convert it first.');
  }
  const decoder = new Pkcs12Decoder(password, limits);
  try {
    const { authSafe, mac } = decoder.readPfx(data);
    decoder.readAuthenticatedSafe(authSafe);
    await decoder.run(authSafe, mac);
    return {
      certificates: decoder.certificates,
      keys: decoder.keys,
      macAlgorithm: mac?.name ?? null,
      macIterations: mac?.iterations ?? null,
      encryption: [...decoder.encryption],
    };
  } catch (err) {
    if (err instanceof EidError) throw err;
    throw malformed(DAMAGED, err);
  }
}
