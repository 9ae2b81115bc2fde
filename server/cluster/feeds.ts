/**
 * The Spaces a relay or edge node carries (FedSpaces), made on first need (a listener's join, or
 * a downstream node's pipe), one at a time per Space. Every heartbeat each is synced with what its
 * origin published; one that nobody needs any more (no listener here, no pipe from here) for a
 * few heartbeats is closed.
 */
import type { types } from 'mediasoup';
import { NotFoundError, SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { MediaRoom } from '../media/media-room.ts';
import type { ClusterBus } from './cluster-bus.ts';
import { FedSpace } from './fed-space.ts';

/** Heartbeats a Space nobody uses here stays fed (so a listener coming straight back finds it warm). */
const IDLE_BEATS = 10;
/** Spaces one node carries at most. */
export const MAX_FED_SPACES = 500;

export type FeedsDeps = {
  bus: ClusterBus;
  createRoom(): Promise<{ room: MediaRoom; router: types.Router }>;
  listen: { ip: string; announcedAddress: string | undefined };
  chooseUpstream(originId: string, avoid: ReadonlySet<string>): Promise<string>;
  /** Whether anything here still uses the Space (listeners, downstream pipes). */
  inUse(spaceId: string): boolean;
  logger: Logger;
};

export class Feeds {
  readonly #deps: FeedsDeps;
  readonly #log: Logger;
  readonly #spaces = new Map<string, Promise<FedSpace>>();
  readonly #idle = new Map<string, number>();
  readonly #made = new Set<(fed: FedSpace) => void>();
  /** Spaces the origin asked every node to carry before anyone asks (scheduled ones). */
  #warm = new Set<string>();
  #closed = false;

  constructor(deps: FeedsDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ module: 'feeds' });
  }

  get size(): number {
    return this.#spaces.size;
  }

  /** Called with every FedSpace made from now on. */
  onMade(listener: (fed: FedSpace) => void): void {
    this.#made.add(listener);
  }

  /** The Space fed here, made (attached upstream, stage piped) if it is not yet. */
  get(spaceId: string): Promise<FedSpace> {
    const existing = this.#spaces.get(spaceId);
    if (existing) return existing;
    if (this.#closed) return Promise.reject(new SpacecraftError('UNAVAILABLE', 'This server is shutting down.'));
    if (this.#spaces.size >= MAX_FED_SPACES) return Promise.reject(new SpacecraftError('UNAVAILABLE', 'This server carries as many Spaces as it can; try again.'));
    const made = this.#make(spaceId);
    this.#spaces.set(spaceId, made);
    made.then(
      (fed) => {
        fed.on('ended', () => {
          if (this.#spaces.get(spaceId) === made) this.#spaces.delete(spaceId);
        });
        for (const listener of this.#made) listener(fed);
      },
      () => {
        if (this.#spaces.get(spaceId) === made) this.#spaces.delete(spaceId);
      },
    );
    return made;
  }

  /** The Spaces fed here now (at most 100 named). */
  carrying(): string[] {
    return [...this.#spaces.keys()].slice(0, 100);
  }

  /** The nodes this node's Spaces are fed from now. */
  async upstreams(): Promise<string[]> {
    const nodes = new Set<string>();
    for (const made of this.#spaces.values()) {
      const upstream = (await made.catch(() => null))?.upstream;
      if (upstream) nodes.add(upstream);
    }
    return [...nodes].slice(0, 100);
  }

  /** The Space if it is fed here and ready. */
  async ifFed(spaceId: string): Promise<FedSpace | null> {
    const made = this.#spaces.get(spaceId);
    return made ? made.catch(() => null) : null;
  }

  async #make(spaceId: string): Promise<FedSpace> {
    const published = await this.#deps.bus.space(spaceId);
    if (!published) throw new NotFoundError('There is no live Space at this link.');
    if (published.state.status !== 'live') throw new SpacecraftError('SPACE_ENDED', 'This Space has ended.');
    return FedSpace.create(spaceId, published, this.#deps);
  }

  /** Whether the Space is pre-warmed (carried here whether or not anyone uses it). */
  warm(spaceId: string): boolean {
    return this.#warm.has(spaceId);
  }

  /** One heartbeat: warm Spaces taken on, every Space synced with its origin's latest; idle ones closed. */
  async sync(): Promise<void> {
    this.#warm = new Set(await this.#deps.bus.warmSpaces());
    for (const spaceId of this.#warm) {
      if (this.#spaces.has(spaceId)) continue;
      this.get(spaceId).then(
        () => this.#log.info({ spaceId }, 'pre-warmed'),
        (error: unknown) => {
          // A Space that ended (or whose origin died) is no longer to be warmed, by anyone.
          const code = (error as { code?: unknown }).code;
          if (code === 'NOT_FOUND' || code === 'SPACE_ENDED') void this.#deps.bus.setWarm(spaceId, false).catch(() => undefined);
          else this.#log.warn({ err: error, spaceId }, 'could not pre-warm (the next heartbeat tries again)');
        },
      );
    }
    for (const [spaceId, made] of [...this.#spaces]) {
      const fed = await made.catch(() => null);
      if (!fed || fed.closed) continue;
      if (this.#warm.has(spaceId) || this.#deps.inUse(spaceId)) this.#idle.delete(spaceId);
      else {
        const beats = (this.#idle.get(spaceId) ?? 0) + 1;
        this.#idle.set(spaceId, beats);
        if (beats > IDLE_BEATS) {
          this.#log.info({ spaceId }, 'nobody uses this Space here any more; closing it');
          this.#idle.delete(spaceId);
          fed.close();
          continue;
        }
      }
      try {
        await fed.sync(await this.#deps.bus.space(spaceId));
      } catch (error) {
        this.#log.warn({ err: error, spaceId }, 'sync failed (the next heartbeat tries again)');
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const made of this.#spaces.values()) (await made.catch(() => null))?.close();
    this.#spaces.clear();
  }
}
