/**
 * POST /api/spaces/:spaceId/join — where a listener should listen. Stateless: any node answers it
 * from Redis alone (the Space as its origin published it, the edges' heartbeats), so it scales
 * with the nodes and can sit behind any load balancer.
 *
 * It picks an edge (least loaded of two random choices), takes a token from that edge's admission
 * buckets, and hands back the edge's URL and a short signed ticket for it. When the buckets are
 * empty the listener is told to wait (RATE_LIMITED, `retryInMs` with jitter, Retry-After) instead
 * of failing. A single server (no cluster) answers "here, no ticket".
 */
import type { FastifyInstance } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { jitteredRetryMs, pickEdge } from '../domain/edge-choice.ts';
import { describeIssues, NotFoundError, SpacecraftError } from '../errors.ts';
import type { JoinAnswer } from '../signalling/protocol.ts';
import { Admission } from './admission.ts';
import type { ClusterBus } from './cluster-bus.ts';
import type { ClusterConfig } from './cluster-config.ts';
import { signTicket } from './join-ticket.ts';

const params = z.object({ spaceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a Space id') });

export type JoinRouteDeps = {
  /** This server's own URL (a single server's answer). */
  ownUrl(): string;
  /** Asks for a join per address and minute at most (a retrying page asks a few times per join). */
  asksPerIpPerMinute: number;
  cluster: { bus: ClusterBus; config: ClusterConfig; admission: Admission } | null;
  random?: () => number;
};

/** How long a node reuses what it read from Redis for the join endpoint (a storm asks thousands of times a second). */
export const JOIN_CACHE_MS = 250;

/** `read()` at most once per `ms`, concurrent callers sharing one read. */
function cached<T>(ms: number, read: () => Promise<T>): () => Promise<T> {
  let value: { at: number; promise: Promise<T> } | null = null;
  return () => {
    if (!value || Date.now() - value.at > ms) {
      const promise = read();
      value = { at: Date.now(), promise };
      promise.catch(() => {
        if (value?.promise === promise) value = null;
      });
    }
    return value.promise;
  };
}

export function registerJoinRoute(app: FastifyInstance, deps: JoinRouteDeps): void {
  const perIp = new RateLimiterMemory({ points: deps.asksPerIpPerMinute, duration: 60 });
  const random = deps.random ?? Math.random;
  const cluster = deps.cluster;
  const edgesNow = cluster ? cached(JOIN_CACHE_MS, () => cluster.bus.nodes('edge')) : null;
  type SpaceNow = { published: Awaited<ReturnType<ClusterBus['space']>>; originAlive: boolean };
  const spaces = new Map<string, () => Promise<SpaceNow>>();
  const spaceNow = (spaceId: string) => {
    let read = spaces.get(spaceId);
    if (!read) {
      if (spaces.size > 1000) spaces.clear();
      read = cached(JOIN_CACHE_MS, async () => {
        const published = await cluster!.bus.space(spaceId);
        return { published, originAlive: published ? await cluster!.bus.alive(published.originId) : false };
      });
      spaces.set(spaceId, read);
    }
    return read();
  };
  app.post('/api/spaces/:spaceId/join', async (request, reply): Promise<JoinAnswer> => {
    const parsed = params.safeParse(request.params);
    if (!parsed.success) throw new SpacecraftError('VALIDATION', 'That is not a Space link.', describeIssues(parsed.error.issues));
    try {
      await perIp.consume(request.ip);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new SpacecraftError('RATE_LIMITED', 'Too many joins from this address; wait a moment.', { retryInMs: error.msBeforeNext });
    }
    const { spaceId } = parsed.data;
    if (!cluster || !edgesNow) return { url: deps.ownUrl(), ticket: null, expiresAt: null };
    const { published, originAlive } = await spaceNow(spaceId);
    if (!published) throw new NotFoundError('There is no live Space at this link.');
    if (published.state.status !== 'live' || !originAlive) throw new SpacecraftError('SPACE_ENDED', 'This Space has ended.');
    const edges = await edgesNow();
    const edge = pickEdge(edges, random);
    if (!edge) throw new SpacecraftError('UNAVAILABLE', 'Every listening server is full or down right now; try again in a moment.', { retryInMs: jitteredRetryMs(1000, random) });
    // The edge spreads its listeners over its workers: the join takes from the edge's bucket and one worker's.
    const worker = Math.floor(random() * edge.workers);
    const waitMs = await cluster.admission.take(Admission.bucketsFor(edge.nodeId, worker, cluster.config));
    if (waitMs > 0) {
      const retryInMs = jitteredRetryMs(waitMs, random);
      void reply.header('retry-after', String(Math.ceil(retryInMs / 1000)));
      throw new SpacecraftError('RATE_LIMITED', 'Many listeners are joining right now: you are next in a few seconds.', { retryInMs });
    }
    const expiresAt = Date.now() + cluster.config.ticketMs;
    return { url: edge.url, ticket: signTicket(cluster.config.secret, { spaceId, edgeId: edge.nodeId, expiresAt }), expiresAt };
  });
}
