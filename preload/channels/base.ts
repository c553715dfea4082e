/**
 * Channels of the foundation: app info, settings and the card view.
 */
import { z } from 'zod';
import { cardSnapshotSchema, empty, settingsValuesSchema, settingsViewSchema, type ChannelDef } from '../schemas';

/** Every request/response channel. */
export const baseChannels = {
  /** Version, platform and host kind, for the About box and the support report. */
  'app:info': {
    request: empty,
    response: z.object({ name: z.string(), version: z.string(), platform: z.string(), host: z.enum(['electron', 'preview']), locale: z.string() }),
  },
  /** Effective settings with the keys locked by machine policy. */
  'settings:get': { request: empty, response: settingsViewSchema },
  /** Changes user settings; keys locked by policy are refused with 'locked-by-policy'. */
  'settings:update': { request: settingsValuesSchema.partial().strict(), response: settingsViewSchema },
  /** A fresh scan of every module, slot, token and e-ID (the card view). */
  'token:list': { request: empty, response: cardSnapshotSchema },
} as const satisfies Record<string, ChannelDef>;

/** Events main pushes to the renderer. */
export const baseEvents = {
  /** Tokens were inserted or removed, or what is on them changed. Carries the new view. */
  'token:changed': cardSnapshotSchema,
} as const satisfies Record<string, z.ZodType>;

