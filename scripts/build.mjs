// Builds everything the app, the CLI and the preview run: esbuild for main, preload and the CLI
// (bundled so the CLI starts fast), Vite for the renderer. Incremental enough to run before
// every start and test; `--watch` is not needed for the preview (it serves the built files).
import { build } from 'esbuild';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const common = { logOverride: { 'empty-import-meta': 'silent' }, bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root };

mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'package.json'), '{ "type": "commonjs" }\n');

const jobs = [];
if (want('cli')) {
  // One small dispatcher plus one bundle per command, loaded on demand: `eiddesk tokens` parses
  // only the card code, never zod or the PKCS#12 code (start-up is most of a CLI run).
  const commands = readdirSync(join(root, 'main', 'cli')).filter((f) => f.endsWith('.ts') && f !== 'io.ts').map((f) => f.slice(0, -3));
  const splitCommands = {
    name: 'split-commands',
    setup(b) {
      b.onResolve({ filter: /^\.\/cli\/[a-z0-9-]+$/ }, (args) =>
        args.importer.endsWith(join('main', 'cli.ts')) && args.kind === 'dynamic-import' ? { path: `./cli-${args.path.slice(6)}.cjs`, external: true } : undefined,
      );
      // A command that hands a subcommand to another command (`p12 import` -> keystore) loads that
      // command's own bundle when used, so `p12 inspect` does not parse the keystore code.
      b.onResolve({ filter: /^\.\/[a-z0-9-]+$/ }, (args) =>
        args.kind === 'dynamic-import' && dirname(args.importer) === join(root, 'main', 'cli') && commands.includes(args.path.slice(2))
          ? { path: `./cli-${args.path.slice(2)}.cjs`, external: true }
          : undefined,
      );
      // Commands load the full service graph (settings, zod) only when they need it.
      b.onResolve({ filter: /^\.\.\/services$/ }, (args) => (args.kind === 'dynamic-import' ? { path: './cli-services.cjs', external: true } : undefined));
    },
  };
  const cliOpts = { ...common, format: 'cjs', external: ['pkcs11js'], minifyWhitespace: true, supported: { 'dynamic-import': false } };
  jobs.push(build({ ...cliOpts, entryPoints: ['main/cli-entry.ts'], outfile: 'dist/cli.cjs', plugins: [splitCommands] }));
  for (const c of commands) jobs.push(build({ ...cliOpts, entryPoints: [`main/cli/${c}.ts`], outfile: `dist/cli-${c}.cjs`, plugins: [splitCommands] }));
  jobs.push(build({ ...cliOpts, entryPoints: ['main/services.ts'], outfile: 'dist/cli-services.cjs' }));
}
if (want('dev')) {
  jobs.push(build({ ...common, entryPoints: ['dev/index.ts'], outfile: 'dist/dev.cjs', format: 'cjs', external: ['pkcs11js'] }));
}
if (want('preview')) {
  jobs.push(build({ ...common, entryPoints: ['dev/preview-main.ts'], outfile: 'dist/preview.cjs', format: 'cjs', external: ['pkcs11js', 'playwright-core'] }));
}
if (want('app')) {
  jobs.push(build({ ...common, entryPoints: ['main/app/main.ts'], outfile: 'dist/main/app.cjs', format: 'cjs', external: ['electron', 'pkcs11js'] }));
  // Sandboxed preloads can require only 'electron': everything else is bundled in.
  jobs.push(build({ ...common, entryPoints: ['preload/index.ts'], outfile: 'dist/preload/index.cjs', format: 'cjs', platform: 'browser', external: ['electron'] }));
}
if (want('renderer')) {
  const { build: viteBuild } = await import('vite');
  jobs.push(viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' }));
}
await Promise.all(jobs);
