/**
 * The preload: exposes the bridge to the page through contextBridge, nothing else. Runs sandboxed
 * (it can only require 'electron'), so this file is bundled with the contract and bridge.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge, type Transport } from './bridge';
import { BRIDGE_GLOBAL, IPC_PREFIX, isChannel, type Envelope, type EventName } from './contract';

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
ipcRenderer.on(`${IPC_PREFIX}event`, (_e, msg: { event: EventName; payload: unknown }) => {
  listeners.get(msg?.event)?.forEach((l) => l(msg.payload));
});

const transport: Transport = {
  invoke(channel, request) {
    // The page can only reach contract channels; main checks again.
    if (!isChannel(channel)) return Promise.resolve({ ok: false, error: { code: 'validation', message: 'Unknown channel' } });
    return ipcRenderer.invoke(`${IPC_PREFIX}${channel}`, request) as Promise<Envelope<unknown>>;
  },
  subscribe(event, listener) {
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event)!.add(listener);
    return () => listeners.get(event)?.delete(listener);
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createBridge(transport));
