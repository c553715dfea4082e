/**
 * Settings service: merges defaults, the user's settings and machine policy, and writes user
 * changes. Storage is injected so the app can use electron-store while the CLI, the preview and
 * tests use a plain JSON file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EidError } from '../errors';
import { DEFAULT_SETTINGS, settingsLayerSchema, type Settings, type SettingsKey, type SettingsLayer } from './schema';

/** Where one layer is read from (and, for the user layer, written to). */
export interface SettingsStore {
  read(): unknown;
  write?(layer: SettingsLayer): void;
}

/** A JSON file store; missing file = empty layer. Writes are atomic (temp file + rename). */
export function jsonFileStore(path: string): SettingsStore {
  return {
    read() {
      if (!existsSync(path)) return {};
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    },
    write(layer) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(layer, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, path);
    },
  };
}

/** Problems found while reading a layer: shown in diagnostics, never fatal. */
export interface SettingsIssue {
  layer: 'user' | 'policy';
  message: string;
}

/** Effective settings plus which keys policy locks. */
export interface SettingsView {
  values: Settings;
  locked: SettingsKey[];
  issues: SettingsIssue[];
}

function readLayer(store: SettingsStore | undefined, layer: 'user' | 'policy', issues: SettingsIssue[]): SettingsLayer {
  if (!store) return {};
  let raw: unknown;
  try {
    raw = store.read();
  } catch (err) {
    issues.push({ layer, message: `could not read: ${(err as Error).message}` });
    return {};
  }
  const parsed = settingsLayerSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  // Keep the valid keys of a partly broken file; report the rest.
  const out: Record<string, unknown> = {};
  const obj = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    const one = settingsLayerSchema.safeParse({ [k]: v });
    if (one.success) Object.assign(out, one.data);
    else issues.push({ layer, message: `ignored invalid key '${k}'` });
  }
  return out as SettingsLayer;
}

/** The settings service. */
export class SettingsService {
  constructor(private readonly stores: { user?: SettingsStore; policy?: SettingsStore }) {}

  /** Current effective settings, re-read each time so policy changes apply without a restart. */
  view(): SettingsView {
    const issues: SettingsIssue[] = [];
    const user = readLayer(this.stores.user, 'user', issues);
    const policy = readLayer(this.stores.policy, 'policy', issues);
    return { values: { ...DEFAULT_SETTINGS, ...user, ...policy }, locked: Object.keys(policy) as SettingsKey[], issues };
  }

  /** Effective settings only. */
  get(): Settings {
    return this.view().values;
  }

  /** Changes user settings. Refuses keys locked by policy with 'locked-by-policy'. */
  update(patch: SettingsLayer): SettingsView {
    const parsed = settingsLayerSchema.parse(patch);
    const { locked } = this.view();
    const blocked = Object.keys(parsed).filter((k) => locked.includes(k as SettingsKey));
    if (blocked.length) throw new EidError('locked-by-policy', `Your organisation has locked ${blocked.join(', ')}.`, { keys: blocked.join(',') });
    if (!this.stores.user?.write) throw new EidError('unavailable', 'Settings cannot be saved here.');
    const issues: SettingsIssue[] = [];
    this.stores.user.write({ ...readLayer(this.stores.user, 'user', issues), ...parsed });
    return this.view();
  }
}

/** Machine policy file per OS (Windows also has the registry, read by main/app). */
export function policyFilePath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  if (platform === 'win32') return `${env.ProgramData ?? 'C:\\ProgramData'}\\eID Desk\\policy.json`;
  if (platform === 'darwin') return '/Library/Application Support/eID Desk/policy.json';
  return '/etc/eiddesk/policy.json';
}
