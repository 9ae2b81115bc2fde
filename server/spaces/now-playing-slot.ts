/**
 * What plays in a Space (a premiere track), kept by its LiveSpace: set by the
 * host, told to everyone coalesced (at most one `nowPlaying` frame per
 * interval, serialised once for everybody) and to a joining connection at
 * once. The artwork (up to 48 KB) goes out only when it changed since the
 * last frame to everyone; a joiner always gets it.
 */
import { advance, type NowPlaying } from '../domain/premiere.ts';
import { encodeNotification, type NotificationFrame } from '../signalling/protocol.ts';

/** The artwork of the last broadcast; NONE before the first (or after a clear), so the next one carries it. */
const NONE = Symbol('none');

export class NowPlayingSlot {
  readonly #intervalMs: number;
  readonly #broadcast: (frame: NotificationFrame) => void;
  readonly #now: () => number;
  #current: NowPlaying | null = null;
  #lastArtwork: string | null | typeof NONE = NONE;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #changed = false;
  #closed = false;

  constructor(options: { intervalMs: number; broadcast: (frame: NotificationFrame) => void; now?: () => number }) {
    this.#intervalMs = options.intervalMs;
    this.#broadcast = options.broadcast;
    this.#now = options.now ?? Date.now;
  }

  /** What plays now (its position as of now), or null. */
  get current(): NowPlaying | null {
    return this.#current && advance(this.#current, this.#now());
  }

  set(value: NowPlaying | null): void {
    if (this.#closed || (value === null && this.#current === null)) return;
    this.#current = value;
    this.#changed = true;
    if (this.#timer) return;
    const wait = this.#lastSentAt + this.#intervalMs - this.#now();
    if (wait <= 0) this.#send();
    else this.#timer = setTimeout(() => this.#send(), wait);
  }

  /** Nothing plays any more, told at once (the host left: this is rare, and the Space may end right after). */
  clear(): void {
    if (this.#closed || this.#current === null) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#current = null;
    this.#changed = true;
    this.#send();
  }

  /** The frame for a connection that just joined (artwork included), or null when nothing plays. */
  joinFrame(): NotificationFrame | null {
    const current = this.current;
    return current ? encodeNotification('nowPlaying', { nowPlaying: current }) : null;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #send(): void {
    this.#timer = null;
    if (this.#closed || !this.#changed) return;
    this.#changed = false;
    this.#lastSentAt = this.#now();
    const current = this.current;
    if (!current) {
      this.#lastArtwork = NONE;
      this.#broadcast(encodeNotification('nowPlaying', { nowPlaying: null }));
      return;
    }
    const { artwork, ...rest } = current;
    const sameArtwork = this.#lastArtwork !== NONE && this.#lastArtwork === artwork;
    this.#lastArtwork = artwork;
    this.#broadcast(encodeNotification('nowPlaying', { nowPlaying: sameArtwork ? rest : current }));
  }
}
