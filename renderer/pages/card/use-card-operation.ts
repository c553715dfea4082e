/**
 * Runs one card operation at a time and follows its card:progress events, so a dialog can say
 * "Do not take the card out of the reader" while it runs, name the step, refuse a second submit,
 * and tell afterwards whether the card was pulled before or during the step that changes it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventOf } from '../../../preload/contract';
import { bridge } from '../../bridge-client';

/** Operations that report progress. */
export type CardOperation = EventOf<'card:progress'>['operation'];
/** Steps an operation reports. */
export type OperationStep = EventOf<'card:progress'>['step'];

/** What the dialog shows about the running operation. */
export interface OperationView {
  readonly running: boolean;
  /** The last step main reported; null before the first one arrives. */
  readonly step: OperationStep | null;
  /** The current step changes the card (pulling it now leaves something half done). */
  readonly critical: boolean;
}

/** How an operation ended. `reachedCritical`: a step that changes the card had begun. */
export type OperationOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown; readonly reachedCritical: boolean };

const IDLE: OperationView = { running: false, step: null, critical: false };

/**
 * Whether a failed operation had reached a step that changes the card. Main says so itself in a
 * `token-removed` error (details.criticalReached), which is exact even when progress events and
 * answers travel on different connections (the preview); the events seen so far are the fallback.
 */
export function reachedCriticalStep(error: unknown, seenCritical: boolean): boolean {
  const details = (error as { details?: Record<string, unknown> } | null)?.details;
  return typeof details?.criticalReached === 'boolean' ? details.criticalReached : seenCritical;
}

/** One operation runner per dialog. */
export function useCardOperation(operation: CardOperation): {
  readonly view: OperationView;
  readonly run: <T>(tokenKey: string, call: () => Promise<T>) => Promise<OperationOutcome<T> | null>;
} {
  const [view, setView] = useState<OperationView>(IDLE);
  const active = useRef<{ tokenKey: string; critical: boolean } | null>(null);

  useEffect(
    () =>
      bridge.on('card:progress', (p) => {
        const a = active.current;
        if (!a || p.tokenKey !== a.tokenKey || p.operation !== operation) return;
        a.critical = a.critical || p.critical;
        setView({ running: true, step: p.step, critical: p.critical });
      }),
    [operation],
  );

  /** Runs `call` unless one is already running (then answers null: a double submit is dropped). */
  const run = useCallback(async <T>(tokenKey: string, call: () => Promise<T>): Promise<OperationOutcome<T> | null> => {
    if (active.current) return null;
    const mine = { tokenKey, critical: false };
    active.current = mine;
    setView({ running: true, step: null, critical: false });
    try {
      return { ok: true, value: await call() };
    } catch (error) {
      return { ok: false, error, reachedCritical: reachedCriticalStep(error, mine.critical) };
    } finally {
      active.current = null;
      setView(IDLE);
    }
  }, []);

  return { view, run };
}
