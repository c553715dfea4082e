/**
 * The renderer's one way to main: the bridge exposed by the preload in Electron, or the same
 * bridge over the preview's HTTP transport. Pages call `bridge.call('token:list', {})` and get
 * typed answers; errors are BridgeErrors with stable codes.
 */
import { BridgeError, createBridge, type Bridge } from '../preload/bridge';
import { BRIDGE_GLOBAL } from '../preload/contract';
import { httpTransport, previewToken } from './transport-http';

function resolveBridge(): Bridge {
  const exposed = (window as unknown as Record<string, Bridge | undefined>)[BRIDGE_GLOBAL];
  if (exposed) return exposed;
  const token = previewToken();
  if (token) return createBridge(httpTransport(token));
  // Neither host: every call fails with a clear error the UI can show.
  return createBridge({
    invoke: async () => ({ ok: false, error: { code: 'unavailable', message: 'No eID Desk host: open the address printed by npm start.' } }),
    subscribe: () => () => undefined,
  });
}

/** The bridge for this window. */
export const bridge: Bridge = resolveBridge();
export { BridgeError };
