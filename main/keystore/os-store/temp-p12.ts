/**
 * A minimal PKCS#12 encoder, only for handing an e-ID to an OS store's import tool.
 *
 * Why our own and not `openssl pkcs12 -export`: users' machines have pk12util (Linux), `security`
 * (macOS) and PowerShell (Windows), but not necessarily OpenSSL. The file is short-lived: written
 * 0600 in a private 0700 temp directory, encrypted under a random one-time password, imported,
 * then the directory is wiped (see `withTempPkcs12`).
 *
 * What it writes is what every current importer accepts (OpenSSL 3's default profile):
 * PFX v3; the key in a pkcs8ShroudedKeyBag under PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC); the
 * certificates in plain certBags (they are public); an HMAC-SHA256 MAC keyed by the RFC 7292
 * appendix B KDF. Windows needs 10 1709 or later for AES in PFX files.
 */
import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as der from '../../pki/der';

const OID = {
  data: '1.2.840.113549.1.7.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** Iterations for PBKDF2 and the MAC. The password is 256 random bits, so this is not the defence. */
const ITERATIONS = 2048;

/** What goes into the temp file. */
export interface TempPkcs12Input {
  pkcs8: Buffer;
  /** Leaf first. Only the leaf is tied to the key (localKeyId + friendlyName). */
  chain: Buffer[];
  friendlyName: string;
}

/** RFC 7292 appendix B.2 with SHA-256 (u = 32, v = 64). `id` 1 = key, 2 = IV, 3 = MAC key. */
export function pkcs12Kdf(password: string, salt: Buffer, id: 1 | 2 | 3, iterations: number, length: number): Buffer {
  const u = 32;
  const v = 64;
  const pw = password.length ? bmpWithNul(password) : Buffer.alloc(0);
  const fill = (b: Buffer) => {
    if (b.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(b.length / v));
    for (let i = 0; i < out.length; i++) out[i] = b[i % b.length];
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(pw)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let A = createHash('sha256').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha256').update(A).digest();
    out.push(A);
    if (produced + u >= length) break;
    const B = fill(A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k] + B[k] + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, length);
}

function bmpWithNul(s: string): Buffer {
  const b = Buffer.from(`${s}\u0000`, 'utf16le');
  b.swap16();
  return b;
}

const algId = (oid: string, params?: Buffer) => der.sequence(der.oid(oid), ...(params ? [params] : []));
const attribute = (oid: string, value: Buffer) => der.sequence(der.oid(oid), der.setOf(value));
const contentInfoData = (content: Buffer) => der.sequence(der.oid(OID.data), der.context(0, true, der.octetString(content)));

function shroudKey(pkcs8: Buffer, password: string): Buffer {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  key.fill(0);
  const pbes2Params = der.sequence(
    algId(OID.pbkdf2, der.sequence(der.octetString(salt), der.integer(ITERATIONS), algId(OID.hmacWithSha256, der.nul()))),
    algId(OID.aes256Cbc, der.octetString(iv)),
  );
  return der.sequence(algId(OID.pbes2, pbes2Params), der.octetString(encrypted));
}

/** Encodes the PFX. `password` should be random (see `randomPassword`). */
export function encodeTempPkcs12(input: TempPkcs12Input, password: string): Buffer {
  if (input.chain.length === 0) throw new Error('encodeTempPkcs12: empty chain');
  const localKeyId = createHash('sha1').update(input.chain[0]).digest();
  const leafAttrs = der.setOf(attribute(OID.friendlyName, der.bmpString(input.friendlyName)), attribute(OID.localKeyId, der.octetString(localKeyId)));
  const certBags = input.chain.map((cert, i) =>
    der.sequence(
      der.oid(OID.certBag),
      der.context(0, true, der.sequence(der.oid(OID.x509Certificate), der.context(0, true, der.octetString(cert)))),
      ...(i === 0 ? [leafAttrs] : []),
    ),
  );
  const keyBag = der.sequence(der.oid(OID.pkcs8ShroudedKeyBag), der.context(0, true, shroudKey(input.pkcs8, password)), leafAttrs);
  const authSafe = der.sequence(contentInfoData(der.sequence(...certBags)), contentInfoData(der.sequence(keyBag)));
  const macSalt = randomBytes(16);
  const macKey = pkcs12Kdf(password, macSalt, 3, ITERATIONS, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  macKey.fill(0);
  const macData = der.sequence(der.sequence(algId(OID.sha256, der.nul()), der.octetString(mac)), der.octetString(macSalt), der.integer(ITERATIONS));
  return der.sequence(der.integer(3), contentInfoData(authSafe), macData);
}

/** A one-time password: 256 random bits, base64url (ASCII, so UTF-8 and BMPString agree). */
export function randomPassword(): string {
  return randomBytes(32).toString('base64url');
}

/** Paths of the temp file set, valid only inside the callback. */
export interface TempPkcs12Files {
  dir: string;
  p12: string;
  /** The one-time password in a 0600 file, for tools that read it from a file (pk12util -w). */
  passwordFile: string;
  password: string;
  /** Writes an extra 0600 file in the private dir (certificates for other commands). */
  writeExtra(name: string, data: Buffer): Promise<string>;
}

/**
 * Runs `fn` with a PKCS#12 of `input` in a fresh private temp directory (0700; files 0600) and
 * removes the directory afterwards, whatever happens.
 */
export async function withTempPkcs12<T>(input: TempPkcs12Input, fn: (files: TempPkcs12Files) => Promise<T>): Promise<T> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'eiddesk-install-'));
  try {
    await fsp.chmod(dir, 0o700);
    const password = randomPassword();
    const p12 = path.join(dir, 'eid.p12');
    const passwordFile = path.join(dir, 'password');
    await fsp.writeFile(p12, encodeTempPkcs12(input, password), { mode: 0o600, flag: 'wx' });
    await fsp.writeFile(passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
    const writeExtra = async (name: string, data: Buffer) => {
      const file = path.join(dir, path.basename(name));
      await fsp.writeFile(file, data, { mode: 0o600, flag: 'wx' });
      return file;
    };
    return await fn({ dir, p12, passwordFile, password, writeExtra });
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
