/**
 * The Redis side of a multi-node deployment against a real (throwaway) Redis: the admission
 * buckets (one Lua script) and the request/reply between nodes, including what a hostile or
 * broken peer on the bus can do.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admission } from '../../server/cluster/admission.ts';
import { ClusterBus } from '../../server/cluster/cluster-bus.ts';
import { SpacecraftError } from '../../server/errors.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
let client: Redis;
const buses: ClusterBus[] = [];
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});

afterAll(async () => {
  for (const bus of buses) bus.close();
  client?.disconnect();
  await redis?.stop();
});

async function bus(nodeId: string): Promise<ClusterBus> {
  const b = await ClusterBus.connect(redis.url, nodeId, logger);
  buses.push(b);
  return b;
}

describe('admission buckets', () => {
  it('admits a burst of one second, then says how long to wait', async () => {
    const admission = new Admission(client);
    const buckets = [{ key: 'test:burst', perSecond: 5 }];
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await admission.take(buckets));
    expect(answers.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    for (const wait of answers.slice(5)) {
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(200);
    }
  });

  it('takes from every bucket of a join or from none: a full edge does not drain its worker', async () => {
    const admission = new Admission(client);
    const [edge, worker] = Admission.bucketsFor('edge-x', 0, { edgeJoinsPerSecond: 2, workerJoinsPerSecond: 100 });
    expect(await admission.take([edge!, worker!])).toBe(0);
    expect(await admission.take([edge!, worker!])).toBe(0);
    expect(await admission.take([edge!, worker!])).toBeGreaterThan(0);
    // The worker's bucket lost only the two admitted joins.
    const tokens = Number(await client.hget(worker!.key, 'tokens'));
    expect(tokens).toBeGreaterThanOrEqual(97);
    expect(tokens).toBeLessThanOrEqual(98.5);
  });

  it('a storm of concurrent asks is admitted at the bucket rate, never faster', async () => {
    const admission = new Admission(client);
    const buckets = [{ key: 'test:storm', perSecond: 20 }];
    const start = Date.now();
    const answers = await Promise.all(Array.from({ length: 500 }, () => admission.take(buckets)));
    const seconds = (Date.now() - start) / 1000;
    const admitted = answers.filter((a) => a === 0).length;
    expect(admitted).toBeGreaterThanOrEqual(20);
    expect(admitted).toBeLessThanOrEqual(20 + Math.ceil(20 * seconds) + 1);
  });
});

describe('requests between nodes', () => {
  it('answers a request, and a typed error as that error', async () => {
    const a = await bus('node-a');
    const b = await bus('node-b');
    b.handle('echo', async (data, from) => ({ data, from }));
    b.handle('refuse', async () => {
      throw new SpacecraftError('LIMIT_EXCEEDED', 'too many');
    });
    expect(await a.call('node-b', 'echo', { x: 1 })).toEqual({ data: { x: 1 }, from: 'node-a' });
    await expect(a.call('node-b', 'refuse', {})).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', message: 'too many' });
    await expect(a.call('node-b', 'nothing', {})).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
  });

  it('a node nobody listens for fails at once; one that never answers fails after the timeout', async () => {
    const a = await bus('node-c');
    await expect(a.call('node-gone', 'echo', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const silent = new Redis(redis.url);
    await silent.subscribe('spacecraft:rpc:node-silent');
    try {
      await expect(a.call('node-silent', 'echo', {}, 300)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      silent.disconnect();
    }
  });

  it('ignores garbage on its channel and keeps answering', async () => {
    const a = await bus('node-d');
    const b = await bus('node-e');
    b.handle('echo', async (data) => data);
    for (const junk of ['not json', '{"kind":"request"}', JSON.stringify({ kind: 'reply', id: 'x'.repeat(100), ok: true }), 'x'.repeat(70_000), '{"length":{"valueOf":0}}']) {
      await client.publish('spacecraft:rpc:node-e', junk);
    }
    expect(await a.call('node-e', 'echo', 'still here')).toBe('still here');
  });

  it('heartbeats expire: a killed node disappears from the directory by itself', async () => {
    const a = await bus('node-f');
    const beat = { nodeId: 'edge-z', role: 'edge' as const, url: 'http://edge-z', listeners: 0, capacity: 10, workers: 1, spaces: 0, upstreams: [], at: Date.now() };
    await a.beat(beat, 300);
    expect((await a.nodes('edge')).map((n) => n.nodeId)).toContain('edge-z');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await a.nodes('edge')).map((n) => n.nodeId)).not.toContain('edge-z');
    expect(await client.sismember('spacecraft:nodes:edge', 'edge-z')).toBe(0);
  });
});
