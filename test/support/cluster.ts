/**
 * A multi-node deployment on one machine for tests and benchmarks: `server/main.ts` as separate
 * processes (an origin, relays, edges) on loopback ports of their own, sharing a throwaway
 * PostgreSQL and a throwaway Redis. Nodes can be killed (SIGKILL) and more started.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startPostgres, type TestPostgres } from './postgres.ts';
import { startRedis, type TestRedis } from './redis.ts';

const SERVER_MAIN = new URL('../../server/main.ts', import.meta.url).pathname;

export type ClusterRole = 'origin' | 'relay' | 'edge';
export type ClusterNodeProcess = { nodeId: string; role: ClusterRole; url: string; child: ChildProcess; exited: Promise<void> };

export type TestCluster = {
  redis: TestRedis;
  databaseUrl: string;
  nodes: ClusterNodeProcess[];
  start(role: ClusterRole, nodeId: string, env?: Record<string, string>): Promise<ClusterNodeProcess>;
  node(nodeId: string): ClusterNodeProcess;
  kill(nodeId: string): Promise<void>;
  /** The listener count the origin last published for the Space (every edge's count added in). */
  listenerCount(spaceId: string): Promise<number>;
  /** The last heartbeat of `nodeId` (null when it has none). */
  beat(nodeId: string): Promise<{ spaces: number; listeners: number; upstreams: string[]; carrying?: string[] } | null>;
  /** The nodes `nodeId` says (in its heartbeat) it is fed from. */
  upstreams(nodeId: string): Promise<string[]>;
  /** Resolves once the origin has published the Space to Redis (with its program stream: `program`); the program's producer id, if any. */
  published(spaceId: string, options?: { program?: boolean }): Promise<string | null>;
  stop(): Promise<void>;
};

/** Settings of every node (tests add theirs). */
export type ClusterOptions = { env?: Record<string, string>; relays?: number; edges?: number };

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const redis = await startRedis();
  let postgres: TestPostgres | null = null;
  const nodes: ClusterNodeProcess[] = [];
  const secret = randomBytes(32).toString('base64url');
  const stop = async () => {
    await Promise.all(nodes.map(async (n) => {
      killGroup(n.child);
      await n.exited;
    }));
    await postgres?.stop();
    await redis.stop();
  };
  try {
    postgres = await startPostgres();
    const databaseUrl = await postgres.createDatabase();
    const start = (role: ClusterRole, nodeId: string, env: Record<string, string> = {}): Promise<ClusterNodeProcess> => {
      const child = fork(SERVER_MAIN, [], {
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          SPACECRAFT_PORT: '0',
          SPACECRAFT_WORKERS: '1',
          SPACECRAFT_DEMO_DATA: role === 'origin' ? 'true' : 'false',
          SPACECRAFT_LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
          SPACECRAFT_NODE_ROLE: role,
          SPACECRAFT_NODE_ID: nodeId,
          SPACECRAFT_REDIS_URL: redis.url,
          SPACECRAFT_CLUSTER_SECRET: secret,
          SPACECRAFT_NODE_HEARTBEAT_MS: '500',
          SPACECRAFT_NODE_TTL_MS: '2000',
          ...options.env,
          ...env,
        },
        // SPACECRAFT_CLUSTER_LOGS=1 shows the nodes' logs (pino on stdout), for debugging.
        stdio: ['ignore', process.env['SPACECRAFT_CLUSTER_LOGS'] ? 'inherit' : 'ignore', 'inherit', 'ipc'],
        // Its own process group: a kill takes its children too (the program mixer does not die with its parent).
        detached: true,
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return new Promise((resolve, reject) => {
        child.on('message', (message: { type?: string; url?: string; message?: string }) => {
          if (message.type === 'listening') {
            const node = { nodeId, role, url: message.url!, child, exited };
            nodes.push(node);
            resolve(node);
          }
          if (message.type === 'failed') reject(new Error(`${nodeId}: ${message.message}`));
        });
        child.once('exit', (code) => reject(new Error(`${nodeId} exited with ${code} while starting`)));
      });
    };
    const cluster: TestCluster = {
      redis,
      databaseUrl,
      nodes,
      start,
      node: (nodeId) => {
        const found = nodes.find((n) => n.nodeId === nodeId);
        if (!found) throw new Error(`no node ${nodeId}`);
        return found;
      },
      kill: async (nodeId) => {
        const node = cluster.node(nodeId);
        killGroup(node.child);
        await node.exited;
      },
      listenerCount: async (spaceId) => {
        const client = new Redis(redis.url);
        try {
          const text = await client.get(`spacecraft:space:${spaceId}`);
          return text ? (JSON.parse(text) as { state: { listenerCount: number } }).state.listenerCount : 0;
        } finally {
          client.disconnect();
        }
      },
      beat: async (nodeId) => {
        const client = new Redis(redis.url);
        try {
          const beat = await client.get(`spacecraft:node:${nodeId}`);
          return beat ? (JSON.parse(beat) as { spaces: number; listeners: number; upstreams: string[]; carrying?: string[] }) : null;
        } finally {
          client.disconnect();
        }
      },
      upstreams: async (nodeId) => {
        const client = new Redis(redis.url);
        try {
          const beat = await client.get(`spacecraft:node:${nodeId}`);
          return beat ? ((JSON.parse(beat) as { upstreams?: string[] }).upstreams ?? []) : [];
        } finally {
          client.disconnect();
        }
      },
      published: async (spaceId, options = {}) => {
        const client = new Redis(redis.url);
        try {
          const end = Date.now() + 20_000;
          for (;;) {
            const text = await client.get(`spacecraft:space:${spaceId}`);
            const program = text ? ((JSON.parse(text) as { programProducerId?: string | null }).programProducerId ?? null) : null;
            if (text && (program || !options.program)) return program;
            if (Date.now() > end) throw new Error(`Space ${spaceId} was never published${options.program ? ' with a program stream' : ''}`);
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        } finally {
          client.disconnect();
        }
      },
      stop,
    };
    // The origin first (it migrates the database and seeds the demo accounts), then the rest at once.
    await start('origin', 'origin');
    await Promise.all([
      ...Array.from({ length: options.relays ?? 2 }, (_, i) => start('relay', `relay-${i + 1}`)),
      ...Array.from({ length: options.edges ?? 2 }, (_, i) => start('edge', `edge-${i + 1}`)),
    ]);
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** SIGKILL to a node and everything it started (a machine dying), whether or not it still runs. */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export type JoinAnswerOrWait = { kind: 'admitted'; url: string; ticket: string } | { kind: 'wait'; retryInMs: number };

/** Asks a node's join endpoint once. */
export async function askToJoin(nodeUrl: string, spaceId: string): Promise<JoinAnswerOrWait> {
  const response = await fetch(`${nodeUrl}/api/spaces/${spaceId}/join`, { method: 'POST' });
  const body = (await response.json()) as { url?: string; ticket?: string; error?: { code: string; message: string; details?: { retryInMs?: number } } };
  if (response.status === 200 && body.url && body.ticket) return { kind: 'admitted', url: body.url, ticket: body.ticket };
  if (response.status === 429 && typeof body.error?.details?.retryInMs === 'number') return { kind: 'wait', retryInMs: body.error.details.retryInMs };
  throw new Error(`join refused: ${response.status} ${JSON.stringify(body)}`);
}

/** Asks until admitted, waiting as told each time (what the listener page does). */
export async function joinThrough(nodeUrl: string, spaceId: string, deadlineMs = 60_000): Promise<{ url: string; ticket: string; waits: number }> {
  const end = Date.now() + deadlineMs;
  let waits = 0;
  for (;;) {
    const answer = await askToJoin(nodeUrl, spaceId);
    if (answer.kind === 'admitted') return { url: answer.url, ticket: answer.ticket, waits };
    if (Date.now() + answer.retryInMs > end) throw new Error(`still told to wait after ${waits} waits`);
    waits++;
    await new Promise((resolve) => setTimeout(resolve, answer.retryInMs));
  }
}
