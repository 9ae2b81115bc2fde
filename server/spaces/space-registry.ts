/**
 * The Spaces this server carries. Live Spaces are kept in memory (they are
 * rebuilt from the database once Spaces are stored); ended ones leave a small
 * record so a listener opening an old link learns that the Space has ended.
 */
import { randomBytes } from 'node:crypto';
import type { SpaceId } from '../domain/space.ts';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { WorkerPool } from '../media/worker-pool.ts';
import type { SpaceInfo, SpaceState } from '../signalling/protocol.ts';
import { LiveSpace } from './live-space.ts';
import type { SpacePeer } from './space-peer.ts';

const ENDED_KEPT = 1000;

export class SpaceRegistry {
  readonly #pool: WorkerPool;
  readonly #logger: Logger;
  readonly #live = new Map<SpaceId, LiveSpace>();
  readonly #ended = new Map<SpaceId, SpaceState>();

  constructor(pool: WorkerPool, logger: Logger) {
    this.#pool = pool;
    this.#logger = logger;
  }

  get liveCount(): number {
    return this.#live.size;
  }

  async start(host: SpacePeer, title: string): Promise<LiveSpace> {
    const id = randomBytes(9).toString('base64url') as SpaceId;
    const space = await LiveSpace.create({ id, title, host, pool: this.#pool, logger: this.#logger });
    this.#live.set(id, space);
    space.onEnd((state) => {
      this.#live.delete(id);
      this.#ended.set(id, state);
      if (this.#ended.size > ENDED_KEPT) this.#ended.delete(this.#ended.keys().next().value!);
    });
    return space;
  }

  live(id: string): LiveSpace {
    const space = this.#live.get(id as SpaceId);
    if (space) return space;
    if (this.#ended.has(id as SpaceId)) throw new NotFoundError('This Space has ended.');
    throw new NotFoundError('There is no Space at this link.');
  }

  /** Public state of a live or ended Space, for the listener page. */
  info(id: string): SpaceInfo {
    const live = this.#live.get(id as SpaceId);
    if (live) return { ...live.state(), routerRtpCapabilities: live.media.rtpCapabilities as Record<string, unknown> };
    const ended = this.#ended.get(id as SpaceId);
    if (ended) return { ...ended, routerRtpCapabilities: null };
    throw new NotFoundError('There is no Space at this link.');
  }

  async endAll(reason: 'server-shutdown' | 'media-failure'): Promise<void> {
    await Promise.all([...this.#live.values()].map((space) => space.end('server', reason)));
  }
}
