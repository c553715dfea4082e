/**
 * The keystore as the E-IDs on file page shows it: the entries, the damaged files, and this
 * computer's certificate store (for "also remove from the store" and "older certificates").
 */
import { useCallback, useEffect, useState } from 'react';
import { bridge } from '../../bridge-client';
import { toUiError, type KeystoreList, type OsStoreInfo, type UiError } from './types';

/** The page's data. */
export interface KeystoreView {
  readonly list: KeystoreList | null;
  readonly store: OsStoreInfo | null;
  readonly loading: boolean;
  readonly error: UiError | null;
  readonly refresh: () => Promise<void>;
}

/** Loads `keystore:list` and `os-store:info`; `refresh` reloads both. */
export function useKeystore(): KeystoreView {
  const [list, setList] = useState<KeystoreList | null>(null);
  const [store, setStore] = useState<OsStoreInfo | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<UiError | null>(null);

  const refresh = useCallback(async () => {
    setLoading(true);
    try {
      const [l, info] = await Promise.all([bridge.call('keystore:list', {}), bridge.call('os-store:info', {}).catch(() => null)]);
      setList(l);
      setStore(info);
      setError(null);
    } catch (err) {
      setError(toUiError(err));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return { list, store, loading, error, refresh };
}
