/**
 * The origin's side: every heartbeat, each live Space of this node is published to Redis (its
 * state, with the listeners counted on every edge added to this node's own), so join endpoints
 * and downstream nodes learn of it; its end is published with its reason. Downstream pipes are
 * served from the Space's stage router here.
 */
import type { types } from 'mediasoup';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { LiveSpace } from '../spaces/live-space.ts';
import type { SpaceRegistry } from '../spaces/space-registry.ts';
import type { SpaceMedia } from '../spaces/space-media.ts';
import type { ClusterBus } from './cluster-bus.ts';
import type { PipeSource } from './pipe-server.ts';

/** A live Space's record outlives this many node TTLs without a refresh (its origin's death is told by the node key). */
const SPACE_TTLS = 3;
/** How long an ended Space's record stays in Redis (late joins learn it ended, and why). */
const ENDED_KEPT_MS = 60_000;

/** The mediasoup router under a Space's media (the real MediaRoom has one; a fake has none). */
export function routerOf(media: SpaceMedia): types.Router | null {
  const router = (media as unknown as { router?: types.Router }).router;
  return router && typeof router.createPipeTransport === 'function' ? router : null;
}

export class OriginSpaces {
  readonly #bus: ClusterBus;
  readonly #registry: SpaceRegistry;
  readonly #ttlMs: number;
  readonly #log: Logger;
  readonly #followed = new WeakSet<LiveSpace>();
  /** Each live Space's program producer: its id once made, null while it starts or when it cannot be made. */
  readonly #programs = new Map<string, { id: string | null; failed: boolean }>();

  constructor(deps: { bus: ClusterBus; registry: SpaceRegistry; ttlMs: number; logger: Logger }) {
    this.#bus = deps.bus;
    this.#registry = deps.registry;
    this.#ttlMs = deps.ttlMs;
    this.#log = deps.logger.child({ module: 'origin-spaces' });
  }

  async sourceOf(spaceId: string): Promise<PipeSource> {
    const space = this.#registry.ifLive(spaceId);
    const router = space ? routerOf(space.media) : null;
    if (!space || !router) throw new NotFoundError('There is no live Space with that id on this node.');
    return {
      router,
      ensureProducer: async (producerId) => {
        const state = space.state();
        if (this.#programs.get(spaceId)?.id === producerId) return;
        if (state.hostProducerId !== producerId && !state.stage.some((m) => m.producerId === producerId)) throw new NotFoundError('That producer is not on this Space\'s stage.');
      },
    };
  }

  /** The Space is to be carried by every relay and edge at once (its tree warmed before its listeners come). */
  async warm(spaceId: string): Promise<void> {
    // Published first: a node that finds a warm Space unpublished takes it for gone.
    await this.publish();
    await this.#bus.setWarm(spaceId, true);
  }

  /** One heartbeat: every live Space here published (listeners on edges counted in). */
  async publish(): Promise<void> {
    for (const space of this.#registry.all()) {
      if (!this.#followed.has(space)) {
        this.#followed.add(space);
        space.on('ended', (state) => {
          this.#programs.delete(space.id);
          void this.#bus.setWarm(space.id, false).catch((error: unknown) => this.#log.warn({ err: error, spaceId: space.id }, 'could not stop warming a Space'));
          const endReason = space.space.endReason ?? 'server-shutdown';
          void this.#bus
            .publishSpace({ originId: this.#bus.nodeId, state, endReason, at: Date.now() }, ENDED_KEPT_MS)
            .catch((error: unknown) => this.#log.warn({ err: error, spaceId: space.id }, 'could not publish the end of a Space'));
        });
      }
      const state = space.state();
      if (state.status !== 'live') continue;
      const onEdges = await this.#bus.listenersOnEdges(space.id, this.#ttlMs * 2);
      const programProducerId = this.#program(space);
      // Kept longer than the node's own heartbeat: a busy origin must not look as if its Spaces ended.
      await this.#bus.publishSpace({ originId: this.#bus.nodeId, state: { ...state, listenerCount: state.listenerCount + onEdges }, endReason: null, programProducerId, at: Date.now() }, this.#ttlMs * SPACE_TTLS);
    }
  }

  /**
   * The Space's program producer: started on the origin for every live Space (relays and edges carry
   * it instead of each voice, so a listener costs one stream however many speak). Null while it
   * starts, or when this media has no program (then the stage's producers are piped).
   */
  #program(space: LiveSpace): string | null {
    const known = this.#programs.get(space.id);
    if (known) return known.id;
    const media = space.media as unknown as { program?: () => Promise<{ producer: types.Producer }> };
    if (typeof media.program !== 'function') return null;
    const entry: { id: string | null; failed: boolean } = { id: null, failed: false };
    this.#programs.set(space.id, entry);
    media.program().then(
      (mixer) => {
        entry.id = mixer.producer.id;
        mixer.producer.observer.once('close', () => {
          if (this.#programs.get(space.id) === entry) this.#programs.delete(space.id);
        });
      },
      (error: unknown) => {
        entry.failed = true;
        this.#log.warn({ err: error, spaceId: space.id }, 'no program stream for this Space; its stage producers are piped instead');
      },
    );
    return null;
  }
}
