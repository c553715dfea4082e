/**
 * One handler per contract channel. Plain Node: the Electron shell (main/app/ipc.ts) and the
 * preview host (dev/preview-server.ts) both dispatch through here, so tests cover the very code
 * the app runs. Requests arrive already parsed by the contract's schemas.
 */
import type { z } from 'zod';
import type { Channel, ResponseOf } from '../../preload/contract';
import { channels } from '../../preload/contract';
import type { Services } from '../services';

/** A handler gets the parsed request and the services. */
export type Handler<C extends Channel> = (request: z.output<(typeof channels)[C]['request']>, services: Services) => Promise<ResponseOf<C>> | ResponseOf<C>;

/** The complete handler table; the type forces one handler per channel. */
export type HandlerTable = { readonly [C in Channel]: Handler<C> };

/** Every handler. */
export const handlers: HandlerTable = {
  'app:info': (_req, s) => ({
    name: 'eID Desk',
    version: s.options.version ?? '0.1.0',
    platform: s.options.platform ?? process.platform,
    host: s.options.host === 'electron' ? 'electron' : 'preview',
    locale: s.options.locale ?? Intl.DateTimeFormat().resolvedOptions().locale,
  }),
  'settings:get': (_req, s) => s.settings.view(),
  'settings:update': (req, s) => s.settings.update(req),
  'token:list': (_req, s) => s.cards.snapshot(),
};
