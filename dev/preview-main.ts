/**
 * `npm start` where no Electron binary exists: builds the services, sets up the demo card in a
 * development checkout with nothing configured, starts the preview host and prints its URL.
 *
 * Environment:
 *   EIDDESK_PREVIEW_PORT   fixed port (default: random)
 *   EIDDESK_STATE_DIR      where the preview keeps settings (default: .cache/preview)
 *   EIDDESK_NO_DEMO=1      do not create or use the demo card
 *   EIDDESK_DEMO_DIR       where the demo card lives (default: .cache/demo)
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDemoCard } from './demo-card';
import { startPreviewServer } from './preview-server';
import { createServices } from '../main/services';
import { jsonFileStore } from '../main/settings/settings';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..');
  const staticDir = join(root, 'dist', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error('The renderer is not built: run npm run build');
  const stateDir = process.env.EIDDESK_STATE_DIR ?? join(root, '.cache', 'preview');
  const userSettings = jsonFileStore(join(stateDir, 'settings.json'));
  const services = createServices({ host: 'preview', userSettings, version: process.env.npm_package_version });

  // Demo card: only when the user has configured nothing (no modules, no SoftHSM2 config of their own).
  const configured = services.settings.get().pkcs11Modules.length > 0 || process.env.SOFTHSM2_CONF !== undefined;
  let demoNote = '';
  if (!configured && process.env.EIDDESK_NO_DEMO !== '1') {
    try {
      const demo = ensureDemoCard(process.env.EIDDESK_DEMO_DIR ?? join(root, '.cache', 'demo'));
      if (demo) {
        process.env.SOFTHSM2_CONF = demo.env.conf;
        demoNote = `Demo card: "Åsa Öberg [DEMO]" in SoftHSM2 (${demo.created ? 'created' : 'reused'}; user PIN 123456, SO PIN 12345678; not a real e-ID).`;
      } else {
        demoNote = 'No demo card: softhsm2 is not installed (npm run setup installs it).';
      }
    } catch (err) {
      demoNote = `No demo card: ${(err as Error).message}`;
    }
  }

  const server = await startPreviewServer({
    services,
    staticDir,
    port: process.env.EIDDESK_PREVIEW_PORT ? Number(process.env.EIDDESK_PREVIEW_PORT) : undefined,
    onInternalError: (channel, err) => process.stderr.write(`preview: internal error on ${channel}: ${(err as Error)?.stack ?? String(err)}\n`),
  });
  const stopWatch = services.cards.watch((snap) => server.emit('token:changed', snap));

  if (demoNote) process.stdout.write(`${demoNote}\n`);
  process.stdout.write(`eID Desk preview: open ${server.url}\n`);
  if (process.send) process.send({ url: server.url, port: server.port, token: server.token });

  const stop = () => {
    stopWatch();
    void server.close().finally(() => {
      services.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`eID Desk preview could not start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
