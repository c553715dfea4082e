/**
 * Windows: the current user's personal store, CurrentUser\My, with a non-exportable key.
 *
 * Commands (Windows PowerShell 5.1, always present; the PKI module ships with Windows 8+):
 * ```
 * powershell.exe -NoLogo -NoProfile -NonInteractive -Command <INSTALL_SCRIPT>
 *   env   EIDDESK_PFX=<temp .p12>  EIDDESK_CA_FILES=<intermediate .cer files, '|'-separated>
 *   stdin <one-time password of the temp .p12>\n
 * ```
 * The script reads the password from stdin into a SecureString and runs
 * `Import-PfxCertificate -FilePath $env:EIDDESK_PFX -CertStoreLocation Cert:\CurrentUser\My -Password $s`
 * without `-Exportable`, which makes the key non-exportable (the cmdlet's default). It then
 * imports the intermediates into CurrentUser\CA with `Import-Certificate`. The temp PFX holds only
 * the leaf and its key, because Import-PfxCertificate puts *every* certificate of a PFX into the
 * target store, and CA certificates do not belong in My. The root is not added: writing to
 * CurrentUser\Root pops a security dialog and roots of real e-ID issuers come with Windows' root
 * program.
 *
 * Why this shape: no secret on any command line (the password goes through stdin; file paths
 * through the environment, so no quoting of user data into a script is ever needed); the scripts
 * are constants in single quotes only, passed with -Command rather than -EncodedCommand, which
 * endpoint-protection products commonly flag. The temp PFX uses AES-256/SHA-256 (Windows 10 1709+).
 *
 * Listing: `Get-ChildItem Cert:\CurrentUser\My` printing HasPrivateKey and the DER as base64.
 * Removal: by thumbprint (SHA-1, from the environment, checked against ^[0-9A-F]{40}$ inside the
 * script) with `Remove-Item -DeleteKey`, which removes the certificate and its key container.
 */
import { createHash } from 'node:crypto';
import { EidError } from '../../errors';
import { parseCertificate, type CertificateInfo } from '../../pki/certificate';
import { findOlderIn } from './older';
import { runChecked, spawnRunner, type CommandRunner, type CommandSpec } from './runner';
import { withTempPkcs12 } from './temp-p12';
import type { InstallMaterial, InstalledCert, OlderCertificate, OsStoreInstaller } from './types';

/** The store path, for messages and records. */
export const WINDOWS_STORE = 'Cert:\\CurrentUser\\My';

const POWERSHELL = 'powershell.exe';
const PS_ARGS = ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command'];

/** Install script. Constant: data comes only from $env and stdin. */
export const INSTALL_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '$p = [Console]::In.ReadLine()',
  '$s = ConvertTo-SecureString -String $p -AsPlainText -Force',
  '$p = $null',
  "$c = Import-PfxCertificate -FilePath $env:EIDDESK_PFX -CertStoreLocation 'Cert:\\CurrentUser\\My' -Password $s",
  "foreach ($f in ($env:EIDDESK_CA_FILES -split '\\|')) { if ($f) { Import-Certificate -FilePath $f -CertStoreLocation 'Cert:\\CurrentUser\\CA' | Out-Null } }",
  '$c | ForEach-Object { $_.Thumbprint }',
].join('; ');

/** List script: one line per certificate, "<HasPrivateKey> <base64 DER>". */
export const LIST_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  "Get-ChildItem -Path 'Cert:\\CurrentUser\\My' | ForEach-Object { '{0} {1}' -f $_.HasPrivateKey, [Convert]::ToBase64String($_.RawData) }",
].join('; ');

/** Remove script: thumbprint from the environment, validated before use. */
export const REMOVE_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '$t = $env:EIDDESK_THUMBPRINT',
  "if ($t -cnotmatch '^[0-9A-F]{40}$') { throw 'invalid thumbprint' }",
  "$c = Get-Item -LiteralPath ('Cert:\\CurrentUser\\My\\' + $t)",
  'if ($c.HasPrivateKey) { Remove-Item -LiteralPath $c.PSPath -DeleteKey } else { Remove-Item -LiteralPath $c.PSPath }',
].join('; ');

/** The exact command that installs a temp PFX (exported for tests and docs). */
export function installCommand(pfxPath: string, caFiles: string[], password: string): CommandSpec {
  return {
    command: POWERSHELL,
    args: [...PS_ARGS, INSTALL_SCRIPT],
    env: { EIDDESK_PFX: pfxPath, EIDDESK_CA_FILES: caFiles.join('|') },
    stdin: `${password}\n`,
    timeoutMs: 120_000,
  };
}

/** The exact command that lists CurrentUser\My. */
export function listCommand(): CommandSpec {
  return { command: POWERSHELL, args: [...PS_ARGS, LIST_SCRIPT] };
}

/** The exact command that removes one certificate (and its key) by thumbprint. */
export function removeCommand(thumbprint: string): CommandSpec {
  return { command: POWERSHELL, args: [...PS_ARGS, REMOVE_SCRIPT], env: { EIDDESK_THUMBPRINT: thumbprint } };
}

/** Windows thumbprint: SHA-1 of the DER, upper-case hex. */
export function thumbprint(certDer: Buffer): string {
  return createHash('sha1').update(certDer).digest('hex').toUpperCase();
}

/** Options for the Windows installer. */
export interface WindowsInstallerOptions {
  runner?: CommandRunner;
  platform?: NodeJS.Platform;
}

/** The Windows CurrentUser\My installer. */
export class WindowsMyInstaller implements OsStoreInstaller {
  readonly kind = 'windows-my' as const;
  readonly location = WINDOWS_STORE;
  readonly #runner: CommandRunner;
  readonly #platform: NodeJS.Platform;

  constructor(options: WindowsInstallerOptions = {}) {
    this.#runner = options.runner ?? spawnRunner;
    this.#platform = options.platform ?? process.platform;
  }

  async available(): Promise<boolean> {
    if (this.#platform !== 'win32') return false;
    try {
      const r = await this.#runner.run({ command: POWERSHELL, args: [...PS_ARGS, 'Get-Command Import-PfxCertificate | Out-Null'], timeoutMs: 30_000 });
      return r.code === 0;
    } catch {
      return false;
    }
  }

  async install(material: InstallMaterial): Promise<InstalledCert> {
    if (material.chain.length === 0) throw new EidError('no-certificate', 'There is no certificate to install.');
    const leaf = parseCertificate(material.chain[0]);
    const expected = thumbprint(leaf.der);
    const out = await withTempPkcs12({ pkcs8: material.pkcs8, chain: [material.chain[0]], friendlyName: material.friendlyName }, async (files) => {
      const caFiles: string[] = [];
      for (let i = 1; i < material.chain.length; i++) {
        const c = parseCertificate(material.chain[i]);
        if (!c.info.selfIssued) caFiles.push(await files.writeExtra(`ca${i}.cer`, c.der));
      }
      return runChecked(this.#runner, installCommand(files.p12, caFiles, files.password), 'Importing into the Windows certificate store');
    });
    if (!out.stdout.split(/\r?\n/).map((l) => l.trim().toUpperCase()).includes(expected)) {
      throw new EidError('os-store-failed', 'Windows did not report the certificate as imported into CurrentUser\\My.', { thumbprint: expected });
    }
    return { store: 'windows-my', fingerprintSha256: leaf.info.fingerprintSha256, reference: expected, hasPrivateKey: true, info: leaf.info };
  }

  async list(): Promise<InstalledCert[]> {
    const r = await runChecked(this.#runner, listCommand(), 'Listing the Windows certificate store');
    const out: InstalledCert[] = [];
    for (const line of r.stdout.split(/\r?\n/)) {
      const m = /^(True|False)\s+([A-Za-z0-9+/=]+)\s*$/.exec(line.trim());
      if (!m) continue;
      try {
        const c = parseCertificate(Buffer.from(m[2], 'base64'));
        out.push({ store: 'windows-my', fingerprintSha256: c.info.fingerprintSha256, reference: thumbprint(c.der), hasPrivateKey: m[1] === 'True', info: c.info });
      } catch {
        // unreadable certificate: not ours to judge
      }
    }
    return out;
  }

  async findOlder(sameIdentityAs: CertificateInfo): Promise<OlderCertificate[]> {
    return findOlderIn(await this.list(), sameIdentityAs, this.location);
  }

  async remove(fingerprintSha256: string): Promise<void> {
    const target = (await this.list()).find((c) => c.fingerprintSha256 === fingerprintSha256);
    if (!target) throw new EidError('not-found', 'That certificate is not in CurrentUser\\My (any more).');
    await runChecked(this.#runner, removeCommand(target.reference), 'Removing from the Windows certificate store');
  }
}
