import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...files(rel));
    else if (/\.(ts|tsx|mts|cts)$/.test(name)) out.push(rel);
  }
  return out;
}
const importsOf = (src: string) => [...src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);

describe('layering rules', () => {
  it("only main/app and preload/index.ts import 'electron' at run time", () => {
    const offenders = [...files('main'), ...files('preload'), ...files('renderer'), ...files('dev')]
      .filter((f) => !f.startsWith(join('main', 'app')) && f !== join('preload', 'index.ts'))
      .filter((f) => importsOf(readFileSync(join(root, f), 'utf8')).includes('electron'));
    expect(offenders).toEqual([]);
  });

  it('main/app/policy.ts uses Electron types only (its tests run without Electron)', () => {
    const src = readFileSync(join(root, 'main', 'app', 'policy.ts'), 'utf8');
    expect(src).toMatch(/import type \{[^}]*\} from 'electron'/);
    expect(src).not.toMatch(/^import \{[^}]*\} from 'electron'/m);
  });

  it('the renderer never imports from main/', () => {
    const offenders = files('renderer').filter((f) => importsOf(readFileSync(join(root, f), 'utf8')).some((i) => /(^|\/)main\//.test(relative(root, join(root, f, '..', i)))));
    expect(offenders).toEqual([]);
  });

  it('services never import the shell', () => {
    const offenders = files('main')
      .filter((f) => !f.startsWith(join('main', 'app')))
      .filter((f) => importsOf(readFileSync(join(root, f), 'utf8')).some((i) => /(^|\/)app\//.test(i) && i.startsWith('.')));
    expect(offenders).toEqual([]);
  });
});
