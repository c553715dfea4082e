/** Handlers for e-IDs on file: PKCS#12, the keystore, the OS stores (issue 3). */
import type { fileChannels } from '../../preload/channels/files';
import type { HandlerGroup } from './handler-types';

/** File e-ID handlers. */
export const fileHandlers: HandlerGroup<keyof typeof fileChannels> = {};
