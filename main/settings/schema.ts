/**
 * The one settings schema: defaults < user settings < machine policy.
 *
 * IT locks any key by setting it in machine policy; the UI shows it locked and the user cannot
 * override it (not even through environment variables of a packaged build). Only what later issues
 * need is added here, one key at a time, each with a default.
 */
import { z } from 'zod';

/** Languages the UI ships. 'system' follows the OS. */
export const LANGUAGES = ['sv', 'en'] as const;

/** Settings keys and their types. Every key is optional in a layer; defaults fill the rest. */
export const settingsSchema = z.object({
  /** Extra PKCS#11 module paths, loaded before the auto-detected ones. */
  pkcs11Modules: z.array(z.string().min(1).max(1024)).max(32),
  /** Look for known middleware in the standard install locations. */
  autoDetectModules: z.boolean(),
  /** UI language; 'system' follows the OS. */
  language: z.enum(['system', ...LANGUAGES]),
});

/** Effective settings. */
export type Settings = z.infer<typeof settingsSchema>;
/** One layer (user file or policy): any subset of the keys. */
export const settingsLayerSchema = settingsSchema.partial().strict();
/** One layer's type. */
export type SettingsLayer = z.infer<typeof settingsLayerSchema>;
/** A settings key. */
export type SettingsKey = keyof Settings;

/** Built-in defaults. */
export const DEFAULT_SETTINGS: Settings = {
  pkcs11Modules: [],
  autoDetectModules: true,
  language: 'system',
};
