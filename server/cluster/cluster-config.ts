/**
 * The environment of a node in a multi-node deployment (README "Scaling out"). Without
 * SPACECRAFT_NODE_ROLE the server runs alone, as before; with it, SPACECRAFT_REDIS_URL and
 * SPACECRAFT_CLUSTER_SECRET are required. Merged into server/config.ts's one schema.
 */
import { hostname } from 'node:os';
import { z } from 'zod';

export const NODE_ROLES = ['origin', 'relay', 'edge'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const clusterEnvFields = {
  SPACECRAFT_NODE_ROLE: z.enum(NODE_ROLES).optional(),
  SPACECRAFT_NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)').optional(),
  SPACECRAFT_REDIS_URL: z.string().regex(/^rediss?:\/\/./, 'must be a redis:// or rediss:// URL').optional(),
  SPACECRAFT_CLUSTER_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  SPACECRAFT_PIPE_LISTEN_IP: z.ipv4().or(z.ipv6()).optional(),
  SPACECRAFT_PIPE_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  SPACECRAFT_NODE_HEARTBEAT_MS: count(100, 60_000).default(1000),
  SPACECRAFT_NODE_TTL_MS: count(300, 300_000).default(3000),
  SPACECRAFT_EDGE_LISTENERS: count(1, 10_000_000).default(5000),
  SPACECRAFT_EDGE_JOINS_PER_SECOND: count(1, 1_000_000).default(500),
  SPACECRAFT_WORKER_JOINS_PER_SECOND: count(1, 1_000_000).default(200),
  SPACECRAFT_JOIN_TICKET_MS: count(1000, 600_000).default(30_000),
};

export const CLUSTER_SECRET_KEYS = ['SPACECRAFT_REDIS_URL', 'SPACECRAFT_CLUSTER_SECRET'];

type ClusterEnv = z.infer<z.ZodObject<typeof clusterEnvFields>>;

export type ClusterConfig = {
  role: NodeRole;
  nodeId: string;
  redisUrl: string;
  /** HMAC key of join tickets: the same on every node. */
  secret: string;
  /** Where PipeTransports listen (default: the RTC listen address) and the address other nodes reach. */
  pipe: { listenIp: string | undefined; announcedAddress: string | undefined };
  heartbeatMs: number;
  /** A node whose heartbeat is older than this is dead. */
  ttlMs: number;
  /** Listeners an edge takes before the join endpoint passes it over. */
  edgeListeners: number;
  /** Token buckets of the admission control: joins a second per edge and per worker. */
  edgeJoinsPerSecond: number;
  workerJoinsPerSecond: number;
  ticketMs: number;
};

/** The cluster part of the config (null: a node on its own), or the problems with it. */
export function clusterConfig(e: ClusterEnv): { config: ClusterConfig | null; problems: string[] } {
  const role = e.SPACECRAFT_NODE_ROLE;
  if (!role) return { config: null, problems: [] };
  const problems: string[] = [];
  if (!e.SPACECRAFT_REDIS_URL) problems.push('SPACECRAFT_REDIS_URL: required with SPACECRAFT_NODE_ROLE');
  if (!e.SPACECRAFT_CLUSTER_SECRET) problems.push('SPACECRAFT_CLUSTER_SECRET: required with SPACECRAFT_NODE_ROLE (the same on every node)');
  if (e.SPACECRAFT_NODE_TTL_MS <= e.SPACECRAFT_NODE_HEARTBEAT_MS) problems.push('SPACECRAFT_NODE_TTL_MS: must be longer than SPACECRAFT_NODE_HEARTBEAT_MS');
  if (problems.length) return { config: null, problems };
  return {
    problems,
    config: {
      role,
      nodeId: e.SPACECRAFT_NODE_ID ?? `${role}-${hostname().replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 40)}-${process.pid}`,
      redisUrl: e.SPACECRAFT_REDIS_URL!,
      secret: e.SPACECRAFT_CLUSTER_SECRET!,
      pipe: { listenIp: e.SPACECRAFT_PIPE_LISTEN_IP, announcedAddress: e.SPACECRAFT_PIPE_ANNOUNCED_ADDRESS },
      heartbeatMs: e.SPACECRAFT_NODE_HEARTBEAT_MS,
      ttlMs: e.SPACECRAFT_NODE_TTL_MS,
      edgeListeners: e.SPACECRAFT_EDGE_LISTENERS,
      edgeJoinsPerSecond: e.SPACECRAFT_EDGE_JOINS_PER_SECOND,
      workerJoinsPerSecond: e.SPACECRAFT_WORKER_JOINS_PER_SECOND,
      ticketMs: e.SPACECRAFT_JOIN_TICKET_MS,
    },
  };
}
