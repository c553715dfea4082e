/**
 * The IPC contract: every channel between the renderer and main, with zod schemas for request and
 * response, and every event main sends. This file is the seam of the app:
 * - main parses every request with it before any service sees it (main/ipc/dispatch.ts);
 * - the bridge (preload/bridge.ts) is generated from it, so the renderer gets typed calls;
 * - a test proves every channel has a handler and every handler a channel.
 *
 * Channels are `domain:verb`, grouped by feature in preload/channels/*.ts and merged here.
 * Requests that carry secrets (PINs, passwords) mark those fields with `secret()`: they cross
 * once, inbound, and are never echoed, logged or stored.
 */
import type { z } from 'zod';
import { baseChannels, baseEvents } from './channels/base';
import { cardOpsChannels, cardOpsEvents } from './channels/card-ops';
import { fileChannels, fileEvents } from './channels/files';
import type { ChannelDef, errorPayloadSchema } from './schemas';

export * from './schemas';

/** Every request/response channel. */
export const channels = { ...baseChannels, ...fileChannels, ...cardOpsChannels } as const satisfies Record<string, ChannelDef>;

/** Events main pushes to the renderer. */
export const events = { ...baseEvents, ...fileEvents, ...cardOpsEvents } as const satisfies Record<string, z.ZodType>;

/** A channel name. */
export type Channel = keyof typeof channels;
/** An event name. */
export type EventName = keyof typeof events;
/** What the renderer sends on a channel. */
export type RequestOf<C extends Channel> = z.input<(typeof channels)[C]['request']>;
/** What main answers on a channel. */
export type ResponseOf<C extends Channel> = z.infer<(typeof channels)[C]['response']>;
/** The payload of an event. */
export type EventOf<E extends EventName> = z.infer<(typeof events)[E]>;
/** The wire form of every answer: results and errors travel as data, never as thrown objects. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: z.infer<typeof errorPayloadSchema> };

/** Whether a name is a known channel (the transport refuses anything else before parsing). */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

/** The IPC channel prefix: main only listens on names starting with it. */
export const IPC_PREFIX = 'eiddesk:';
/** Name of the global the preload exposes. */
export const BRIDGE_GLOBAL = 'eidDesk';
