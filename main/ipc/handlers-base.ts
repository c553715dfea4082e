/** Handlers of the foundation's channels: app info, settings, the card view. */
import type { baseChannels } from '../../preload/channels/base';
import type { HandlerGroup } from './handler-types';

/** Foundation handlers. */
export const baseHandlers: HandlerGroup<keyof typeof baseChannels> = {
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
