/**
 * The shell's security policy, as data and as functions that take Electron objects as parameters.
 *
 * Nothing here imports Electron at run time (type imports are erased), so unit tests drive these
 * functions with stand-ins and prove the Electron security checklist without an Electron binary:
 * contextIsolation, sandbox, no nodeIntegration, a CSP, a narrow bridge, sender checks, no
 * navigation or new windows, permissions denied.
 */
import type { IpcMainInvokeEvent, Session, WebContents, WebPreferences } from 'electron';
import { IPC_PREFIX } from '../../preload/contract';

/** Our scheme and origin. Pages are served only from here (never file://, never http). */
export const APP_SCHEME = 'app';
/** The host part of our origin. */
export const APP_HOST = 'eiddesk';
/** The one origin whose frames may call the bridge. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Content Security Policy sent with every page: only our own code; no eval, no remote content. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Fluent UI (Griffel) inserts <style> elements at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** webPreferences for every window. */
export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools: process.env.EIDDESK_DEVTOOLS === '1',
  };
}

/** Whether a URL belongs to our app (scheme and host exactly). */
export function isAppUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * Sender check for every IPC call (VS Code's validated ipcMain is the model): the call must come
 * from the main frame of one of our windows, showing our origin. Sub-frames, other origins and
 * destroyed frames are refused.
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>, ownWebContentsIds: ReadonlySet<number>): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (!ownWebContentsIds.has(event.sender.id)) return false;
  if (frame !== event.sender.mainFrame) return false;
  return isAppUrl(frame.url);
}

/** IPC channel name for a contract channel. */
export function ipcName(channel: string): string {
  return `${IPC_PREFIX}${channel}`;
}

/** The IPC name events travel on. */
export const EVENT_CHANNEL = `${IPC_PREFIX}event`;

/** Denies every permission request and check (camera, notifications, HID, serial, clipboard-read...). */
export function hardenSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'on'>): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  // Downloads never start from our pages.
  session.on('will-download', (event) => event.preventDefault());
}

/**
 * No navigation away from the app, no new windows, no webviews. Applied to every WebContents.
 * An https link the page tries to open goes to the user's browser (help pages), never into a window
 * of ours; everything else is dropped.
 */
export function hardenWebContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, openExternal?: (url: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (openExternal && /^https:\/\//.test(url)) openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Maps an app:// request path to a file inside the renderer directory, or null (404). */
export function resolveAppFile(rendererDir: string, requestUrl: string, join: (...p: string[]) => string, normalize: (p: string) => string, sep: string): string | null {
  if (!isAppUrl(requestUrl)) return null;
  const path = decodeURIComponent(new URL(requestUrl).pathname);
  const rel = path === '/' || path === '' ? 'index.html' : path.replace(/^\/+/, '');
  const file = normalize(join(rendererDir, rel));
  return file.startsWith(rendererDir + sep) ? file : null;
}
