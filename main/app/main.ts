/**
 * The Electron shell: lifecycle, the one window, the app:// protocol, IPC registration, OS
 * integration. The only code (with preload/index.ts) that imports 'electron'. Everything it does
 * with security weight is in ./policy.ts, where tests can reach it without an Electron binary.
 */
import { app, BrowserWindow, ipcMain, Menu, net, protocol, safeStorage, session, shell } from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import Store from 'electron-store';
import { createServices } from '../services';
import { policyFilePath } from '../settings/settings';
import { mergedStore, readRegistryPolicy } from '../settings/registry-policy';
import { APP_ORIGIN, APP_SCHEME, CSP, hardenSession, hardenWebContents, resolveAppFile, webPreferences } from './policy';
import { registerIpc } from './ipc';

const rendererDir = join(__dirname, '..', 'renderer');
const preloadPath = join(__dirname, '..', 'preload', 'index.cjs');
const log = (msg: string) => process.stderr.write(`eiddesk: ${msg}\n`);

// One instance: a second start focuses the first window instead of fighting over the card reader.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  app.enableSandbox();
  void start();
}

async function start(): Promise<void> {
  await app.whenReady();
  Menu.setApplicationMenu(null);

  const registry = process.platform === 'win32' ? await readRegistryPolicy() : {};
  const policyFile = policyFilePath(process.platform, process.env);
  const store = new Store<Record<string, unknown>>({ name: 'settings', clearInvalidConfig: false });
  const services = createServices({
    host: 'electron',
    version: app.getVersion(),
    locale: app.getLocale(),
    userSettings: { read: () => store.store, write: (layer) => (store.store = layer as Record<string, unknown>) },
    // The OS's own protection (DPAPI, Keychain, libsecret) as a second layer around keystore files.
    protector: {
      available: () => safeStorage.isEncryptionAvailable(),
      protect: (b) => safeStorage.encryptString(b.toString('base64')),
      unprotect: (b) => Buffer.from(safeStorage.decryptString(b), 'base64'),
    },
    policy: mergedStore(
      () => (existsSync(policyFile) ? JSON.parse(readFileSync(policyFile, 'utf8')) : {}),
      () => registry,
    ),
  });

  hardenSession(session.defaultSession);
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, (url) => void shell.openExternal(url)));

  // app://eiddesk/... serves the built renderer, with our CSP, and nothing outside it.
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rendererDir, request.url, join, normalize, sep);
    if (!file || !existsSync(file)) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });

  let win: BrowserWindow | null = null;
  const emit = registerIpc(ipcMain, services, () => (win && !win.isDestroyed() ? [win.webContents] : []), log);
  const stopWatch = services.cards.watch((snap) => emit('token:changed', snap));

  const createWindow = () => {
    win = new BrowserWindow({
      width: 1100,
      height: 780,
      minWidth: 720,
      minHeight: 520,
      title: 'eID Desk',
      show: false,
      autoHideMenuBar: true,
      webPreferences: webPreferences(preloadPath),
    });
    win.once('ready-to-show', () => win?.show());
    void win.loadURL(`${APP_ORIGIN}/index.html`);
  };
  createWindow();

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    stopWatch();
    services.close();
    app.quit();
  });
}
