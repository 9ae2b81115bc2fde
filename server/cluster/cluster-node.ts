/**
 * This server as one node of a multi-node deployment (SPACECRAFT_NODE_ROLE):
 *
 *   origin  holds the stage (hosts start Spaces here, as on a single server); publishes its live
 *           Spaces to Redis every heartbeat and serves pipes of their stage producers.
 *   relay   carries Spaces fed from the origin and pipes them on to edges (a fan-out stage, so the
 *           origin feeds a few relays instead of every edge).
 *   edge    carries Spaces fed from a relay (the origin if no relay is up) and serves listeners who
 *           bring a ticket from the join endpoint.
 *
 * Every node sends a heartbeat (Redis key with a TTL) and answers the join endpoint. Nothing here
 * is kept that the database and Redis cannot rebuild: a restarted node simply starts again.
 */
import type { FastifyInstance } from 'fastify';
import type { types } from 'mediasoup';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { MediaRoom } from '../media/media-room.ts';
import type { WorkerPool } from '../media/worker-pool.ts';
import type { Handlers } from '../signalling/handlers/handler.ts';
import type { SpaceRegistry } from '../spaces/space-registry.ts';
import { Admission } from './admission.ts';
import { ClusterBus } from './cluster-bus.ts';
import type { ClusterConfig } from './cluster-config.ts';
import { EdgeListeners } from './edge-listeners.ts';
import { Feeds } from './feeds.ts';
import { registerJoinRoute } from './join-route.ts';
import { OriginSpaces, routerOf } from './origin-spaces.ts';
import { PipeServer } from './pipe-server.ts';

/** Listener counts go to Redis this often (never per join). */
export const COUNT_INTERVAL_MS = 2000;

export class ClusterNode {
  readonly config: ClusterConfig;
  readonly bus: ClusterBus;
  readonly feeds: Feeds | null;
  readonly listeners: EdgeListeners | null;
  readonly #pipes: PipeServer;
  readonly #origin: OriginSpaces | null;
  readonly #admission: Admission;
  readonly #pool: WorkerPool;
  readonly #log: Logger;
  #url = '';
  #timer: NodeJS.Timeout | null = null;
  #lastCount = 0;
  #beating: Promise<void> = Promise.resolve();
  #closed = false;

  static async start(deps: { config: ClusterConfig; server: ServerConfig; pool: WorkerPool; registry: SpaceRegistry; logger: Logger }): Promise<ClusterNode> {
    const bus = await ClusterBus.connect(deps.config.redisUrl, deps.config.nodeId, deps.logger);
    return new ClusterNode(deps, bus);
  }

  private constructor(deps: { config: ClusterConfig; server: ServerConfig; pool: WorkerPool; registry: SpaceRegistry; logger: Logger }, bus: ClusterBus) {
    const { config, server, pool, registry, logger } = deps;
    this.config = config;
    this.bus = bus;
    this.#pool = pool;
    this.#log = logger.child({ module: 'cluster-node', nodeId: config.nodeId, role: config.role });
    this.#admission = new Admission(bus.redis);
    const listen = { ip: config.pipe.listenIp ?? server.rtc.listenIp, announcedAddress: config.pipe.announcedAddress ?? server.rtc.announcedAddress };
    if (config.role === 'origin') {
      const origin = new OriginSpaces({ bus, registry, ttlMs: config.ttlMs, logger });
      this.#origin = origin;
      this.feeds = null;
      this.listeners = null;
      this.#pipes = new PipeServer({ bus, listen, logger, sourceOf: (spaceId) => origin.sourceOf(spaceId) });
      return;
    }
    this.#origin = null;
    const createRoom = async (): Promise<{ room: MediaRoom; router: types.Router }> => {
      // An edge spreads its listeners over all its workers (pipeToRouter inside the node).
      const room = await MediaRoom.create(pool, logger, { spread: true });
      const router = routerOf(room);
      if (!router) {
        room.close();
        throw new Error('MediaRoom has no router to feed');
      }
      return { room, router };
    };
    const feeds = new Feeds({
      bus,
      createRoom,
      listen,
      logger,
      chooseUpstream: (originId, avoid) => this.#chooseUpstream(originId, avoid),
      inUse: (spaceId) => this.#pipes.pipesOf(spaceId) > 0 || (this.listeners?.countIn(spaceId) ?? 0) > 0,
    });
    this.feeds = feeds;
    this.#pipes = new PipeServer({ bus, listen, logger, sourceOf: (spaceId) => feeds.get(spaceId) });
    this.listeners = config.role === 'edge' ? new EdgeListeners({ feeds, secret: config.secret, nodeId: config.nodeId, capacity: config.edgeListeners, logger }) : null;
  }

  /**
   * The signalling handlers of this node: an edge serves ticketed listeners; the origin warms the
   * tree of a scheduled Space as it starts (every relay and edge carries it before its waiting
   * audience joins).
   */
  handlers(base: Handlers): Handlers {
    if (this.listeners) return this.listeners.handlers(base);
    const origin = this.#origin;
    if (!origin) return base;
    return {
      ...base,
      createSpace: async (ctx, data) => {
        const hosted = await base.createSpace(ctx, data);
        if (data.scheduledSpaceId) await origin.warm(hosted.space.spaceId).catch((error: unknown) => this.#log.warn({ err: error }, 'could not warm the tree'));
        return hosted;
      },
    };
  }

  registerRoutes(app: FastifyInstance, asksPerIpPerMinute: number): void {
    registerJoinRoute(app, { ownUrl: () => this.#url, asksPerIpPerMinute, cluster: { bus: this.bus, config: this.config, admission: this.#admission } });
  }

  /** Starts the heartbeats once the node knows the URL listeners reach it at. */
  announce(url: string): void {
    this.#url = url;
    const tick = () => {
      this.#beating = this.#beat().catch((error: unknown) => this.#log.warn({ err: error }, 'heartbeat failed'));
      void this.#beating.then(() => {
        if (!this.#closed) this.#timer = setTimeout(tick, this.config.heartbeatMs);
      });
    };
    tick();
  }

  async #beat(): Promise<void> {
    if (this.#closed) return;
    const listeners = this.listeners?.count ?? 0;
    await this.bus.beat(
      {
        nodeId: this.config.nodeId,
        role: this.config.role,
        url: this.#url,
        listeners,
        capacity: this.config.role === 'edge' ? this.config.edgeListeners : 0,
        workers: Math.max(1, this.#pool.size),
        spaces: this.feeds?.size ?? 0,
        upstreams: (await this.feeds?.upstreams()) ?? [],
        carrying: this.feeds?.carrying() ?? [],
        at: Date.now(),
      },
      this.config.ttlMs,
    );
    await this.#origin?.publish();
    await this.feeds?.sync();
    await this.#pipes.sweep();
    if (this.listeners && Date.now() - this.#lastCount >= COUNT_INTERVAL_MS) {
      this.#lastCount = Date.now();
      for (const [spaceId, n] of this.listeners.counts()) await this.bus.countListeners(spaceId, this.config.nodeId, n, 60_000);
    }
  }

  /** Relays pipe from the origin; edges from the least busy live relay, else the origin. */
  async #chooseUpstream(originId: string, avoid: ReadonlySet<string>): Promise<string> {
    if (this.config.role === 'edge') {
      const relays = (await this.bus.nodes('relay')).filter((r) => !avoid.has(r.nodeId));
      if (relays.length) {
        const fewest = Math.min(...relays.map((r) => r.spaces));
        const candidates = relays.filter((r) => r.spaces === fewest);
        return candidates[Math.floor(Math.random() * candidates.length)]!.nodeId;
      }
    }
    return originId;
  }

  /** Stops beating (the node leaves the directory at once), ends what it carries, closes Redis. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#beating;
    await this.bus.forget({ nodeId: this.config.nodeId, role: this.config.role }).catch((error: unknown) => this.#log.warn({ err: error }, 'could not leave the directory'));
    await this.#origin?.publish().catch((error: unknown) => this.#log.warn({ err: error }, 'could not publish the last state'));
    await this.feeds?.close();
    this.#pipes.close();
    this.bus.close();
  }
}
