/** Types shared by the handler groups in main/ipc/handlers-*.ts. */
import type { z } from 'zod';
import type { Channel, channels, ResponseOf } from '../../preload/contract';
import type { Services } from '../services';

/** What a handler may use besides the services: a way to report progress to the calling window. */
export interface HandlerContext {
  /** Pushes an event to the window that made the call (e.g. "do not remove the card"). */
  emit?: (event: string, payload: unknown) => void;
}

/** A handler gets the parsed request and the services. */
export type Handler<C extends Channel> = (
  request: z.output<(typeof channels)[C]['request']>,
  services: Services,
  context: HandlerContext,
) => Promise<ResponseOf<C>> | ResponseOf<C>;

/** Handlers for a group of channels; the type forces one handler per channel of the group. */
export type HandlerGroup<K extends Channel> = { readonly [C in K]: Handler<C> };
