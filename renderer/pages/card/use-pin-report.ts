/**
 * The PIN report of one token (pin:status): PIN and PUK state fresh from the card, whether change
 * and unblock are offered, what the unblock secret is called, whether PINs are digits. Read before
 * the user types anything (peers' users meet "PIN blocked" too late), and again after every
 * operation, since a wrong PIN may have moved the card to "final try".
 */
import { useCallback, useEffect, useState } from 'react';
import type { ResponseOf } from '../../../preload/contract';
import { bridge } from '../../bridge-client';

/** What pin:status answers. */
export type PinReport = ResponseOf<'pin:status'>;

/** The report, the last error reading it, and ways to refresh or replace it. */
export interface PinReportState {
  readonly report: PinReport | null;
  readonly error: unknown;
  readonly loading: boolean;
  /** Reads the status again (after a failed operation: the tries left may have changed). */
  readonly reload: () => void;
  /** Takes a fresh report an operation answered (pin:change and pin:unblock return one). */
  readonly accept: (report: PinReport) => void;
}

/**
 * Loads the report of `tokenKey` (nothing while it is null: the card is out) and again whenever
 * `refreshKey` changes (the page passes the token's PIN flags, so a change seen by the watcher
 * is followed).
 */
export function usePinReport(tokenKey: string | null, refreshKey = ''): PinReportState {
  const [report, setReport] = useState<PinReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(tokenKey !== null);
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    if (tokenKey === null) {
      setLoading(false);
      return;
    }
    let live = true;
    setLoading(true);
    bridge.call('pin:status', { tokenKey }).then(
      (r) => {
        if (!live) return;
        setReport(r);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [tokenKey, refreshKey, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const accept = useCallback((r: PinReport) => {
    setReport(r);
    setError(null);
  }, []);
  return { report, error, loading, reload, accept };
}
