/**
 * The card view's data: one fetch at start, then live updates pushed by main when a token is
 * inserted or removed (token:changed), plus a manual refresh.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ResponseOf } from '../../preload/contract';
import { bridge } from '../bridge-client';

/** The snapshot type the card view renders. */
export type CardSnapshot = ResponseOf<'token:list'>;

/** State of the card view. */
export interface CardsState {
  snapshot: CardSnapshot | null;
  loading: boolean;
  error: unknown;
  refresh: () => void;
}

/** Loads and follows the card snapshot. */
export function useCards(): CardsState {
  const [snapshot, setSnapshot] = useState<CardSnapshot | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const refresh = useCallback(() => {
    setLoading(true);
    bridge
      .call('token:list', {})
      .then((s) => {
        setSnapshot(s);
        setError(null);
      })
      .catch(setError)
      .finally(() => setLoading(false));
  }, []);

  useEffect(() => {
    refresh();
    return bridge.on('token:changed', (s) => {
      setSnapshot(s);
      setError(null);
    });
  }, [refresh]);

  return { snapshot, loading, error, refresh };
}
