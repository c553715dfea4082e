/**
 * One handler per contract channel, merged from the feature groups. Plain Node: the Electron shell
 * (main/app/ipc.ts) and the preview host (dev/preview-server.ts) both dispatch through here, so
 * tests cover the very code the app runs. Requests arrive already parsed by the contract's schemas.
 */
import type { Channel } from '../../preload/contract';
import type { HandlerGroup } from './handler-types';
import { baseHandlers } from './handlers-base';
import { cardOpsHandlers } from './handlers-card-ops';
import { fileHandlers } from './handlers-files';

export type { Handler, HandlerContext } from './handler-types';

/** The complete handler table; the type forces one handler per channel. */
export type HandlerTable = HandlerGroup<Channel>;

/** Every handler. */
export const handlers: HandlerTable = { ...baseHandlers, ...fileHandlers, ...cardOpsHandlers };
