/**
 * Strings come in parts: the shell's (en.ts / sv.ts) and one file per feature under features/,
 * so features can be written side by side without touching one big file. This merges them into
 * one tree per language and refuses a key defined twice (a silent overwrite would show the wrong
 * text in one place).
 */

/** A tree of UI strings. */
export interface StringTree {
  readonly [key: string]: string | StringTree;
}

/** One feature's strings: English defines the shape, Swedish must match it (the compiler checks). */
export interface FeatureStrings<T extends StringTree> {
  readonly en: T;
  readonly sv: T;
}

/** Declares a feature's strings; `sv` is typed as `en`'s shape. */
export function defineStrings<T extends StringTree>(en: T, sv: NoInfer<T>): FeatureStrings<T> {
  return { en, sv };
}

/** Deep-merges string trees; throws on a key that two parts both set to a string. */
export function mergeStrings(parts: readonly StringTree[], path = ''): StringTree {
  const out: Record<string, string | StringTree> = {};
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      const here = out[k];
      if (here === undefined) out[k] = v;
      else if (typeof here === 'object' && typeof v === 'object') out[k] = mergeStrings([here, v], `${path}${k}.`);
      else throw new Error(`UI string ${path}${k} is defined twice`);
    }
  }
  return out;
}
