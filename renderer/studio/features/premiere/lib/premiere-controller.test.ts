/** The premiere controller with a fake track player and live link: what is played, what listeners are told, and when. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NowPlayingTrack } from '../../../../../server/signalling/protocol.ts';
import { PremiereController, type NowPlayingLink, type PremierePlayer } from './premiere-controller.ts';
import type { PremiereEntry } from './premiere-queue.ts';

/** Like TrackPlayer: one change event per load, play, pause, seek and end; the position runs with the (fake) clock while playing. */
class FakePlayer implements PremierePlayer {
  track: { name: string; duration: number } | null = null;
  playing = false;
  #offset = 0;
  #startedAt = 0;
  readonly #listeners = new Set<() => void>();
  get position(): number {
    return this.playing ? this.#offset + (Date.now() - this.#startedAt) / 1000 : this.#offset;
  }
  async load(name: string): Promise<unknown> {
    this.playing = false;
    this.#offset = 0;
    this.track = { name, duration: 30 };
    this.#emit();
    return this.track;
  }
  play(): void {
    if (!this.track || this.playing) return;
    this.playing = true;
    this.#startedAt = Date.now();
    this.#emit();
  }
  pause(): void {
    if (!this.playing) return;
    this.#offset = this.position;
    this.playing = false;
    this.#emit();
  }
  seek(seconds: number): void {
    this.#offset = seconds;
    this.#startedAt = Date.now();
    this.#emit();
  }
  end(): void {
    this.playing = false;
    this.#offset = 0;
    this.#emit();
  }
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  #emit(): void {
    for (const l of this.#listeners) l();
  }
}

class FakeLink implements NowPlayingLink {
  snapshot = { reconnecting: false, ended: null as unknown, role: 'host' };
  readonly sent: Array<NowPlayingTrack | null> = [];
  fail: ((track: NowPlayingTrack | null) => Error | null) | null = null;
  readonly #listeners = new Set<(s: FakeLink['snapshot']) => void>();
  subscribe(listener: (s: FakeLink['snapshot']) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async setNowPlaying(track: NowPlayingTrack | null): Promise<void> {
    const error = this.fail?.(track);
    if (error) throw error;
    this.sent.push(track);
  }
  set(patch: Partial<FakeLink['snapshot']>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.#listeners) l(this.snapshot);
  }
}

const entry = (id: string, title: string): PremiereEntry => ({ id, title, artist: 'The Tones', artwork: null, fileName: `${id}.wav`, bytes: async () => new ArrayBuffer(8) });

let player: FakePlayer;
let link: FakeLink;
let premiere: PremiereController;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
  player = new FakePlayer();
  link = new FakeLink();
  premiere = new PremiereController(player, { sendIntervalMs: 500 });
  premiere.add(entry('a', 'Night Drive'));
  premiere.add(entry('b', 'Morning Light'));
});
afterEach(() => {
  premiere.close();
  vi.useRealTimers();
});

describe('premiere controller', () => {
  it('plays an entry through the track player and tells listeners on play, pause and seek, never in between', async () => {
    premiere.setLink(link);
    await premiere.play('a');
    expect(player.track?.name).toBe('Night Drive');
    expect(premiere.state).toMatchObject({ current: 'a', playing: true });
    expect(link.sent).toEqual([{ id: 'a', title: 'Night Drive', artist: 'The Tones', artwork: null, durationMs: 30_000, positionMs: 0, playing: true }]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(link.sent).toHaveLength(1);
    premiere.pause();
    await vi.advanceTimersByTimeAsync(0);
    expect(link.sent.at(-1)).toMatchObject({ positionMs: 10_000, playing: false });
    player.seek(20);
    player.play();
    await vi.advanceTimersByTimeAsync(1000);
    // Two changes within the interval: one message at its end, the latest (20 s, played on for the 500 ms it waited).
    expect(link.sent).toHaveLength(3);
    expect(link.sent.at(-1)).toMatchObject({ playing: true, positionMs: 20_500 });
  });

  it('at the end plays the next in the queue, and after the last tells listeners nothing plays (the mixer’s mode comes back)', async () => {
    premiere.setLink(link);
    await premiere.play('a');
    player.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(premiere.state).toMatchObject({ current: 'b', playing: true, played: ['a'] });
    await vi.advanceTimersByTimeAsync(600);
    expect(link.sent.at(-1)).toMatchObject({ id: 'b', title: 'Morning Light', playing: true });
    player.end();
    await vi.advanceTimersByTimeAsync(600);
    expect(premiere.state).toMatchObject({ current: null, playing: false, played: ['a', 'b'] });
    expect(link.sent.at(-1)).toBeNull();
  });

  it('ends when another file is loaded in the track strip, and on stop', async () => {
    premiere.setLink(link);
    await premiere.play('a');
    await player.load('something else');
    await vi.advanceTimersByTimeAsync(600);
    expect(premiere.state.current).toBeNull();
    expect(link.sent.at(-1)).toBeNull();
    await premiere.play('b');
    await vi.advanceTimersByTimeAsync(600);
    premiere.stop();
    await vi.advanceTimersByTimeAsync(600);
    expect(player.playing).toBe(false);
    expect(link.sent.at(-1)).toBeNull();
  });

  it('says what plays on going live, again after a reconnect, and holds off while it may not (not live, a co-host)', async () => {
    await premiere.play('a');
    expect(premiere.state.told).toBe('not-live');
    await vi.advanceTimersByTimeAsync(3000);
    premiere.setLink(link);
    await vi.advanceTimersByTimeAsync(0);
    expect(link.sent).toEqual([expect.objectContaining({ id: 'a', positionMs: 3000, playing: true })]);
    link.set({ reconnecting: true });
    link.set({ reconnecting: false });
    await vi.advanceTimersByTimeAsync(600);
    expect(link.sent).toHaveLength(2);
    const cohost = new FakeLink();
    cohost.snapshot.role = 'cohost';
    premiere.setLink(cohost);
    await vi.advanceTimersByTimeAsync(600);
    expect(cohost.sent).toEqual([]);
    expect(premiere.state.told).toBe('not-host');
  });

  it('retries after RATE_LIMITED with the latest state', async () => {
    premiere.setLink(link);
    let refuse = true;
    link.fail = () => (refuse ? Object.assign(new Error('slow down'), { code: 'RATE_LIMITED', details: { retryAfterMs: 2000 } }) : null);
    await premiere.play('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(link.sent).toEqual([]);
    refuse = false;
    premiere.pause();
    await vi.advanceTimersByTimeAsync(1500);
    expect(link.sent).toEqual([expect.objectContaining({ id: 'a', playing: false })]);
  });

  it('keeps the queue in order: play next, move, remove (removing what plays stops it)', async () => {
    premiere.add(entry('c', 'Third'));
    premiere.playNext('c');
    expect(premiere.state.queue.map((e) => e.id)).toEqual(['c', 'a', 'b']);
    await premiere.play('a');
    premiere.playNext('c');
    expect(premiere.state.queue.map((e) => e.id)).toEqual(['a', 'c', 'b']);
    premiere.move('b', -5);
    expect(premiere.state.queue.map((e) => e.id)).toEqual(['b', 'a', 'c']);
    premiere.remove('a');
    expect(premiere.state).toMatchObject({ current: null });
    expect(premiere.state.queue.map((e) => e.id)).toEqual(['b', 'c']);
  });
});
