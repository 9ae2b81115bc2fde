/** The premiere queue kept across restarts: the settings hold what the host typed (bounded), a track store the audio and artwork. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, settingsSchema, type Settings } from '../../../../../electron/contract.ts';
import type { PremiereEntry } from './premiere-queue.ts';
import { QueueKeeper, TrackGoneError, type StoredTrack, type TrackStore } from './queue-keeper.ts';

class MapTrackStore implements TrackStore {
  readonly tracks = new Map<string, StoredTrack>();
  async put(id: string, track: StoredTrack) {
    this.tracks.set(id, track);
  }
  async audio(id: string) {
    return this.tracks.get(id)?.bytes ?? null;
  }
  async artwork(id: string) {
    return this.tracks.get(id)?.artwork ?? null;
  }
  async delete(id: string) {
    this.tracks.delete(id);
  }
  async ids() {
    return [...this.tracks.keys()];
  }
}

/** The settings store as the studio reaches it (async, as over IPC), each update checked by the contract's schema. */
function settingsAccess() {
  let current = settingsSchema.parse({ microphoneId: null, spaceTitle: 'Show', mixer: DEFAULT_MIXER });
  const store = { get: () => current };
  const access = {
    get: async () => current,
    update: async (patch: Partial<Settings>) => (current = settingsSchema.parse({ ...current, ...patch })),
  };
  return { store, access };
}

const entry = (id: string, bytes = 4, artwork: string | null = null): PremiereEntry => ({
  id,
  title: `Title ${id}`,
  artist: `Artist ${id}`,
  artwork,
  fileName: `${id}.wav`,
  bytes: async () => new Uint8Array(bytes).fill(id.charCodeAt(0)).buffer,
});

const ART = 'data:image/jpeg;base64,AAAA';

describe('QueueKeeper', () => {
  it('saves the queue (metadata in the settings, audio and artwork in the store) and a new keeper restores it in order', async () => {
    const { store, access } = settingsAccess();
    const tracks = new MapTrackStore();
    const keeper = new QueueKeeper(access, tracks);
    await keeper.save([entry('a', 4, ART), entry('b', 8)]);
    expect(store.get().premiere.queue).toEqual([
      { id: 'a', title: 'Title a', artist: 'Artist a', fileName: 'a.wav' },
      { id: 'b', title: 'Title b', artist: 'Artist b', fileName: 'b.wav' },
    ]);
    // The settings never hold the audio or the artwork.
    expect(JSON.stringify(store.get())).not.toContain('base64');

    const restored = await new QueueKeeper(access, tracks).restore();
    expect(restored.map((e) => [e.id, e.title, e.artist, e.fileName, e.artwork])).toEqual([
      ['a', 'Title a', 'Artist a', 'a.wav', ART],
      ['b', 'Title b', 'Artist b', 'b.wav', null],
    ]);
    expect(new Uint8Array(await restored[1]!.bytes())).toEqual(new Uint8Array(8).fill('b'.charCodeAt(0)));
  });

  it('follows moves and removals: a removed entry’s audio is deleted', async () => {
    const { store, access } = settingsAccess();
    const tracks = new MapTrackStore();
    const keeper = new QueueKeeper(access, tracks);
    const [a, b, c] = [entry('a'), entry('b'), entry('c')];
    await keeper.save([a, b, c]);
    await keeper.save([c, a]);
    expect(store.get().premiere.queue.map((e) => e.id)).toEqual(['c', 'a']);
    expect([...tracks.tracks.keys()].sort()).toEqual(['a', 'c']);
  });

  it('leaves out an entry whose audio is gone, deletes audio no entry names, and says so when stored audio vanishes later', async () => {
    const { access } = settingsAccess();
    const tracks = new MapTrackStore();
    await new QueueKeeper(access, tracks).save([entry('a'), entry('b')]);
    tracks.tracks.delete('a');
    await tracks.put('stray', { bytes: new ArrayBuffer(1), artwork: null });
    const restored = await new QueueKeeper(access, tracks).restore();
    expect(restored.map((e) => e.id)).toEqual(['b']);
    expect(await tracks.ids()).toEqual(['b']);
    tracks.tracks.delete('b');
    await expect(restored[0]!.bytes()).rejects.toBeInstanceOf(TrackGoneError);
  });

  it('an entry whose audio cannot be read is not saved (the rest is)', async () => {
    const { store, access } = settingsAccess();
    const keeper = new QueueKeeper(access, new MapTrackStore());
    await keeper.save([{ ...entry('a'), bytes: () => Promise.reject(new Error('file gone')) }, entry('b')]);
    expect(store.get().premiere.queue.map((e) => e.id)).toEqual(['b']);
  });

  it('the settings bound the saved queue: at most 24 entries, texts bounded, no other keys', () => {
    const base = { microphoneId: null, spaceTitle: 'S', mixer: DEFAULT_MIXER };
    const item = { id: 'a', title: 't', artist: 'r', fileName: 'f.wav' };
    expect(settingsSchema.safeParse({ ...base, premiere: { queue: Array.from({ length: 24 }, (_, i) => ({ ...item, id: `a${i}` })) } }).success).toBe(true);
    expect(settingsSchema.safeParse({ ...base, premiere: { queue: Array.from({ length: 25 }, (_, i) => ({ ...item, id: `a${i}` })) } }).success).toBe(false);
    expect(settingsSchema.safeParse({ ...base, premiere: { queue: [{ ...item, title: 'x'.repeat(201) }] } }).success).toBe(false);
    expect(settingsSchema.safeParse({ ...base, premiere: { queue: [{ ...item, artwork: ART }] } }).success).toBe(false);
    // Settings from before the premiere queue was kept read with an empty queue.
    expect(settingsSchema.parse(base).premiere).toEqual({ queue: [] });
  });
});
