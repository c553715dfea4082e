/**
 * Starts the preview host once for all preview specs, with its own settings and demo card in a
 * temp directory, and hands the URL, token and SoftHSM2 config to the specs through the environment.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'eiddesk-e2e-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EIDDESK_STATE_DIR: join(dir, 'state'),
    EIDDESK_DEMO_DIR: join(dir, 'demo'),
    // Never the developer's own keystore or browser certificate store.
    EIDDESK_KEYSTORE_DIR: join(dir, 'keystore'),
    EIDDESK_NSS_DIR: join(dir, 'nssdb'),
  };
  delete env.SOFTHSM2_CONF;
  const child: ChildProcess = fork(join(root, 'dist', 'preview.cjs'), [], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const info = await new Promise<{ url: string; port: number; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('preview did not start within 30 s')), 30_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as { url: string; port: number; token: string });
    });
    child.once('exit', (code) => reject(new Error(`preview exited with ${code}`)));
  });
  process.env.EIDDESK_E2E_URL = info.url;
  process.env.EIDDESK_E2E_ORIGIN = `http://127.0.0.1:${info.port}`;
  process.env.EIDDESK_E2E_TOKEN = info.token;
  process.env.EIDDESK_E2E_SOFTHSM2_CONF = join(dir, 'demo', 'softhsm2.conf');
  process.env.EIDDESK_E2E_KEYSTORE_DIR = join(dir, 'keystore');
  process.env.EIDDESK_E2E_NSS_DIR = join(dir, 'nssdb');
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  };
}
