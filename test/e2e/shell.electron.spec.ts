import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { findElectron } from '../../scripts/electron-binary.mjs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

const found = findElectron() as { path?: string; reason?: string };

test.describe('Electron shell', () => {
  test.skip(!found.path, `skipped: no Electron binary (${found.reason})`);

  test('opens the window on app://, with the bridge and no Node in the page', async () => {
    const app = await electron.launch({ executablePath: found.path, args: [join(root, 'dist', 'main', 'app.cjs')] });
    try {
      const win = await app.firstWindow();
      await expect(win.getByRole('heading', { level: 1 })).toBeVisible();
      expect(win.url()).toMatch(/^app:\/\/eiddesk\//);
      expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      expect(await win.evaluate(() => typeof (window as unknown as { process?: unknown }).process)).toBe('undefined');
      expect(await win.evaluate(() => typeof (window as unknown as { eidDesk?: { call?: unknown } }).eidDesk?.call)).toBe('function');
      // window.open and navigation away are refused by the shell.
      expect(await win.evaluate(() => window.open('https://example.org/'))).toBeNull();
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
