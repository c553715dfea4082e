/**
 * The single entry point for every bridge call, whatever the host: check the channel, parse the
 * request with the contract, run the handler, check the response, map errors to stable codes.
 * Nothing that reaches a handler is unparsed; nothing that leaves is unchecked.
 */
import { channels, isChannel, type Envelope } from '../../preload/contract';
import { isEidError, toErrorPayload } from '../errors';
import type { Services } from '../services';
import { handlers, type Handler, type HandlerContext } from './handlers';

/** Reports unexpected errors (the host decides where logs go); never receives request bodies. */
export type InternalErrorSink = (channel: string, err: unknown) => void;

/** Dispatches one call. Never throws: errors come back as `{ ok: false, error }`. */
export async function dispatch(services: Services, channel: unknown, rawRequest: unknown, onInternal?: InternalErrorSink, context: HandlerContext = {}): Promise<Envelope<unknown>> {
  if (!isChannel(channel)) return { ok: false, error: { code: 'validation', message: `Unknown channel: ${String(channel).slice(0, 64)}` } };
  const def = channels[channel];
  const parsed = def.request.safeParse(rawRequest ?? {});
  if (!parsed.success) {
    // Name the fields that failed, never their values (they may be secrets).
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(request)').join(', ');
    return { ok: false, error: { code: 'validation', message: `Invalid request for ${channel}: ${fields}` } };
  }
  try {
    const handler = handlers[channel] as Handler<typeof channel>;
    const result = await handler(parsed.data as never, services, context);
    const checked = def.response.safeParse(result);
    if (!checked.success) throw new Error(`response of ${channel} does not match the contract: ${checked.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    return { ok: true, value: checked.data };
  } catch (err) {
    if (!isEidError(err)) onInternal?.(channel, err);
    return { ok: false, error: toErrorPayload(err) };
  }
}
