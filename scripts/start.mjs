// `npm start`: the app in Electron where its binary exists; otherwise, in one line, why not, and
// the preview host (same renderer, same services) in its place.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectron } from './electron-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electron = findElectron();
const forcePreview = process.argv.includes('--preview');
let child;
if (electron.path && !forcePreview) {
  child = spawn(electron.path, [join(root, 'dist', 'main', 'app.cjs')], { stdio: 'inherit' });
} else {
  if (!forcePreview) console.log(`Electron is not available (${electron.reason}): starting the preview in its place.`);
  child = spawn(process.execPath, [join(root, 'dist', 'preview.cjs')], { stdio: 'inherit' });
}
const forward = (sig) => () => child.kill(sig);
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 0));
