/**
 * Where PKCS#11 modules live on each OS.
 *
 * The first pain in every peer's tracker is "the user does not know the module path". We look in
 * the places the known middleware installs to (SoftHSM2, OpenSC, the SITHS eID app's SafeNet
 * module, Net iD) and add the paths configured by the user or by policy.
 */
import { existsSync, realpathSync } from 'node:fs';
import { profileFor } from './profiles';

/** A module we will try to load, and why it is on the list. */
export interface ModuleCandidate {
  path: string;
  name: string;
  source: 'detected' | 'configured';
}

/** Well-known install locations per platform. Environment variables are expanded on Windows. */
export function knownModulePaths(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  switch (platform) {
    case 'win32': {
      const sys = `${env.SystemRoot ?? 'C:\\Windows'}\\System32`;
      const pf = env.ProgramFiles ?? 'C:\\Program Files';
      const pf86 = env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)';
      return [
        `${sys}\\eTPKCS11.dll`,
        `${pf}\\SITHS eID\\eTPKCS11.dll`,
        `${pf}\\Net iD\\Client\\iidp11.dll`,
        `${pf86}\\Net iD\\Client\\iidp11.dll`,
        `${sys}\\iidp11.dll`,
        `${pf}\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll`,
        `${pf}\\SoftHSM2\\lib\\softhsm2-x64.dll`,
      ];
    }
    case 'darwin':
      return [
        '/usr/local/lib/libeTPkcs11.dylib',
        '/Library/Frameworks/eToken.framework/Versions/A/libeToken.dylib',
        '/Library/Application Support/Net iD/Client/libiidp11.dylib',
        '/Library/OpenSC/lib/opensc-pkcs11.so',
        '/opt/homebrew/lib/softhsm/libsofthsm2.so',
        '/usr/local/lib/softhsm/libsofthsm2.so',
      ];
    default:
      return [
        '/usr/lib/libeTPkcs11.so',
        '/usr/lib/x86_64-linux-gnu/libeTPkcs11.so',
        '/usr/lib/libiidp11.so',
        '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so',
        '/usr/lib/opensc-pkcs11.so',
        '/usr/lib/softhsm/libsofthsm2.so',
        '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
      ];
  }
}

/**
 * The modules to load: configured paths first (in order, even if missing, so the user sees why
 * they fail), then detected ones that exist, without duplicates.
 */
export function resolveModules(opts: {
  configured: readonly string[];
  autoDetect: boolean;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  exists?: (p: string) => boolean;
  realpath?: (p: string) => string;
}): ModuleCandidate[] {
  const exists = opts.exists ?? existsSync;
  const realpath = opts.realpath ?? realpathSync;
  const out: ModuleCandidate[] = [];
  const seen = new Set<string>();
  const add = (path: string, source: ModuleCandidate['source']) => {
    // The same library under two names (Debian links) would show every token twice.
    let key = path.toLowerCase();
    try {
      key = realpath(path).toLowerCase();
    } catch {
      /* missing: keep the name, the scan reports why */
    }
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, name: profileFor(path).name, source });
  };
  for (const p of opts.configured) add(p, 'configured');
  if (opts.autoDetect) {
    for (const p of knownModulePaths(opts.platform ?? process.platform, opts.env ?? process.env)) if (exists(p)) add(p, 'detected');
  }
  return out;
}
