/**
 * The durable job queue on both backends: a due job runs once, a throwing one is retried, a key
 * names a job for good, a job queued in a rolled-back transaction never exists, a cancelled job
 * never runs, and a job due while the server was closed runs after it reopens.
 */
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, useTestDatabases, type TestBackend } from '../../test/support/test-databases.ts';
import type { DatabaseConfig } from '../config.ts';
import { Database } from '../db/database.ts';
import { JobQueue } from './job-queue.ts';

const logger = pino({ level: 'silent' });
const databases = useTestDatabases();
const running: Array<{ jobs: JobQueue; database: Database }> = [];
afterEach(async () => {
  for (const { jobs, database } of running.splice(0).reverse()) {
    await jobs.stop(1_000);
    await database.close();
  }
});

async function open(config: DatabaseConfig) {
  const database = await Database.open(config, logger);
  const jobs = await JobQueue.start(database, logger, { pollSeconds: 0.5 });
  const entry = { jobs, database };
  running.push(entry);
  return entry;
}

async function closeOne(entry: { jobs: JobQueue; database: Database }) {
  running.splice(running.indexOf(entry), 1);
  await entry.jobs.stop(1_000);
  await entry.database.close();
}

/** Resolves when `predicate` holds, polling; fails the test after `ms`. */
async function until(predicate: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(BACKENDS)('job queue on %s', (backend: TestBackend) => {
  it('runs a job once when it is due, not before', async () => {
    const { jobs } = await open(await databases.fresh(backend));
    const ran: Array<{ n: number; at: number }> = [];
    await jobs.work<{ n: number }>('test.due', async ({ n }) => {
      ran.push({ n, at: Date.now() });
    });
    const dueAt = Date.now() + 1_500;
    await jobs.send('test.due', { n: 7 }, { startAfter: new Date(dueAt) });
    await until(() => ran.length > 0);
    await settle(1_500);
    expect(ran.map((r) => r.n)).toEqual([7]);
    expect(ran[0]!.at).toBeGreaterThanOrEqual(dueAt - 50);
  });

  it('retries a job whose handler throws, and stops once it succeeds', async () => {
    const { jobs } = await open(await databases.fresh(backend));
    const attempts: number[] = [];
    await jobs.work<{ n: number }>(
      'test.retry',
      async (_data, job) => {
        attempts.push(job.retryCount);
        if (attempts.length < 3) throw new Error('not yet');
      },
      { retryDelaySeconds: 1, retryLimit: 4 },
    );
    await jobs.send('test.retry', { n: 1 });
    await until(() => attempts.length >= 3, 40_000);
    await settle(2_500);
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('a second send with the same key is a no-op', async () => {
    const { jobs } = await open(await databases.fresh(backend));
    const ran: string[] = [];
    const first = await jobs.send('test.key', { v: 'a' }, { key: 'space-1/email/2026-12-01T10:00Z' });
    const second = await jobs.send('test.key', { v: 'b' }, { key: 'space-1/email/2026-12-01T10:00Z' });
    const other = await jobs.send('test.key', { v: 'c' }, { key: 'space-1/email/2026-12-02T10:00Z' });
    expect(first).toBe(JobQueue.idOf('test.key', 'space-1/email/2026-12-01T10:00Z'));
    expect(second).toBeNull();
    expect(other).not.toBeNull();
    await jobs.work<{ v: string }>('test.key', async ({ v }) => {
      ran.push(v);
    });
    await until(() => ran.length >= 2);
    await settle(1_500);
    expect(ran.sort()).toEqual(['a', 'c']);
    // Done and still known: the key stays spent.
    expect(await jobs.send('test.key', { v: 'd' }, { key: 'space-1/email/2026-12-01T10:00Z' })).toBeNull();
  });

  it('a job queued inside a transaction exists only if the transaction commits', async () => {
    const { jobs, database } = await open(await databases.fresh(backend));
    const ran: string[] = [];
    await jobs.work<{ v: string }>('test.trx', async ({ v }) => {
      ran.push(v);
    });
    await expect(
      database.db.transaction().execute(async (trx) => {
        await jobs.send('test.trx', { v: 'rolled back' }, { trx });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await database.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await jobs.send('test.trx', { v: 'committed' }, { trx });
    });
    await until(() => ran.length >= 1);
    await settle(1_500);
    expect(ran).toEqual(['committed']);
  });

  it('a cancelled job never runs', async () => {
    const { jobs } = await open(await databases.fresh(backend));
    const ran: string[] = [];
    await jobs.work<{ v: string }>('test.cancel', async ({ v }) => {
      ran.push(v);
    });
    const cancelled = await jobs.send('test.cancel', { v: 'moved' }, { startAfter: new Date(Date.now() + 1_000), key: 'old' });
    await jobs.cancel('test.cancel', cancelled!);
    await jobs.send('test.cancel', { v: 'new time' }, { startAfter: new Date(Date.now() + 1_000), key: 'new' });
    await until(() => ran.length >= 1);
    await settle(1_500);
    expect(ran).toEqual(['new time']);
  });

  it('a job due while the server was closed runs once after it reopens', async () => {
    const config = await databases.fresh(backend);
    const first = await open(config);
    await first.jobs.send('test.restart', { v: 'late' }, { startAfter: new Date(Date.now() + 500) });
    await closeOne(first);
    await settle(1_000);
    const second = await open(config);
    const ran: string[] = [];
    await second.jobs.work<{ v: string }>('test.restart', async ({ v }) => {
      ran.push(v);
    });
    await until(() => ran.length >= 1);
    await settle(1_500);
    expect(ran).toEqual(['late']);
  });
});
