import { describe, expect, it } from 'vitest';
import { channels, events, isChannel } from '../../preload/contract';
import { createBridge, BridgeError } from '../../preload/bridge';
import { handlers } from '../../main/ipc/handlers';
import { dispatch } from '../../main/ipc/dispatch';
import { EidError } from '../../main/errors';
import type { Services } from '../../main/services';
import { SettingsService } from '../../main/settings/settings';

/** Services whose parts throw if touched: dispatch must refuse bad requests before any service runs. */
function untouchable(): Services {
  const trap = new Proxy({}, { get: () => { throw new Error('a service was reached with an invalid request'); } });
  return { options: { host: 'cli' }, settings: trap, cards: trap, close() {} } as unknown as Services;
}

describe('IPC contract', () => {
  it('every channel has a handler and every handler a channel', () => {
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(channels).sort());
  });

  it('channel names are domain:verb', () => {
    for (const c of [...Object.keys(channels), ...Object.keys(events)]) expect(c).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*:[a-z0-9-]+$/);
  });

  it.each(Object.keys(channels))('%s: malformed requests get a validation error, not a crash', async (channel) => {
    for (const bad of ['text', 42, [], { unexpected: true, __proto__: { x: 1 } }, { pin: 'x'.repeat(10_000) }]) {
      const env = await dispatch(untouchable(), channel, bad);
      if (env.ok) {
        // Only channels whose request schema accepts this shape may pass; none of the shapes above is valid.
        throw new Error(`${channel} accepted ${JSON.stringify(bad).slice(0, 40)}`);
      }
      expect(env.error.code).toBe('validation');
      expect(env.error.message).not.toContain('xxxxxxxx');
    }
  });

  it('unknown channels are refused before parsing', async () => {
    for (const c of ['nope', 'token:list ', '__proto__', 'constructor', 42, null]) {
      const env = await dispatch(untouchable(), c, {});
      expect(env).toMatchObject({ ok: false, error: { code: 'validation' } });
    }
    expect(isChannel('toString')).toBe(false);
  });

  it('service errors keep their stable code; unexpected ones become internal without details', async () => {
    const settings = new SettingsService({ policy: { read: () => ({ language: 'sv' }) }, user: { read: () => ({}), write: () => undefined } });
    const services = { ...untouchable(), settings } as Services;
    const locked = await dispatch(services, 'settings:update', { language: 'en' });
    expect(locked).toMatchObject({ ok: false, error: { code: 'locked-by-policy' } });
    const boom = { ...untouchable(), cards: { snapshot: () => { throw new Error('secret internals /home/x'); } } } as unknown as Services;
    const seen: string[] = [];
    const env = await dispatch(boom, 'token:list', {}, (ch) => seen.push(ch));
    expect(env).toEqual({ ok: false, error: { code: 'internal', message: expect.not.stringContaining('secret internals') } });
    expect(seen).toEqual(['token:list']);
    const known = { ...untouchable(), cards: { snapshot: () => { throw new EidError('token-removed', 'gone'); } } } as unknown as Services;
    expect(await dispatch(known, 'token:list', {})).toEqual({ ok: false, error: { code: 'token-removed', message: 'gone' } });
  });

  it('responses that break the contract are not passed on', async () => {
    const wrong = { ...untouchable(), cards: { snapshot: async () => ({ modules: 'nope' }) } } as unknown as Services;
    expect(await dispatch(wrong, 'token:list', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('the bridge turns error envelopes into BridgeErrors with the code', async () => {
    const bridge = createBridge({
      invoke: async () => ({ ok: false, error: { code: 'pin-incorrect', message: 'wrong', details: { triesLeft: 2 } } }),
      subscribe: () => () => undefined,
    });
    await expect(bridge.call('token:list', {})).rejects.toMatchObject({ code: 'pin-incorrect', details: { triesLeft: 2 } });
    await expect(bridge.call('token:list', {})).rejects.toBeInstanceOf(BridgeError);
  });
});
