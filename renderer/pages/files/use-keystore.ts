/**
 * The keystore as the E-IDs on file page shows it: the entries, the damaged files, the key
 * requests waiting for their certificate, and this computer's certificate store (for "also remove
 * from the store" and "older certificates").
 */
import { useCallback, useEffect, useState } from 'react';
import { bridge } from '../../bridge-client';
import { toUiError, type KeyRequestList, type KeystoreList, type OsStoreInfo, type UiError } from './types';

/** The page's data. */
export interface KeystoreView {
  readonly list: KeystoreList | null;
  readonly requests: KeyRequestList | null;
  /** The key requests could not be read (the e-IDs may still be shown). */
  readonly requestsError: UiError | null;
  readonly store: OsStoreInfo | null;
  readonly loading: boolean;
  readonly error: UiError | null;
  readonly refresh: () => Promise<void>;
}

/** Loads `keystore:list`, `keystore:requests` and `os-store:info`; `refresh` reloads them all. */
export function useKeystore(): KeystoreView {
  const [list, setList] = useState<KeystoreList | null>(null);
  const [requests, setRequests] = useState<KeyRequestList | null>(null);
  const [requestsError, setRequestsError] = useState<UiError | null>(null);
  const [store, setStore] = useState<OsStoreInfo | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<UiError | null>(null);

  const refresh = useCallback(async () => {
    setLoading(true);
    try {
      const [l, r, info] = await Promise.all([
        bridge.call('keystore:list', {}),
        bridge.call('keystore:requests', {}).then(
          (v) => ({ ok: true as const, v }),
          (err: unknown) => ({ ok: false as const, err: toUiError(err) }),
        ),
        bridge.call('os-store:info', {}).catch(() => null),
      ]);
      setList(l);
      if (r.ok) {
        setRequests(r.v);
        setRequestsError(null);
      } else {
        setRequestsError(r.err);
      }
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

  return { list, requests, requestsError, store, loading, error, refresh };
}
