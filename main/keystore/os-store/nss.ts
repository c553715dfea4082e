/**
 * Linux: the NSS shared database (`sql:~/.pki/nssdb`), which Chromium-based browsers and many
 * other programs read; Firefox uses its own profile DB, which this installer can target too
 * by `dir`.
 *
 * Tools: certutil and pk12util (Debian/Ubuntu: libnss3-tools). Import goes through a temporary
 * PKCS#12 (temp-p12.ts) protected by a random one-time password passed with `-w FILE` (0600),
 * never on argv.
 *
 * Removing one certificate precisely is the hard part: NSS gives every certificate with the same
 * subject the same nickname, and `certutil -D -n NICK` removes whichever of them NSS finds "best"
 * (the newest), which for "remove the old one" is exactly the wrong one. So removal is:
 * 1. delete the private key by its CKA_ID (`certutil -F -k ID`; the id is computed from the
 *    certificate's public key, as NSS does: SHA-1 of the RSA modulus or the EC point), which is
 *    exact; then
 * 2. delete certificates by nickname until the target is gone, and put back any other
 *    certificate that went with it (`certutil -A -t ,,`; its key is untouched, so NSS pairs them
 *    again and it is a user certificate as before). Certificates put back are only end-entity
 *    ones; if a CA certificate shares the nickname, removal refuses rather than risk its trust.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EidError } from '../../errors';
import * as der from '../../pki/der';
import { parseCertificate, type CertificateInfo } from '../../pki/certificate';
import { findOlderIn } from './older';
import { runChecked, spawnRunner, type CommandRunner } from './runner';
import { withTempPkcs12 } from './temp-p12';
import type { InstallMaterial, InstalledCert, OlderCertificate, OsStoreInstaller } from './types';

/** Options for the NSS installer. */
export interface NssInstallerOptions {
  /** The database directory; default ~/.pki/nssdb (the shared DB). */
  dir?: string;
  runner?: CommandRunner;
  /**
   * The database password, for a DB that has one (Firefox's primary password). Passed to the
   * tools in a 0600 temp file. Most shared DBs have none.
   */
  dbPassword?: string;
}

/** The default shared NSS DB of the current user. */
export function defaultNssDir(home: string = os.homedir()): string {
  return path.join(home, '.pki', 'nssdb');
}

/**
 * NSS's CKA_ID for the key of a certificate: SHA-1 of the RSA modulus (no leading zeros) or of
 * the EC public point. Null for key types NSS identifies otherwise.
 */
export function nssKeyId(spki: Buffer): string | null {
  const [algNode, keyNode] = der.seq(der.decode(spki), 'spki');
  const alg = der.readOid(der.seq(algNode, 'algorithm')[0], 'algorithm');
  const bits = der.expectTag(keyNode, der.Tag.BIT_STRING, 'subjectPublicKey').value.subarray(1);
  if (alg === '1.2.840.113549.1.1.1') {
    const [modulus] = der.seq(der.decode(bits), 'RSAPublicKey');
    let m = der.expectTag(modulus, der.Tag.INTEGER, 'modulus').value;
    while (m.length > 1 && m[0] === 0) m = m.subarray(1);
    return createHash('sha1').update(m).digest('hex');
  }
  if (alg === '1.2.840.10045.2.1') return createHash('sha1').update(bits).digest('hex');
  return null;
}

/** Parses `certutil -L` into nicknames (trust flags are the last column; nicknames may contain spaces). */
export function parseCertutilList(stdout: string): string[] {
  const names: string[] = [];
  let inTable = false;
  for (const line of stdout.split(/\r?\n/)) {
    if (!inTable) {
      if (line.includes('SSL,S/MIME,JAR/XPI')) inTable = true;
      continue;
    }
    const m = /^(.*\S)\s+([A-Za-z]*,[A-Za-z]*,[A-Za-z]*)\s*$/.exec(line);
    if (m && !names.includes(m[1])) names.push(m[1]);
  }
  return names;
}

/** Parses `certutil -K` into key ids (hex). */
export function parseCertutilKeys(stdout: string): Set<string> {
  const ids = new Set<string>();
  for (const m of stdout.matchAll(/^<\s*\d+>\s+\S+\s+([0-9a-f]{40})\s/gm)) ids.add(m[1]);
  return ids;
}

/** DER certificates from PEM text. */
export function pemCertificates(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  return out;
}

/** The NSS installer. */
export class NssInstaller implements OsStoreInstaller {
  readonly kind = 'nss' as const;
  readonly location: string;
  readonly #runner: CommandRunner;
  readonly #dbPassword: string | undefined;

  constructor(options: NssInstallerOptions = {}) {
    this.location = path.resolve(options.dir ?? defaultNssDir());
    this.#runner = options.runner ?? spawnRunner;
    this.#dbPassword = options.dbPassword;
  }

  get #db(): string {
    return `sql:${this.location}`;
  }

  /** Both tools can be started (neither has an option that exits 0 without work: any exit code counts). */
  async available(): Promise<boolean> {
    try {
      await this.#runner.run({ command: 'certutil', args: ['-H'], timeoutMs: 10_000 });
      await this.#runner.run({ command: 'pk12util', args: [], timeoutMs: 10_000 });
      return true;
    } catch {
      return false;
    }
  }

  async #dbExists(): Promise<boolean> {
    for (const f of ['cert9.db', 'cert8.db']) {
      try {
        await fsp.access(path.join(this.location, f));
        return true;
      } catch {
        // next
      }
    }
    return false;
  }

  /** Creates the DB (empty password, as browsers do) when the directory has none. */
  async #ensureDb(): Promise<void> {
    if (await this.#dbExists()) return;
    await fsp.mkdir(this.location, { recursive: true, mode: 0o700 });
    await runChecked(this.#runner, { command: 'certutil', args: ['-N', '-d', this.#db, '--empty-password'] }, 'Creating the NSS database');
  }

  /** Runs `fn` with the password-file arguments for `flag` (-f for certutil, -k for pk12util). */
  async #withDbPassword<T>(flag: '-f' | '-k', fn: (args: string[]) => Promise<T>): Promise<T> {
    if (this.#dbPassword === undefined) return fn([]);
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'eiddesk-nss-'));
    try {
      const file = path.join(dir, 'dbpw');
      await fsp.writeFile(file, `${this.#dbPassword}\n`, { mode: 0o600, flag: 'wx' });
      return await fn([flag, file]);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  async install(material: InstallMaterial): Promise<InstalledCert> {
    if (material.chain.length === 0) throw new EidError('no-certificate', 'There is no certificate to install.');
    const fingerprint = parseCertificate(material.chain[0]).info.fingerprintSha256;
    await this.#ensureDb();
    await withTempPkcs12(material, (files) =>
      this.#withDbPassword('-k', (pwArgs) =>
        runChecked(this.#runner, { command: 'pk12util', args: ['-i', files.p12, '-d', this.#db, '-w', files.passwordFile, ...pwArgs] }, 'Importing into the NSS database'),
      ),
    );
    const found = (await this.list()).find((c) => c.fingerprintSha256 === fingerprint);
    if (!found) throw new EidError('os-store-failed', 'The NSS database accepted the import but does not list the certificate afterwards.', { location: this.location });
    return found;
  }

  async #keyIds(): Promise<Set<string> | null> {
    const r = await this.#withDbPassword('-f', (pwArgs) => this.#runner.run({ command: 'certutil', args: ['-K', '-d', this.#db, ...pwArgs] }));
    if (r.code !== 0) return /no keys found/i.test(r.stderr + r.stdout) ? new Set() : null;
    return parseCertutilKeys(r.stdout);
  }

  async #certsByNickname(nickname: string): Promise<Buffer[]> {
    const r = await this.#runner.run({ command: 'certutil', args: ['-L', '-d', this.#db, '-n', nickname, '-a'] });
    return r.code === 0 ? pemCertificates(r.stdout) : [];
  }

  async list(): Promise<InstalledCert[]> {
    if (!(await this.#dbExists())) return [];
    const listing = await runChecked(this.#runner, { command: 'certutil', args: ['-L', '-d', this.#db] }, 'Listing the NSS database');
    const keys = await this.#keyIds();
    const out: InstalledCert[] = [];
    const seen = new Set<string>();
    for (const nickname of parseCertutilList(listing.stdout)) {
      for (const certDer of await this.#certsByNickname(nickname)) {
        let parsed;
        try {
          parsed = parseCertificate(certDer);
        } catch {
          continue; // a certificate we cannot read is not one we installed or can judge
        }
        if (seen.has(parsed.info.fingerprintSha256)) continue;
        seen.add(parsed.info.fingerprintSha256);
        let keyId: string | null = null;
        try {
          keyId = nssKeyId(parsed.spki);
        } catch {
          keyId = null;
        }
        out.push({
          store: 'nss',
          fingerprintSha256: parsed.info.fingerprintSha256,
          reference: nickname,
          hasPrivateKey: keys && keyId ? keys.has(keyId) : null,
          info: parsed.info,
        });
      }
    }
    return out;
  }

  async findOlder(sameIdentityAs: CertificateInfo): Promise<OlderCertificate[]> {
    return findOlderIn(await this.list(), sameIdentityAs, this.location);
  }

  async remove(fingerprintSha256: string): Promise<void> {
    const all = await this.list();
    const target = all.find((c) => c.fingerprintSha256 === fingerprintSha256);
    if (!target) throw new EidError('not-found', 'That certificate is not in the NSS database (any more).', { location: this.location });
    const nickname = target.reference;
    const sharing = all.filter((c) => c.reference === nickname && c.fingerprintSha256 !== fingerprintSha256);
    if (sharing.some((c) => c.info.isCA)) {
      throw new EidError('os-store-failed', 'This certificate shares its name in the NSS database with a CA certificate, so it cannot be removed precisely here. Remove it in the browser\'s certificate manager.', { location: this.location });
    }
    const targetDer = await this.#derOf(nickname, fingerprintSha256);
    const keyId = targetDer ? nssKeyId(parseCertificate(targetDer).spki) : null;
    if (target.hasPrivateKey && keyId) {
      await this.#withDbPassword('-f', (pwArgs) =>
        runChecked(this.#runner, { command: 'certutil', args: ['-F', '-d', this.#db, '-k', keyId, ...pwArgs] }, 'Removing the private key from the NSS database'),
      );
    }
    const removedOthers: Buffer[] = [];
    try {
      for (let i = 0; i <= sharing.length; i++) {
        const before = await this.#certsByNickname(nickname);
        if (!before.some((d) => fp(d) === fingerprintSha256)) break;
        await runChecked(this.#runner, { command: 'certutil', args: ['-D', '-d', this.#db, '-n', nickname] }, 'Removing the certificate from the NSS database');
        const after = new Set((await this.#certsByNickname(nickname)).map(fp));
        for (const d of before) if (!after.has(fp(d)) && fp(d) !== fingerprintSha256) removedOthers.push(d);
      }
    } finally {
      // Put back what went with it, even if a step above failed.
      for (const d of removedOthers) await this.#addCert(nickname, d);
    }
    if ((await this.list()).some((c) => c.fingerprintSha256 === fingerprintSha256)) {
      throw new EidError('os-store-failed', 'The certificate is still in the NSS database after removal. Remove it in the browser\'s certificate manager.', { location: this.location });
    }
  }

  async #derOf(nickname: string, fingerprintSha256: string): Promise<Buffer | null> {
    return (await this.#certsByNickname(nickname)).find((d) => fp(d) === fingerprintSha256) ?? null;
  }

  async #addCert(nickname: string, certDer: Buffer): Promise<void> {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'eiddesk-nss-'));
    try {
      const file = path.join(dir, 'cert.der');
      await fsp.writeFile(file, certDer, { mode: 0o600 });
      await runChecked(this.#runner, { command: 'certutil', args: ['-A', '-d', this.#db, '-n', nickname, '-t', ',,', '-i', file] }, 'Restoring a certificate in the NSS database');
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
}

function fp(certDer: Buffer): string {
  return createHash('sha256').update(certDer).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}
