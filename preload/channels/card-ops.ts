/**
 * Channels for card management: PIN status, change and unblock, test signature, orphan keys
 * (issue 4).
 */
import type { z } from 'zod';
import type { ChannelDef } from '../schemas';

/** Card management channels. */
export const cardOpsChannels = {} as const satisfies Record<string, ChannelDef>;

/** Card management events. */
export const cardOpsEvents = {} as const satisfies Record<string, z.ZodType>;
