/**
 * Where the keystore lives by default, per OS, following each platform's convention for
 * per-user application data that must not roam to other machines (keys stay on this computer).
 * EIDDESK_KEYSTORE_DIR overrides it (tests, the CLI against a copy, support).
 */
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The keystore directory: EIDDESK_KEYSTORE_DIR if set, else
 * - Linux: $XDG_DATA_HOME/eiddesk/keystore, or ~/.local/share/eiddesk/keystore
 * - Windows: %LOCALAPPDATA%\eID Desk\keystore (Local, not Roaming: keys must not roam)
 * - macOS: ~/Library/Application Support/eID Desk/keystore
 */
export function keystoreDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  const override = env.EIDDESK_KEYSTORE_DIR;
  if (override && override.trim()) return override;
  return defaultKeystoreDir(env, platform, home);
}

/** The per-OS default, ignoring the override. */
export function defaultKeystoreDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA && env.LOCALAPPDATA.trim() ? env.LOCALAPPDATA : path.win32.join(home, 'AppData', 'Local');
    return path.win32.join(local, 'eID Desk', 'keystore');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'eID Desk', 'keystore');
  const xdg = env.XDG_DATA_HOME && path.posix.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.posix.join(home, '.local', 'share');
  return path.posix.join(xdg, 'eiddesk', 'keystore');
}
