/**
 * createBridge(transport): the typed API the renderer calls.
 *
 * The same function serves Electron (transport over ipcRenderer, in preload/index.ts) and the
 * preview (transport over loopback HTTP, in renderer/transport-http.ts). Only the transport
 * differs, so the renderer is one code base.
 */
import { channels, isChannel, type Channel, type Envelope, type EventName, type EventOf, type RequestOf, type ResponseOf } from './contract';

/** What a host must provide to carry calls and events. */
export interface Transport {
  invoke(channel: Channel, request: unknown): Promise<Envelope<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** An error from main, with its stable code (the UI translates by code). */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Readonly<Record<string, string | number | boolean | null>>,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/** The bridge API: one method to call any channel, one to listen to any event. */
export interface Bridge {
  call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void;
}

/** Builds the bridge over a transport. */
export function createBridge(transport: Transport): Bridge {
  return {
    async call(channel, request) {
      if (!isChannel(channel)) throw new BridgeError('validation', `Unknown channel ${String(channel)}`);
      const env = await transport.invoke(channel, request);
      if (!env.ok) throw new BridgeError(env.error.code, env.error.message, env.error.details);
      return env.value as ResponseOf<typeof channel>;
    },
    on(event, listener) {
      return transport.subscribe(event, (payload) => listener(payload as EventOf<typeof event>));
    },
  };
}

/** The list of channels, for hosts that need to enumerate them (preload exposes only these). */
export const channelNames = Object.keys(channels) as Channel[];
