/**
 * Composition root: builds the service graph once. Used by the Electron app, the CLI and the
 * preview, each passing what differs (where settings live, the OS protection layer, the clock).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CardOperations } from './card/operations';
import { CardService } from './card/service';
import { Keystore, keystoreDir, type SecretProtector } from './keystore';
import { osStoreInstaller, type OsStoreInstaller, type OsStoreOptions } from './keystore/os-store';
import { resolveModules } from './card/modules';
import { jsonFileStore, policyFilePath, SettingsService, type SettingsStore } from './settings/settings';

/** What a host passes in. */
export interface ServiceOptions {
  /** User settings store (electron-store in the app, a JSON file elsewhere). */
  userSettings?: SettingsStore;
  /** Machine policy store (registry + file on Windows, a file elsewhere). */
  policy?: SettingsStore;
  /** Extra module paths that win over settings (CLI --module). */
  modulesOverride?: string[];
  /** Host kind, shown in app:info. */
  host: 'electron' | 'preview' | 'cli';
  version?: string;
  locale?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Where the keystore of e-IDs on file lives (default: keystoreDir(), EIDDESK_KEYSTORE_DIR wins). */
  keystoreDir?: string;
  /** The OS's protection (Electron safeStorage in the app) as a second layer around keystore files. */
  protector?: SecretProtector;
  /** Options for the OS certificate store installer (default: the user's store; EIDDESK_NSS_DIR picks another NSS database). */
  osStore?: OsStoreOptions;
}

/** The services. Later issues add issuers, checks and diagnostics here. */
export interface Services {
  readonly options: ServiceOptions;
  readonly settings: SettingsService;
  readonly cards: CardService;
  /** PIN change/unblock, test signature, key generation and orphan keys on cards. */
  readonly cardOps: CardOperations;
  /** The encrypted keystore of e-IDs on file. */
  readonly keystore: Keystore;
  /** The OS certificate store of this platform (NSS on Linux, CurrentUser\My on Windows, login keychain on macOS). */
  readonly osStore: OsStoreInstaller;
  close(): void;
}

/** Default user settings file for hosts without electron-store. */
export function defaultUserSettingsPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'eID Desk', 'settings.json');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'eID Desk', 'settings.json');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'eiddesk', 'settings.json');
}

/** Builds the services. */
export function createServices(opts: ServiceOptions): Services {
  const platform = opts.platform ?? process.platform;
  const env = opts.env ?? process.env;
  const settings = new SettingsService({
    user: opts.userSettings ?? jsonFileStore(defaultUserSettingsPath(platform, env)),
    policy: opts.policy ?? jsonFileStore(policyFilePath(platform, env)),
  });
  const cards = new CardService({
    modules: () => {
      if (opts.modulesOverride?.length) return resolveModules({ configured: opts.modulesOverride, autoDetect: false });
      const s = settings.get();
      return resolveModules({ configured: s.pkcs11Modules, autoDetect: s.autoDetectModules, platform, env });
    },
  });
  return {
    options: opts,
    settings,
    cards,
    cardOps: new CardOperations(cards),
    keystore: new Keystore({ dir: opts.keystoreDir ?? keystoreDir(env, platform), protector: opts.protector }),
    osStore: osStoreInstaller(platform, opts.osStore ?? (env.EIDDESK_NSS_DIR ? { dir: env.EIDDESK_NSS_DIR } : {})),
    close() {
      cards.close();
    },
  };
}
