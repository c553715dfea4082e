/** Handlers for card management: PINs, test signature, orphan keys (issue 4). */
import type { cardOpsChannels } from '../../preload/channels/card-ops';
import type { HandlerGroup } from './handler-types';

/** Card management handlers. */
export const cardOpsHandlers: HandlerGroup<keyof typeof cardOpsChannels> = {};
