/**
 * Machine policy from the Windows registry (HKLM\SOFTWARE\Policies\eID Desk), as set by Group
 * Policy through our ADMX template or by an MSI transform. Read with `reg.exe query`, which every
 * Windows has and which needs no native module; the parser is pure and unit-tested.
 *
 * Value mapping: REG_SZ and REG_EXPAND_SZ -> string, REG_DWORD -> number (0/1 -> boolean for
 * boolean keys), REG_MULTI_SZ -> string[] (reg.exe prints items separated by "\0").
 */
import { execFile } from 'node:child_process';
import type { SettingsStore } from './settings';

/** Registry key holding our policy values. */
export const POLICY_KEY = 'HKLM\\SOFTWARE\\Policies\\eID Desk';

const BOOLEAN_KEYS = new Set(['autoDetectModules']);

/** Parses `reg query KEY` output into a settings layer (unknown keys are kept for the schema to report). */
export function parseRegQuery(output: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of output.split(/\r?\n/)) {
    const m = /^\s{2,}(\S+)\s+(REG_SZ|REG_EXPAND_SZ|REG_DWORD|REG_MULTI_SZ)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, name, type, raw] = m;
    if (type === 'REG_DWORD') {
      const n = Number.parseInt(raw, 16);
      out[name] = BOOLEAN_KEYS.has(name) ? n !== 0 : n;
    } else if (type === 'REG_MULTI_SZ') {
      out[name] = raw.split('\\0').filter((s) => s.length > 0);
    } else {
      out[name] = raw;
    }
  }
  return out;
}

/** Runs reg.exe; a missing key is an empty policy, not an error. */
export function readRegistryPolicy(): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    execFile('reg.exe', ['query', POLICY_KEY], { windowsHide: true, timeout: 5000 }, (err, stdout) => resolve(err ? {} : parseRegQuery(stdout)));
  });
}

/** A store that merges several machine-level sources (file first, registry wins). */
export function mergedStore(...sources: Array<() => unknown>): SettingsStore {
  return {
    read() {
      const merged: Record<string, unknown> = {};
      for (const s of sources) {
        const v = s();
        if (v && typeof v === 'object') Object.assign(merged, v);
      }
      return merged;
    },
  };
}
