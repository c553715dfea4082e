import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests. `preview`: the real renderer and services through the preview host, in
 * Debian's Chromium (Playwright's own browser download is not reachable here). `electron`: the
 * packaged shell through Playwright's _electron, where an Electron binary exists; elsewhere those
 * specs report themselves skipped with the reason.
 */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: [['list']],
  globalSetup: './test/e2e/global-setup.ts',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure', viewport: { width: 1280, height: 900 } },
  projects: [
    {
      name: 'preview',
      testMatch: /.*\.preview\.spec\.ts/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.EIDDESK_CHROMIUM ?? '/usr/bin/chromium',
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
        },
      },
    },
    { name: 'electron', testMatch: /.*\.electron\.spec\.ts/ },
  ],
});
