/**
 * The listener page's account store, made once per page, its kept session checked with the server
 * on first use; components re-render when who is signed in changes.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { AccountApi } from './account-api.ts';
import { AccountStore, type AccountSnapshot } from './account-store.ts';

/** localStorage, or an in-memory stand-in where the browser refuses it (private modes, blocked storage). */
function pageStorage(): Storage {
  try {
    const storage = window.localStorage;
    storage.getItem('probe');
    return storage;
  } catch {
    const items = new Map<string, string>();
    return {
      get length() {
        return items.size;
      },
      clear: () => items.clear(),
      getItem: (key) => items.get(key) ?? null,
      key: (index) => [...items.keys()][index] ?? null,
      removeItem: (key) => void items.delete(key),
      setItem: (key, value) => void items.set(key, value),
    };
  }
}

export function useAccountStore(serverUrl: string): [AccountStore, AccountSnapshot] {
  const [store] = useState(() => new AccountStore(new AccountApi(serverUrl), pageStorage()));
  useEffect(() => {
    void store.restore();
  }, [store]);
  const snapshot = useSyncExternalStore(
    (onChange) => store.subscribe(onChange),
    () => store.snapshot,
  );
  return [store, snapshot];
}
