/**
 * The preview's transport: the bridge's calls over loopback HTTP to the preview host
 * (dev/preview-server.ts). The per-launch token arrives in the URL fragment (never sent to the
 * server in a request line or logged), is kept in sessionStorage, and goes in a header on every
 * call. Events come as a streamed response, read with fetch so the token stays in a header.
 */
import type { Transport } from '../preload/bridge';
import type { Channel, Envelope, EventName } from '../preload/contract';

const TOKEN_KEY = 'eiddesk.previewToken';

/** Reads the token from `#token=...` once, then from sessionStorage. */
export function previewToken(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Builds the HTTP transport. */
export function httpTransport(token: string): Transport {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let streaming = false;

  async function stream(): Promise<void> {
    for (;;) {
      try {
        const res = await fetch('api/events', { headers: { 'x-eiddesk-token': token } });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            const msg = JSON.parse(line) as { event: EventName; payload: unknown };
            listeners.get(msg.event)?.forEach((l) => l(msg.payload));
          }
        }
      } catch {
        /* host restarting or gone: retry below */
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  return {
    async invoke(channel: Channel, request: unknown): Promise<Envelope<unknown>> {
      try {
        const res = await fetch('api/call', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-eiddesk-token': token },
          body: JSON.stringify({ channel, request }),
        });
        if (res.status === 403) return { ok: false, error: { code: 'unavailable', message: 'The preview session has expired. Open the address the start command printed.' } };
        return (await res.json()) as Envelope<unknown>;
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'The eID Desk preview host is not running. Start it again with npm start.' } };
      }
    },
    subscribe(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      if (!streaming) {
        streaming = true;
        void stream();
      }
      return () => listeners.get(event)?.delete(listener);
    },
  };
}
