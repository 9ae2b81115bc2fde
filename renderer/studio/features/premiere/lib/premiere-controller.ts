/**
 * The premiere in the studio: the queue, the track player it plays through,
 * and what listeners are told. A plain class; components subscribe to its
 * state.
 *
 *   add / remove / move / playNext    the queue
 *   play(id)                          loads the entry into the track player and plays it
 *   pause() / resume() / stop()       the premiere track (stop: nothing plays, listeners told)
 *   setLink(link)                     the live Space to tell (the host's live session), or null
 *
 * While a premiere track is loaded (`state.current`), the app holds the mixer
 * in music mode. A track that plays to its end is marked played and the next
 * in the queue follows; after the last one, nothing plays. Loading another file
 * in the track strip ends the premiere too.
 *
 * Listeners are told on play, pause, seek, track change and end, never
 * continuously: at most one `setNowPlaying` per `sendIntervalMs` (the latest
 * state goes at the end of the interval), within the server's 20 per 10 s. A
 * host whose connection came back says it again.
 */
import type { NowPlayingTrack } from '../../../../../server/signalling/protocol.ts';
import { add, after, move, playNext, remove, type PremiereEntry } from './premiere-queue.ts';

/** What the controller needs of the track player (lib/mix/track-player.ts). */
export type PremierePlayer = {
  readonly track: { readonly name: string; readonly duration: number } | null;
  readonly playing: boolean;
  readonly position: number;
  load(name: string, bytes: ArrayBuffer): Promise<unknown>;
  play(): void;
  pause(): void;
  onChange(listener: () => void): () => void;
};

/** What the controller needs of the live session (the stage feature's LiveSession fits). */
export type NowPlayingLink = {
  readonly snapshot: { readonly reconnecting: boolean; readonly ended: unknown; readonly role: string };
  subscribe(listener: (snapshot: NowPlayingLink['snapshot']) => void): () => void;
  setNowPlaying(track: NowPlayingTrack | null): Promise<void>;
};

/** Whether listeners see it: not live yet, told, or why not. */
export type Told = 'not-live' | 'told' | 'not-host' | 'failed';

export type PremiereState = {
  queue: readonly PremiereEntry[];
  /** The entry loaded in the track player as the premiere, or null. */
  current: string | null;
  playing: boolean;
  /** The entry being read and decoded. */
  loading: string | null;
  played: readonly string[];
  error: string | null;
  told: Told;
};

export class PremiereController {
  readonly #player: PremierePlayer;
  readonly #sendIntervalMs: number;
  readonly #listeners = new Set<(state: PremiereState) => void>();
  readonly #offPlayer: () => void;
  #state: PremiereState = { queue: [], current: null, playing: false, loading: null, played: [], error: null, told: 'not-live' };
  /** The player's track object while it is the premiere's. */
  #loaded: PremierePlayer['track'] = null;
  #wasPlaying = false;
  #link: NowPlayingLink | null = null;
  #offLink: (() => void) | null = null;
  #wasReconnecting = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #dirty = false;
  #sending = false;
  #closed = false;

  constructor(player: PremierePlayer, options: { sendIntervalMs?: number } = {}) {
    this.#player = player;
    this.#sendIntervalMs = options.sendIntervalMs ?? 500;
    this.#offPlayer = player.onChange(() => this.#playerChanged());
  }

  get state(): PremiereState {
    return this.#state;
  }

  subscribe(listener: (state: PremiereState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  add(entry: PremiereEntry): void {
    this.#update({ queue: add(this.#state.queue, entry), error: null });
  }

  remove(id: string): void {
    if (id === this.#state.current) this.stop();
    this.#update({ queue: remove(this.#state.queue, id), played: this.#state.played.filter((p) => p !== id) });
  }

  move(id: string, delta: number): void {
    this.#update({ queue: move(this.#state.queue, id, delta) });
  }

  playNext(id: string): void {
    this.#update({ queue: playNext(this.#state.queue, id, this.#state.current) });
  }

  /** Loads the entry into the track player (replacing what it held) and plays it. */
  async play(id: string): Promise<void> {
    const entry = this.#state.queue.find((e) => e.id === id);
    if (!entry || this.#state.loading) return;
    this.#update({ loading: id, error: null });
    try {
      const bytes = await entry.bytes();
      this.#loaded = null;
      await this.#player.load(entry.title, bytes);
      if (this.#closed) return;
      this.#loaded = this.#player.track;
      this.#wasPlaying = false;
      this.#update({ current: id, loading: null, played: this.#state.played.filter((p) => p !== id) });
      this.#player.play();
    } catch (error) {
      this.#update({ loading: null, error: error instanceof Error ? error.message : String(error) });
    }
  }

  pause(): void {
    if (this.#state.current) this.#player.pause();
  }

  resume(): void {
    if (this.#state.current) this.#player.play();
  }

  /** Nothing plays any more: the player stops, listeners are told, the mixer's own mode comes back. */
  stop(): void {
    if (!this.#state.current) return;
    this.#loaded = null;
    this.#player.pause();
    this.#finish();
  }

  setLink(link: NowPlayingLink | null): void {
    if (link === this.#link) return;
    this.#offLink?.();
    this.#offLink = null;
    this.#link = link;
    this.#wasReconnecting = link?.snapshot.reconnecting ?? false;
    if (link) {
      this.#offLink = link.subscribe((snapshot) => {
        // Back after a drop: the server cleared what played when the connection went.
        if (this.#wasReconnecting && !snapshot.reconnecting) this.#changed();
        this.#wasReconnecting = snapshot.reconnecting;
      });
      // Went live while something plays: say so; nothing plays: nothing to say.
      if (this.#state.current) this.#changed();
      else this.#update({ told: this.#linkUsable() ? 'told' : this.#whyNot() });
    } else this.#update({ told: 'not-live' });
  }

  close(): void {
    this.#closed = true;
    this.#offPlayer();
    this.#offLink?.();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** What listeners should see now. */
  nowPlaying(): NowPlayingTrack | null {
    const entry = this.#state.queue.find((e) => e.id === this.#state.current);
    const track = this.#player.track;
    if (!entry || !track || track !== this.#loaded) return null;
    const durationMs = Math.round(track.duration * 1000);
    return {
      id: entry.id,
      title: entry.title,
      artist: entry.artist,
      artwork: entry.artwork,
      durationMs,
      positionMs: Math.min(durationMs, Math.max(0, Math.round(this.#player.position * 1000))),
      playing: this.#player.playing,
    };
  }

  #playerChanged(): void {
    const current = this.#state.current;
    if (!current || this.#state.loading) return;
    const player = this.#player;
    if (player.track !== this.#loaded) {
      // Another file was loaded in the track strip: the premiere is over.
      this.#loaded = null;
      this.#finish();
      return;
    }
    const ended = this.#wasPlaying && !player.playing && player.position === 0;
    this.#wasPlaying = player.playing;
    if (ended) {
      const next = after(this.#state.queue, current);
      this.#update({ played: [...this.#state.played.filter((p) => p !== current), current] });
      if (next) {
        this.#changed();
        void this.play(next.id);
      } else this.#finish();
      return;
    }
    this.#update({ playing: player.playing });
    this.#changed();
  }

  #finish(): void {
    this.#wasPlaying = false;
    this.#update({ current: null, playing: false });
    this.#changed();
  }

  #linkUsable(): boolean {
    const link = this.#link;
    return link !== null && !link.snapshot.ended && !link.snapshot.reconnecting && link.snapshot.role === 'host';
  }

  #whyNot(): Told {
    return this.#link && !this.#link.snapshot.ended && this.#link.snapshot.role !== 'host' ? 'not-host' : 'not-live';
  }

  /** Something listeners see changed: tell them now, or at the end of the interval. */
  #changed(): void {
    this.#dirty = true;
    if (this.#timer || this.#sending) return;
    const wait = this.#lastSentAt + this.#sendIntervalMs - Date.now();
    if (wait <= 0) void this.#send();
    else this.#timer = setTimeout(() => void this.#send(), wait);
  }

  async #send(): Promise<void> {
    this.#timer = null;
    if (this.#closed || !this.#dirty) return;
    if (!this.#linkUsable()) {
      this.#update({ told: this.#whyNot() });
      return;
    }
    this.#dirty = false;
    this.#sending = true;
    this.#lastSentAt = Date.now();
    let retryAfter = 0;
    try {
      await this.#link!.setNowPlaying(this.nowPlaying());
      this.#update({ told: 'told' });
    } catch (error) {
      const { code, details } = error as { code?: string; details?: { retryAfterMs?: number } };
      if (code === 'RATE_LIMITED') {
        this.#dirty = true;
        retryAfter = details?.retryAfterMs ?? this.#sendIntervalMs;
      } else if (code === 'UNAVAILABLE') {
        // The connection dropped: said again when it is back.
        this.#dirty = true;
      } else this.#update({ told: 'failed', error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.#sending = false;
    }
    if (this.#dirty && !this.#closed) this.#timer = setTimeout(() => void this.#send(), Math.max(retryAfter, this.#sendIntervalMs));
  }

  #update(patch: Partial<PremiereState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(this.#state);
  }
}
