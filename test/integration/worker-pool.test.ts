/** The worker pool with more than one worker: Spaces spread round-robin, and a typed error once it is closed. */
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../server/media/worker-pool.ts';
import { MediaRoom } from '../../server/media/media-room.ts';

let pool: WorkerPool | null = null;
afterEach(() => pool?.close());

describe('worker pool', () => {
  it('hands out routers round-robin over every worker', async () => {
    const routerWorker = new Map<string, number>();
    const onWorker = (worker: types.Worker) => worker.observer.on('newrouter', (router) => routerWorker.set(router.id, worker.pid));
    mediasoup.observer.on('newworker', onWorker);
    try {
      pool = await WorkerPool.create({ size: 2, listenIp: '127.0.0.1', announcedAddress: undefined, port: 0, logger: pino({ level: 'silent' }) });
      const rooms = [];
      for (let i = 0; i < 4; i++) rooms.push(await MediaRoom.create(pool, pino({ level: 'silent' })));
      const pids = [...routerWorker.values()];
      expect(pids).toHaveLength(4);
      expect(new Set(pids).size).toBe(2);
      expect(pids[0]).toBe(pids[2]);
      expect(pids[1]).toBe(pids[3]);
      expect(pids[0]).not.toBe(pids[1]);
      for (const room of rooms) room.close();
    } finally {
      mediasoup.observer.off('newworker', onWorker);
    }
  });

  it('answers with UNAVAILABLE, not an internal error, once closed', async () => {
    pool = await WorkerPool.create({ size: 1, listenIp: '127.0.0.1', announcedAddress: undefined, port: 0, logger: pino({ level: 'silent' }) });
    pool.close();
    expect(() => pool!.next()).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
  });
});
