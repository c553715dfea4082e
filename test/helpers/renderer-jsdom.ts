/**
 * What every renderer test in jsdom sets up: a ResizeObserver stand-in (Fluent's positioning uses
 * it, jsdom has none), the strings in English, a fake bridge (per-channel handlers, a log of every
 * call, events the test fires), rendering inside Fluent's provider, and a clean document and
 * storage after each test.
 *
 * vi.mock is hoisted per test file, so each file still names the mock, in one line:
 *
 *   vi.mock('../../renderer/bridge-client', () => import('../helpers/renderer-jsdom').then((m) => m.bridgeClientMock()));
 *
 * The factory and the file's own import get the same module, so the file scripts the bridge the
 * page calls. This module must not import renderer/bridge-client itself.
 */
import { cleanup, render } from '@testing-library/react';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { createElement, type ReactElement } from 'react';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { initI18n, setLanguage } from '../../renderer/i18n';

/** A channel's scripted answer: a value, a promise, or a throw (see bridgeError). */
export type BridgeHandler = (request: any) => unknown;
/** One call the page made: the request as it was when sent (a copy). */
export interface BridgeCall {
  readonly channel: string;
  readonly request: any;
}

const handlers = new Map<string, BridgeHandler>();
const calls: BridgeCall[] = [];
const listeners = new Map<string, Set<(payload: unknown) => void>>();

/** The fake bridge's state: the test sets handlers, reads calls and fires events. */
export const fakeBridge = {
  /** Channel -> answer; a channel without one fails with code 'internal'. */
  handlers,
  /** Every call in order. */
  calls,
  /** Fires a bridge event (token:changed, card:progress) to the page's listeners. */
  emit: (event: string, payload: unknown): void => {
    listeners.get(event)?.forEach((l) => l(payload));
  },
};

/** The module renderer/bridge-client is mocked with (see the module comment). */
export function bridgeClientMock() {
  return {
    bridge: {
      call: async (channel: string, request: unknown) => {
        calls.push({ channel, request: structuredClone(request) });
        const h = handlers.get(channel);
        if (!h) throw Object.assign(new Error(`no handler for ${channel}`), { code: 'internal' });
        return h(request);
      },
      on: (event: string, listener: (payload: unknown) => void) => {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)!.add(listener);
        return () => listeners.get(event)?.delete(listener);
      },
    },
  };
}

/** The calls to one channel. */
export const callsTo = (channel: string): BridgeCall[] => calls.filter((c) => c.channel === channel);

/** An error as the bridge throws it for main's refusal (name BridgeError, a code, details). */
export const bridgeError = (code: string, details?: Record<string, unknown>) => Object.assign(new Error(`main: ${code}`), { name: 'BridgeError', code, details });

/** Renders inside Fluent's provider, as the app does. */
export const renderInFluent = (ui: ReactElement) => render(createElement(FluentProvider, { theme: webLightTheme }, ui));

/** For the whole file: ResizeObserver and English strings first; after each test, unmount and empty both storages. */
export function setUpRendererJsdom(): void {
  beforeAll(() => {
    (globalThis as any).ResizeObserver ??= class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
    initI18n('en');
  });
  afterEach(() => {
    cleanup();
    sessionStorage.clear();
    localStorage.clear();
  });
}

/** Before each test: no calls, handlers or listeners left from the last one, then `start`'s handlers, and English again. */
export function resetFakeBridgeEachTest(start: () => Record<string, BridgeHandler>): void {
  beforeEach(async () => {
    calls.length = 0;
    handlers.clear();
    listeners.clear();
    for (const [channel, h] of Object.entries(start())) handlers.set(channel, h);
    await setLanguage('en');
  });
}
