/** Builds the bundles integration tests run as whole processes (the CLI, dev helpers), once per run. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

const built = new Set<string>();

/** Runs scripts/build.mjs for the targets unless this process built them already. */
export async function ensureBuilt(...targets: string[]): Promise<void> {
  const todo = targets.filter((t) => !built.has(t));
  if (!todo.length) return;
  // scripts/test.mjs builds everything first; a single test file run builds what it needs.
  const fresh = process.env.EIDDESK_BUILT === '1' && todo.every((t) => existsSync(join(root, 'dist', t === 'cli' ? 'cli.cjs' : `${t}.cjs`)));
  if (!fresh) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), ...todo], { stdio: 'inherit' });
  todo.forEach((t) => built.add(t));
}
