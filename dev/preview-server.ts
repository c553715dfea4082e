/**
 * The preview host: serves the built renderer and carries the bridge over loopback HTTP, for
 * machines where the Electron binary cannot be had. Same services, same dispatch, same renderer.
 *
 * Security, since any local process or web page could try to talk to it:
 * - listens on 127.0.0.1 only, on a random port;
 * - every API call needs the per-launch random token in the `x-eiddesk-token` header (the token
 *   reaches the page in the URL fragment, which browsers never send);
 * - the Host header must be our loopback address (defeats DNS rebinding) and any Origin header must
 *   be our own origin (defeats cross-site requests from other pages);
 * - static files only from the renderer directory, no directory listing, no path traversal;
 * - responses carry the same CSP as the app.
 * It is a development host and is not packaged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { EventName } from '../preload/contract';
import { dispatch } from '../main/ipc/dispatch';
import type { Services } from '../main/services';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Largest request body accepted (a PKCS#12 file travels base64-encoded, so allow a few MiB). */
const MAX_BODY = 8 * 1024 * 1024;

/** A running preview host. */
export interface PreviewServer {
  url: string;
  token: string;
  port: number;
  server: Server;
  /** Pushes an event to every connected window. */
  emit(event: EventName, payload: unknown): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, {
    'content-type': type,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the preview host. */
export async function startPreviewServer(opts: {
  services: Services;
  staticDir: string;
  port?: number;
  token?: string;
  onInternalError?: (channel: string, err: unknown) => void;
}): Promise<PreviewServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const streams = new Set<ServerResponse>();
  let origin = '';
  let hosts: string[] = [];

  const emitAll = (event: string, payload: unknown) => {
    const line = `${JSON.stringify({ event, payload })}\n`;
    for (const s of streams) s.write(line);
  };

  const authorised = (req: IncomingMessage): boolean => {
    const given = Buffer.from(String(req.headers['x-eiddesk-token'] ?? ''));
    return given.length === tokenBuf.length && timingSafeEqual(given, tokenBuf);
  };

  const server = createServer(async (req, res) => {
    try {
      // DNS rebinding: a foreign name resolving to 127.0.0.1 still carries its own Host header.
      if (!hosts.includes(String(req.headers.host ?? ''))) return send(res, 421, 'Misdirected request');
      const reqOrigin = req.headers.origin;
      if (reqOrigin !== undefined && reqOrigin !== origin) return send(res, 403, 'Forbidden origin');
      const url = new URL(req.url ?? '/', origin);

      if (url.pathname === '/api/call') {
        if (req.method !== 'POST') return send(res, 405, 'Method not allowed');
        if (!authorised(req)) return send(res, 403, 'Forbidden');
        if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return send(res, 415, 'JSON only');
        let body: { channel?: unknown; request?: unknown };
        try {
          body = JSON.parse(await readBody(req)) as typeof body;
        } catch {
          return send(res, 400, JSON.stringify({ ok: false, error: { code: 'validation', message: 'Request body is not JSON.' } }), 'application/json');
        }
        const envelope = await dispatch(opts.services, body?.channel, body?.request, opts.onInternalError, {
          // One user, one window in the preview: progress goes to every connected window.
          emit: (name, payload) => emitAll(name, payload),
        });
        return send(res, 200, JSON.stringify(envelope), 'application/json');
      }

      if (url.pathname === '/api/events') {
        if (!authorised(req)) return send(res, 403, 'Forbidden');
        res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
        res.write('\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return undefined;
      }

      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');
      const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
      const file = normalize(join(opts.staticDir, rel));
      if (!file.startsWith(opts.staticDir + sep)) return send(res, 404, 'Not found');
      try {
        const data = await readFile(file);
        return send(res, 200, data, TYPES[extname(file)] ?? 'application/octet-stream');
      } catch {
        return send(res, 404, 'Not found');
      }
    } catch (err) {
      opts.onInternalError?.('http', err);
      if (!res.headersSent) send(res, 500, 'Internal error');
      return undefined;
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://127.0.0.1:${port}`;
  hosts = [`127.0.0.1:${port}`, `localhost:${port}`];

  return {
    url: `${origin}/#token=${token}`,
    token,
    port,
    server,
    emit: emitAll,
    close() {
      for (const s of streams) s.end();
      streams.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
