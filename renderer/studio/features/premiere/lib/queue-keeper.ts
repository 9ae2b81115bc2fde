/**
 * Keeps the premiere queue across studio restarts. What the host typed (title,
 * artist, the file's name; in play order) goes to the settings store through
 * the IPC contract (`premiere.queue`, bounded there); each entry's audio and
 * artwork (up to 200 MB and ~48 KB: too large for the settings, which every
 * `settings:get` returns whole) go to the page's own IndexedDB, keyed by the
 * entry's id. An entry whose audio is gone (storage cleared) is not brought
 * back; stored audio no entry names any more is deleted.
 *
 *   const keeper = new QueueKeeper(settings, trackStore);
 *   for (const entry of await keeper.restore()) controller.add(entry);
 *   controller.subscribe((state) => keeper.save(state.queue));
 */
import { MAX_PREMIERE_QUEUE, type SavedPremiereEntry, type Settings } from '../../../../../electron/contract.ts';
import type { PremiereEntry } from './premiere-queue.ts';

/** The settings store as the studio reaches it (window.studio.settings). */
export type SettingsAccess = { get(): Promise<Settings>; update(patch: Partial<Settings>): Promise<Settings> };

export type StoredTrack = { bytes: ArrayBuffer; artwork: string | null };

/** Where the audio and artwork live (IndexedDB in the page; a Map in tests). The audio is read only when played. */
export interface TrackStore {
  put(id: string, track: StoredTrack): Promise<void>;
  /** The stored audio, or null. */
  audio(id: string): Promise<ArrayBuffer | null>;
  artwork(id: string): Promise<string | null>;
  delete(id: string): Promise<void>;
  /** Ids of the entries whose audio is stored. */
  ids(): Promise<string[]>;
}

export class TrackGoneError extends Error {
  override readonly name = 'TrackGoneError';
}

export class QueueKeeper {
  readonly #settings: SettingsAccess;
  readonly #tracks: TrackStore;
  /** Entries (by id) whose audio is stored, or being stored. */
  readonly #stored = new Set<string>();
  #last: readonly PremiereEntry[] | null = null;
  /** Saves run one after another, the latest queue last. */
  #chain: Promise<void> = Promise.resolve();

  constructor(settings: SettingsAccess, tracks: TrackStore) {
    this.#settings = settings;
    this.#tracks = tracks;
  }

  /** The queue as it was saved: entries whose audio is still stored, in order. Leftover audio is deleted. */
  async restore(): Promise<PremiereEntry[]> {
    const saved = (await this.#settings.get()).premiere?.queue ?? [];
    const stored = new Set(await this.#tracks.ids().catch(() => []));
    const entries: PremiereEntry[] = [];
    for (const item of saved.slice(0, MAX_PREMIERE_QUEUE)) {
      if (!stored.has(item.id)) continue;
      this.#stored.add(item.id);
      const artwork = await this.#tracks.artwork(item.id).catch(() => null);
      const bytes = async () => {
        const audio = await this.#tracks.audio(item.id);
        if (!audio) throw new TrackGoneError(`The audio of “${item.title}” is no longer stored; remove it and add the file again.`);
        return audio;
      };
      entries.push({ id: item.id, title: item.title, artist: item.artist, fileName: item.fileName, artwork, bytes });
    }
    const named = new Set(entries.map((e) => e.id));
    for (const id of stored) if (!named.has(id)) await this.#tracks.delete(id).catch(() => undefined);
    this.#last = entries;
    return entries;
  }

  /** Saves `queue` if it changed since the last save (the same array is nothing to do). Resolves when it is kept. */
  save(queue: readonly PremiereEntry[]): Promise<void> {
    if (queue === this.#last) return this.#chain;
    this.#last = queue;
    this.#chain = this.#chain.then(() => this.#write(queue)).catch(() => undefined);
    return this.#chain;
  }

  async #write(queue: readonly PremiereEntry[]): Promise<void> {
    // The audio first: a saved entry always has its audio.
    for (const entry of queue) {
      if (this.#stored.has(entry.id)) continue;
      this.#stored.add(entry.id);
      try {
        await this.#tracks.put(entry.id, { bytes: await entry.bytes(), artwork: entry.artwork });
      } catch {
        this.#stored.delete(entry.id);
      }
    }
    const kept: SavedPremiereEntry[] = queue
      .filter((e) => this.#stored.has(e.id))
      .slice(0, MAX_PREMIERE_QUEUE)
      .map((e) => ({ id: e.id, title: e.title.slice(0, 200), artist: e.artist.slice(0, 200), fileName: e.fileName.slice(0, 255) }));
    await this.#settings.update({ premiere: { queue: kept } });
    const ids = new Set(queue.map((e) => e.id));
    for (const id of [...this.#stored]) {
      if (ids.has(id)) continue;
      this.#stored.delete(id);
      await this.#tracks.delete(id).catch(() => undefined);
    }
  }
}

const DB = 'spacecraft-premiere';
const TRACKS = 'tracks';

/** The page's IndexedDB: one record per queued track. */
export class IndexedDbTrackStore implements TrackStore {
  #db: Promise<IDBDatabase> | null = null;

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(TRACKS);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB did not open'));
    });
    return this.#db;
  }

  async #run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.#open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(TRACKS, mode);
      const request = act(transaction.objectStore(TRACKS));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB aborted'));
    });
  }

  // Two records per entry: `audio:<id>` (the bytes, read only to play) and `art:<id>` (the artwork or null).
  async put(id: string, track: StoredTrack): Promise<void> {
    await this.#run('readwrite', (store) => store.put(track.artwork, `art:${id}`));
    await this.#run('readwrite', (store) => store.put(track.bytes, `audio:${id}`));
  }

  async audio(id: string): Promise<ArrayBuffer | null> {
    const value: unknown = await this.#run('readonly', (store) => store.get(`audio:${id}`));
    return value instanceof ArrayBuffer ? value : null;
  }

  async artwork(id: string): Promise<string | null> {
    const value: unknown = await this.#run('readonly', (store) => store.get(`art:${id}`));
    return typeof value === 'string' ? value : null;
  }

  async delete(id: string): Promise<void> {
    await this.#run('readwrite', (store) => store.delete(`audio:${id}`));
    await this.#run('readwrite', (store) => store.delete(`art:${id}`));
  }

  async ids(): Promise<string[]> {
    const keys = await this.#run('readonly', (store) => store.getAllKeys());
    return keys.map(String).filter((k) => k.startsWith('audio:')).map((k) => k.slice('audio:'.length));
  }
}
