import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreviewServer, type PreviewServer } from '../../dev/preview-server';
import { createServices, type Services } from '../../main/services';
import { jsonFileStore } from '../../main/settings/settings';

const dir = mkdtempSync(join(tmpdir(), 'eiddesk-preview-'));
let server: PreviewServer;
let services: Services;

function http(opts: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const call = (channel: string, req: unknown, headers: Record<string, string> = {}) =>
  http({ path: '/api/call', method: 'POST', headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json', 'x-eiddesk-token': server.token, ...headers }, body: JSON.stringify({ channel, request: req }) });

beforeAll(async () => {
  const staticDir = join(dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  services = createServices({ host: 'preview', userSettings: jsonFileStore(join(dir, 'settings.json')), policy: { read: () => ({}) }, modulesOverride: ['/nonexistent/mod.so'] });
  server = await startPreviewServer({ services, staticDir });
});
afterAll(async () => {
  await server.close();
  services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('preview host', () => {
  it('listens on loopback only and prints a URL with the token in the fragment', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#token=[A-Za-z0-9_-]{32}$`));
    expect(server.server.address()).toMatchObject({ address: '127.0.0.1' });
  });

  it('answers bridge calls with the token', async () => {
    const r = await call('app:info', {});
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { name: 'eID Desk', host: 'preview' } });
    const cards = JSON.parse((await call('token:list', {})).body);
    expect(cards.value.modules[0]).toMatchObject({ path: '/nonexistent/mod.so', status: 'error', error: { code: 'module-load-failed' } });
  });

  it('refuses calls without the token, with a wrong token, from a foreign origin or a foreign Host', async () => {
    expect((await call('app:info', {}, { 'x-eiddesk-token': '' })).status).toBe(403);
    expect((await call('app:info', {}, { 'x-eiddesk-token': 'x'.repeat(32) })).status).toBe(403);
    expect((await call('app:info', {}, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await call('app:info', {}, { host: 'evil.example:80' })).status).toBe(421);
    expect((await call('app:info', {}, { origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
    expect((await http({ path: '/api/events', headers: { host: `127.0.0.1:${server.port}` } })).status).toBe(403);
  });

  it('validates requests through the contract', async () => {
    const r = JSON.parse((await call('settings:update', { language: 'klingon' })).body);
    expect(r).toMatchObject({ ok: false, error: { code: 'validation' } });
    const bad = await http({ path: '/api/call', method: 'POST', headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json', 'x-eiddesk-token': server.token }, body: '{not json' });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'validation' } });
  });

  it('serves only the renderer directory, with the CSP', async () => {
    const index = await http({ path: '/', headers: { host: `127.0.0.1:${server.port}` } });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2Fsecret.txt']) {
      const r = await http({ path: p, headers: { host: `127.0.0.1:${server.port}` } });
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('do not serve');
    }
  });
});
