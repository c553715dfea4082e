/**
 * macOS: the login keychain, with a non-extractable key, and the issuer's root trusted there
 * (seed 003: on macOS the certificate goes into the keychain and the root must be trusted).
 *
 * Commands (`/usr/bin/security`, always present):
 * ```
 * security import <temp .p12> -k ~/Library/Keychains/login.keychain-db -f pkcs12 -x -P <one-time password>
 * security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db <root .cer>
 * security find-certificate -a -p <keychain>          (list)
 * security find-identity <keychain>                   (which certificates have a key)
 * security delete-identity -Z <SHA-1> -t <keychain>   (remove certificate + key + trust settings)
 * security delete-certificate -Z <SHA-1> -t <keychain> (a certificate without key)
 * ```
 * `-x` makes the imported key non-extractable. No `-A`/`-T`: the key's access list stays the
 * default, so the first program to use it (the browser) asks the user once.
 *
 * The one password on a command line: `security import` takes the PKCS#12 passphrase only with
 * `-P` (or from a GUI prompt, which cannot be scripted). What it protects is a temp file that
 * exists for about a second in a private 0700 directory readable only by this user, under a
 * random password used once; anyone able to read that file could read it as the same user anyway.
 * The user's own PIN or the e-ID's real password never appears on argv.
 *
 * Trusting the root in the user's trust settings makes macOS ask for the login password (an
 * authorisation dialog): that is intended, the user confirms trusting the issuer.
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { EidError } from '../../errors';
import { parseCertificate, type CertificateInfo } from '../../pki/certificate';
import { pemCertificates } from './nss';
import { findOlderIn } from './older';
import { runChecked, spawnRunner, type CommandRunner, type CommandSpec } from './runner';
import { withTempPkcs12 } from './temp-p12';
import type { InstallMaterial, InstalledCert, OlderCertificate, OsStoreInstaller } from './types';

const SECURITY = '/usr/bin/security';

/** The login keychain of a user. */
export function loginKeychain(home: string = os.homedir()): string {
  return path.posix.join(home, 'Library', 'Keychains', 'login.keychain-db');
}

/** `security import` of the temp PKCS#12, key non-extractable. */
export function importCommand(keychain: string, p12: string, oneTimePassword: string): CommandSpec {
  return { command: SECURITY, args: ['import', p12, '-k', keychain, '-f', 'pkcs12', '-x', '-P', oneTimePassword], timeoutMs: 120_000 };
}

/** Trusting the root for the user (asks for the login password in a dialog). */
export function trustRootCommand(keychain: string, rootCer: string): CommandSpec {
  return { command: SECURITY, args: ['add-trusted-cert', '-r', 'trustRoot', '-k', keychain, rootCer], timeoutMs: 300_000 };
}

/** Listing certificates as PEM. */
export function listCommand(keychain: string): CommandSpec {
  return { command: SECURITY, args: ['find-certificate', '-a', '-p', keychain] };
}

/** Listing identities (certificates with a private key). */
export function identitiesCommand(keychain: string): CommandSpec {
  return { command: SECURITY, args: ['find-identity', keychain] };
}

/** Removing a certificate by SHA-1: with its key when it has one, and its trust settings. */
export function removeCommand(keychain: string, sha1: string, hasKey: boolean): CommandSpec {
  return { command: SECURITY, args: [hasKey ? 'delete-identity' : 'delete-certificate', '-Z', sha1, '-t', keychain] };
}

/** Options for the macOS installer. */
export interface MacosInstallerOptions {
  keychain?: string;
  runner?: CommandRunner;
  platform?: NodeJS.Platform;
}

function sha1(d: Buffer): string {
  return createHash('sha1').update(d).digest('hex').toUpperCase();
}

/** The macOS login-keychain installer. */
export class MacosKeychainInstaller implements OsStoreInstaller {
  readonly kind = 'macos-keychain' as const;
  readonly location: string;
  readonly #runner: CommandRunner;
  readonly #platform: NodeJS.Platform;

  constructor(options: MacosInstallerOptions = {}) {
    this.location = options.keychain ?? loginKeychain();
    this.#runner = options.runner ?? spawnRunner;
    this.#platform = options.platform ?? process.platform;
  }

  async available(): Promise<boolean> {
    if (this.#platform !== 'darwin') return false;
    try {
      return (await this.#runner.run({ command: SECURITY, args: ['list-keychains'], timeoutMs: 10_000 })).code === 0;
    } catch {
      return false;
    }
  }

  async install(material: InstallMaterial): Promise<InstalledCert> {
    if (material.chain.length === 0) throw new EidError('no-certificate', 'There is no certificate to install.');
    const leaf = parseCertificate(material.chain[0]);
    const root = material.chain.length > 1 ? parseCertificate(material.chain[material.chain.length - 1]) : null;
    await withTempPkcs12(material, async (files) => {
      await runChecked(this.#runner, importCommand(this.location, files.p12, files.password), 'Importing into the keychain');
      if (root && root.info.selfIssued) {
        const rootFile = await files.writeExtra('root.cer', root.der);
        try {
          await runChecked(this.#runner, trustRootCommand(this.location, rootFile), 'Trusting the root certificate');
        } catch (err) {
          throw new EidError('os-store-failed', 'The e-ID is in the keychain, but its root certificate was not trusted (was the dialog cancelled?). Install again to retry trusting it.', { partial: true }, { cause: err });
        }
      }
    });
    return { store: 'macos-keychain', fingerprintSha256: leaf.info.fingerprintSha256, reference: sha1(leaf.der), hasPrivateKey: true, info: leaf.info };
  }

  async list(): Promise<InstalledCert[]> {
    const r = await runChecked(this.#runner, listCommand(this.location), 'Listing the keychain');
    const ids = await this.#runner.run(identitiesCommand(this.location));
    const withKey = ids.code === 0 ? new Set([...ids.stdout.matchAll(/\b([0-9A-F]{40})\b/g)].map((m) => m[1])) : null;
    const out: InstalledCert[] = [];
    for (const d of pemCertificates(r.stdout)) {
      try {
        const c = parseCertificate(d);
        const h = sha1(c.der);
        out.push({ store: 'macos-keychain', fingerprintSha256: c.info.fingerprintSha256, reference: h, hasPrivateKey: withKey ? withKey.has(h) : null, info: c.info });
      } catch {
        // unreadable certificate: skip
      }
    }
    return out;
  }

  async findOlder(sameIdentityAs: CertificateInfo): Promise<OlderCertificate[]> {
    return findOlderIn(await this.list(), sameIdentityAs, this.location);
  }

  async remove(fingerprintSha256: string): Promise<void> {
    const target = (await this.list()).find((c) => c.fingerprintSha256 === fingerprintSha256);
    if (!target) throw new EidError('not-found', 'That certificate is not in the keychain (any more).');
    await runChecked(this.#runner, removeCommand(this.location, target.reference, target.hasPrivateKey !== false), 'Removing from the keychain');
  }
}
