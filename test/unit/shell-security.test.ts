import { readFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it, vi } from 'vitest';
import { APP_ORIGIN, CSP, hardenSession, hardenWebContents, isTrustedSender, resolveAppFile, webPreferences } from '../../main/app/policy';

describe('Electron shell security', () => {
  it('windows run isolated, sandboxed, without Node', () => {
    const p = webPreferences('/app/preload.cjs');
    expect(p).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('CSP allows only our own scripts and no eval', () => {
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).toContain("default-src 'self'");
    expect(CSP).toContain("object-src 'none'");
    expect(CSP).not.toMatch(/unsafe-eval/);
    expect(CSP.split(';').find((d) => d.includes('script-src'))).not.toMatch(/unsafe-inline/);
  });

  it('accepts IPC only from the main frame of our own window on our origin', () => {
    const mainFrame = { url: `${APP_ORIGIN}/index.html` };
    const sender = { id: 7, mainFrame };
    const ok = { sender, senderFrame: mainFrame } as never;
    expect(isTrustedSender(ok, new Set([7]))).toBe(true);
    expect(isTrustedSender(ok, new Set([8]))).toBe(false);
    const sub = { sender, senderFrame: { url: `${APP_ORIGIN}/x.html` } } as never;
    expect(isTrustedSender(sub, new Set([7]))).toBe(false);
    const foreignMain = { url: 'https://evil.example/' };
    expect(isTrustedSender({ sender: { id: 7, mainFrame: foreignMain }, senderFrame: foreignMain } as never, new Set([7]))).toBe(false);
    const fileMain = { url: 'file:///tmp/index.html' };
    expect(isTrustedSender({ sender: { id: 7, mainFrame: fileMain }, senderFrame: fileMain } as never, new Set([7]))).toBe(false);
    expect(isTrustedSender({ sender, senderFrame: null } as never, new Set([7]))).toBe(false);
  });

  it('denies every permission request, check and download', () => {
    const handlers: Record<string, (...a: never[]) => unknown> = {};
    const session = {
      setPermissionRequestHandler: (h: never) => (handlers.request = h),
      setPermissionCheckHandler: (h: never) => (handlers.check = h),
      setDevicePermissionHandler: (h: never) => (handlers.device = h),
      on: (ev: string, h: never) => (handlers[ev] = h),
    };
    hardenSession(session as never);
    for (const perm of ['media', 'notifications', 'geolocation', 'clipboard-read', 'hid', 'serial']) {
      const cb = vi.fn();
      (handlers.request as (...a: unknown[]) => void)({}, perm, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect((handlers.check as (...a: unknown[]) => boolean)({}, perm)).toBe(false);
    }
    expect((handlers.device as () => boolean)()).toBe(false);
    const ev = { preventDefault: vi.fn() };
    (handlers['will-download'] as (e: unknown) => void)(ev);
    expect(ev.preventDefault).toHaveBeenCalled();
  });

  it('denies new windows and navigation away from the app; https links go to the browser', () => {
    const on: Record<string, (e: { preventDefault: () => void }, url: string) => void> = {};
    let openHandler: (d: { url: string }) => { action: string } = () => ({ action: 'allow' });
    const opened: string[] = [];
    hardenWebContents(
      { on: (ev: string, h: never) => (on[ev] = h), setWindowOpenHandler: (h: never) => (openHandler = h) } as never,
      (u) => opened.push(u),
    );
    expect(openHandler({ url: 'https://help.example/pin' })).toEqual({ action: 'deny' });
    expect(openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://help.example/pin']);
    for (const [event, url, blocked] of [
      ['will-navigate', 'https://evil.example/', true],
      ['will-navigate', 'file:///etc/passwd', true],
      ['will-navigate', `${APP_ORIGIN}/index.html`, false],
      ['will-redirect', 'http://127.0.0.1/', true],
    ] as const) {
      const e = { preventDefault: vi.fn() };
      on[event](e, url);
      expect(e.preventDefault).toHaveBeenCalledTimes(blocked ? 1 : 0);
    }
    const w = { preventDefault: vi.fn() };
    on['will-attach-webview'](w, '');
    expect(w.preventDefault).toHaveBeenCalled();
  });

  it('serves app:// only from the renderer directory', () => {
    const dir = '/opt/eiddesk/renderer';
    expect(resolveAppFile(dir, `${APP_ORIGIN}/index.html`, join, normalize, sep)).toBe(join(dir, 'index.html'));
    expect(resolveAppFile(dir, `${APP_ORIGIN}/`, join, normalize, sep)).toBe(join(dir, 'index.html'));
    expect(resolveAppFile(dir, `${APP_ORIGIN}/..%2F..%2Fetc%2Fpasswd`, join, normalize, sep)).toBeNull();
    expect(resolveAppFile(dir, 'app://other/index.html', join, normalize, sep)).toBeNull();
  });

  it('main.ts wires the policy in: sandbox on, single instance, hardened session and contents', () => {
    const src = readFileSync(join(__dirname, '../../main/app/main.ts'), 'utf8');
    expect(src).toMatch(/app\.enableSandbox\(\)/);
    expect(src).toMatch(/requestSingleInstanceLock\(\)/);
    expect(src).toMatch(/hardenSession\(session\.defaultSession\)/);
    expect(src).toMatch(/web-contents-created'.*hardenWebContents/);
    expect(src).toMatch(/webPreferences: webPreferences\(preloadPath\)/);
  });

  it('packaging: asar, fuses locked down, per-machine MSI with a fixed upgrade code, no auto-update', () => {
    const cfg = load(readFileSync(join(__dirname, '../../electron-builder.yml'), 'utf8')) as Record<string, any>;
    expect(cfg.asar).toBe(true);
    expect(cfg.publish).toBeNull();
    expect(cfg.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(cfg.win.target.map((t: { target: string }) => t.target)).toContain('msi');
    expect(cfg.msi.perMachine).toBe(true);
    expect(cfg.msi.upgradeCode).toMatch(/^[0-9a-f-]{36}$/);
    expect(cfg.files).toContain('!dist/preview.cjs');
  });
});
