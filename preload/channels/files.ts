/**
 * Channels for e-IDs on file: PKCS#12 inspection and import, the keystore, the OS certificate
 * stores (issue 3).
 */
import type { z } from 'zod';
import type { ChannelDef } from '../schemas';

/** PKCS#12 and keystore channels. */
export const fileChannels = {} as const satisfies Record<string, ChannelDef>;

/** PKCS#12 and keystore events. */
export const fileEvents = {} as const satisfies Record<string, z.ZodType>;
