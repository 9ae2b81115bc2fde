/**
 * What nodes say to each other through Redis: request/reply between two nodes (each node reads
 * its own pub/sub channel), and the keys every node reads: heartbeats (with a TTL, so a killed node
 * simply disappears), the live Spaces their origins publish, and per-edge listener counts.
 * Redis holds nothing that lasts: after a flush every node writes its part again within a heartbeat.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { SpacecraftError, toWireError, type WireError } from '../errors.ts';
import { safeParse } from '../lib/safe-parse.ts';
import type { Logger } from '../logger.ts';
import { spaceStateSchema, wireErrorSchema, type SpaceState } from '../signalling/protocol.ts';
import { NODE_ROLES, type NodeRole } from './cluster-config.ts';

const PREFIX = 'spacecraft:';
/** Largest message a node reads from another (pipe parameters are a few hundred bytes). */
const MAX_MESSAGE_CHARS = 64 * 1024;
/** A request unanswered this long fails (UNAVAILABLE). */
export const CALL_TIMEOUT_MS = 5000;

export const nodeBeatSchema = z.object({
  nodeId: z.string().max(64),
  role: z.enum(NODE_ROLES),
  /** Where listeners reach it (its public HTTP URL). */
  url: z.string().max(500),
  listeners: z.number().int().nonnegative(),
  capacity: z.number().int().nonnegative(),
  workers: z.number().int().positive(),
  /** Spaces it carries (fed from upstream, or held on stage). */
  spaces: z.number().int().nonnegative(),
  /** The nodes it is fed from now (a relay or edge), for operators and tests. */
  upstreams: z.array(z.string().max(64)).max(100),
  /** The Spaces it carries now (a relay or edge; at most 100 named). */
  carrying: z.array(z.string().max(64)).max(100).optional(),
  at: z.number(),
});
export type NodeBeat = z.infer<typeof nodeBeatSchema>;

/** A live Space as its origin publishes it every heartbeat. */
export const publishedSpaceSchema = z.object({
  originId: z.string().max(64),
  state: spaceStateSchema,
  endReason: z.string().max(40).nullable(),
  /** The Space's program stream (the stage mixed into one producer), once the origin has it: what relays and edges carry. */
  programProducerId: z.string().max(64).nullable().optional(),
  at: z.number(),
});
export type PublishedSpace = z.infer<typeof publishedSpaceSchema>;

const requestSchema = z.object({ kind: z.literal('request'), id: z.string().max(32), from: z.string().max(64), method: z.string().max(64), data: z.unknown() });
const replySchema = z.object({ kind: z.literal('reply'), id: z.string().max(32), ok: z.boolean(), data: z.unknown().optional(), error: wireErrorSchema.optional() });
const messageSchema = z.discriminatedUnion('kind', [requestSchema, replySchema]);

export type RequestHandler = (data: unknown, from: string) => Promise<unknown>;

export class ClusterBus {
  readonly nodeId: string;
  readonly redis: Redis;
  readonly #sub: Redis;
  readonly #log: Logger;
  readonly #handlers = new Map<string, RequestHandler>();
  readonly #waiting = new Map<string, { resolve: (data: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  #closed = false;

  static async connect(url: string, nodeId: string, logger: Logger): Promise<ClusterBus> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true };
    const bus = new ClusterBus(new Redis(url, options), new Redis(url, options), nodeId, logger);
    try {
      await bus.redis.connect();
      await bus.#sub.connect();
      await bus.#sub.subscribe(channelOf(nodeId));
    } catch (error) {
      bus.close();
      throw new SpacecraftError('UNAVAILABLE', `Redis cannot be reached: ${(error as Error).message}`);
    }
    return bus;
  }

  private constructor(redis: Redis, sub: Redis, nodeId: string, logger: Logger) {
    this.redis = redis;
    this.#sub = sub;
    this.nodeId = nodeId;
    this.#log = logger.child({ module: 'cluster-bus', nodeId });
    for (const client of [redis, sub]) client.on('error', (error) => this.#log.warn({ err: error }, 'redis connection error'));
    sub.on('message', (_channel, text: string) => this.#onMessage(text));
  }

  /** Answers `method` requests from other nodes. */
  handle(method: string, handler: RequestHandler): void {
    this.#handlers.set(method, handler);
  }

  /** Asks node `to`; resolves with its answer, rejects with its typed error or UNAVAILABLE after the timeout. */
  async call(to: string, method: string, data: unknown, timeoutMs = CALL_TIMEOUT_MS): Promise<unknown> {
    if (this.#closed) throw new SpacecraftError('UNAVAILABLE', 'This node is shutting down.');
    const id = randomBytes(9).toString('base64url');
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new SpacecraftError('UNAVAILABLE', `Node ${to} did not answer ${method} in time.`));
      }, timeoutMs);
      this.#waiting.set(id, { resolve, reject, timer });
    });
    const receivers = await this.redis.publish(channelOf(to), JSON.stringify({ kind: 'request', id, from: this.nodeId, method, data }));
    if (receivers === 0) {
      this.#settle(id, { ok: false, error: { code: 'UNAVAILABLE', message: `Node ${to} is not listening.` } });
    }
    return answer;
  }

  #onMessage(text: string): void {
    if (text.length > MAX_MESSAGE_CHARS) return this.#log.warn({ chars: text.length }, 'message from another node too large; ignored');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.#log.warn('unreadable message from another node; ignored');
    }
    const parsed = safeParse(messageSchema, json);
    if (!parsed.success) return this.#log.warn('malformed message from another node; ignored');
    const message = parsed.data;
    if (message.kind === 'reply') return this.#settle(message.id, message);
    void this.#answer(message);
  }

  async #answer(request: z.infer<typeof requestSchema>): Promise<void> {
    const handler = this.#handlers.get(request.method);
    let reply: object;
    try {
      if (!handler) throw new SpacecraftError('UNKNOWN_METHOD', `This node does not answer ${request.method}.`);
      reply = { kind: 'reply', id: request.id, ok: true, data: await handler(request.data, request.from) };
    } catch (error) {
      if (!(error instanceof SpacecraftError)) this.#log.error({ err: error, method: request.method }, 'request from another node failed');
      reply = { kind: 'reply', id: request.id, ok: false, error: toWireError(error) };
    }
    if (this.#closed) return;
    await this.redis.publish(channelOf(request.from), JSON.stringify(reply)).catch((error: unknown) => this.#log.warn({ err: error }, 'could not answer another node'));
  }

  #settle(id: string, reply: { ok: boolean; data?: unknown; error?: WireError | undefined }): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    clearTimeout(waiting.timer);
    if (reply.ok) waiting.resolve(reply.data);
    else waiting.reject(new SpacecraftError(reply.error?.code ?? 'INTERNAL', reply.error?.message ?? 'Another node failed.'));
  }

  // ---- heartbeats ----

  async beat(beat: NodeBeat, ttlMs: number): Promise<void> {
    await this.redis.multi().set(nodeKey(beat.nodeId), JSON.stringify(beat), 'PX', ttlMs).sadd(roleKey(beat.role), beat.nodeId).exec();
  }

  /** Nodes of a role whose heartbeat is still there; forgets the others. */
  async nodes(role: NodeRole): Promise<NodeBeat[]> {
    const ids = await this.redis.smembers(roleKey(role));
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map(nodeKey));
    const alive: NodeBeat[] = [];
    const gone: string[] = [];
    values.forEach((value, i) => {
      const beat = value ? safeParse(nodeBeatSchema, safeJson(value)) : null;
      if (beat?.success) alive.push(beat.data);
      else gone.push(ids[i]!);
    });
    if (gone.length) await this.redis.srem(roleKey(role), ...gone);
    return alive;
  }

  async alive(nodeId: string): Promise<boolean> {
    return (await this.redis.exists(nodeKey(nodeId))) === 1;
  }

  async forget(beat: Pick<NodeBeat, 'nodeId' | 'role'>): Promise<void> {
    await this.redis.multi().del(nodeKey(beat.nodeId)).srem(roleKey(beat.role), beat.nodeId).exec();
  }

  // ---- Spaces and listener counts ----

  async publishSpace(space: PublishedSpace, ttlMs: number): Promise<void> {
    await this.redis.set(spaceKey(space.state.spaceId), JSON.stringify(space), 'PX', ttlMs);
  }

  async space(spaceId: string): Promise<PublishedSpace | null> {
    const value = await this.redis.get(spaceKey(spaceId));
    if (!value) return null;
    const parsed = safeParse(publishedSpaceSchema, safeJson(value));
    return parsed.success ? parsed.data : null;
  }

  /** Spaces every relay and edge should carry before anyone asks (scheduled Spaces, whose audience storms in at the start). */
  async setWarm(spaceId: string, warm: boolean): Promise<void> {
    if (warm) await this.redis.sadd(WARM_KEY, spaceId);
    else await this.redis.srem(WARM_KEY, spaceId);
  }

  async warmSpaces(): Promise<string[]> {
    return (await this.redis.srandmember(WARM_KEY, MAX_WARM)) ?? [];
  }

  /** An edge's listeners in a Space, written every ~2 s (never per join). */
  async countListeners(spaceId: string, edgeId: string, listeners: number, keepMs: number): Promise<void> {
    await this.redis.multi().hset(countKey(spaceId), edgeId, JSON.stringify({ n: listeners, at: Date.now() })).pexpire(countKey(spaceId), keepMs).exec();
  }

  /** Listeners of a Space on every edge whose count is fresher than `freshMs`. */
  async listenersOnEdges(spaceId: string, freshMs: number): Promise<number> {
    const all = await this.redis.hgetall(countKey(spaceId));
    const now = Date.now();
    let total = 0;
    for (const value of Object.values(all)) {
      const entry = safeJson(value) as { n?: unknown; at?: unknown } | null;
      if (typeof entry?.n === 'number' && typeof entry.at === 'number' && now - entry.at <= freshMs) total += entry.n;
    }
    return total;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [id, waiting] of this.#waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(new SpacecraftError('UNAVAILABLE', 'This node is shutting down.'));
      this.#waiting.delete(id);
    }
    this.#sub.disconnect();
    this.redis.disconnect();
  }
}

export type { SpaceState };

const WARM_KEY = `${PREFIX}warm`;
/** Pre-warmed Spaces a node takes at most. */
const MAX_WARM = 50;
const channelOf = (nodeId: string) => `${PREFIX}rpc:${nodeId}`;
const nodeKey = (nodeId: string) => `${PREFIX}node:${nodeId}`;
const roleKey = (role: NodeRole) => `${PREFIX}nodes:${role}`;
const spaceKey = (spaceId: string) => `${PREFIX}space:${spaceId}`;
const countKey = (spaceId: string) => `${PREFIX}listeners:${spaceId}`;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
