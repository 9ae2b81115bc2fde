/**
 * Where sound pad clips keep their bytes: the renderer's IndexedDB (the app's
 * own profile in Electron, the studio's origin in browser mode). The settings
 * store keeps each pad's name, gain and clip id; the bytes stay here because
 * settings cross the IPC bridge whole on every change (browser mode's bridge
 * takes messages of up to 64 KB), and a clip is up to MAX_CLIP_BYTES.
 */
export const MAX_CLIP_BYTES = 4 * 1024 * 1024;
/** A pad is for short sounds: a jingle, a laugh, a sting. */
export const MAX_CLIP_SECONDS = 30;

const DB_NAME = 'spacecraft-clips';
const STORE = 'clips';

export type StoredClip = { id: string; name: string; bytes: ArrayBuffer };

export class ClipStoreError extends Error {
  override readonly name = 'ClipStoreError';
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new ClipStoreError(`The clip store cannot be opened: ${request.error?.message ?? 'unknown error'}.`));
  });
}

async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = act(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(new ClipStoreError(`The clip store failed: ${transaction.error?.message ?? 'unknown error'}.`));
      transaction.onabort = () => reject(new ClipStoreError(`The clip store failed: ${transaction.error?.message ?? 'aborted'}.`));
    });
  } finally {
    db.close();
  }
}

export const clipStore = {
  async put(clip: StoredClip): Promise<void> {
    if (clip.bytes.byteLength > MAX_CLIP_BYTES) throw new ClipStoreError(`${clip.name} is larger than ${MAX_CLIP_BYTES / 1024 / 1024} MB: pads are for short sounds.`);
    await run('readwrite', (store) => store.put(clip));
  },
  async get(id: string): Promise<StoredClip | null> {
    const found = await run<StoredClip | undefined>('readonly', (store) => store.get(id) as IDBRequest<StoredClip | undefined>);
    return found ?? null;
  },
  async delete(id: string): Promise<void> {
    await run('readwrite', (store) => store.delete(id));
  },
};

/** A new clip id (random, so two studios' clips never collide). */
export function newClipId(): string {
  return crypto.randomUUID();
}
