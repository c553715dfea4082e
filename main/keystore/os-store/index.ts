/**
 * OS-store installers: pick the one for this platform.
 */
import { MacosKeychainInstaller, type MacosInstallerOptions } from './macos';
import { NssInstaller, type NssInstallerOptions } from './nss';
import { WindowsMyInstaller, type WindowsInstallerOptions } from './windows';
import type { OsStoreInstaller } from './types';

export * from './types';
export { NssInstaller, defaultNssDir } from './nss';
export { WindowsMyInstaller } from './windows';
export { MacosKeychainInstaller, loginKeychain } from './macos';
export { findOlderIn } from './older';

/** Options passed through to whichever installer the platform gets. */
export type OsStoreOptions = NssInstallerOptions & WindowsInstallerOptions & MacosInstallerOptions;

/**
 * The installer of this platform's user store: CurrentUser\My on Windows, the login keychain on
 * macOS, the NSS shared DB elsewhere (Linux, BSDs), where browsers look for client certificates.
 */
export function osStoreInstaller(platform: NodeJS.Platform = process.platform, options: OsStoreOptions = {}): OsStoreInstaller {
  if (platform === 'win32') return new WindowsMyInstaller({ ...options, platform });
  if (platform === 'darwin') return new MacosKeychainInstaller({ ...options, platform });
  return new NssInstaller(options);
}
