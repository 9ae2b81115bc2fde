/**
 * The durable job queue: pg-boss on the server's own database (the embedded PGlite instance
 * through pg-boss's PGlite adapter, or the PostgreSQL server through its own pool). Work that must
 * survive a crash (refunds, reminders) is a job here, never a timer in memory: a job due while the
 * server was down runs once it is back; a job whose handler throws is retried with backoff.
 *
 * Jobs run AT LEAST once (a crash after the side effect but before completion runs it again):
 * exactly-once is the handler's part, through an idempotency key recorded with the effect
 * (or sent to Stripe).
 *
 * Keys: `send(…, { key })` gives the job an id derived from the key, so a second send with the
 * same key is a no-op for as long as pg-boss keeps the first (queued, done or cancelled; 7 days
 * after completion by default). The key names one occurrence for good: put in it what makes an
 * occurrence distinct (a reminder's Space, channel and start time), and a moved Space gets new keys.
 *
 * PGlite note (notes/database.md): every pg-boss query waits for the instance's one transaction
 * slot, like Kysely's; a job sent inside an app transaction must pass that transaction (`trx`),
 * or it waits for the transaction that waits for it, for good.
 */
import { createHash } from 'node:crypto';
import { fromKysely, fromPglite, PgBoss, type Clock, type JobResult } from 'pg-boss';
import type { Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Tables } from '../db/schema.ts';
import { SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export type JobInfo = { id: string; retryCount: number };
export type JobHandler<T> = (data: T, job: JobInfo) => Promise<void>;

export type WorkOptions = {
  /** Attempts after the first before the job is marked failed (default 5). */
  retryLimit?: number;
  /** First retry delay in seconds; later ones back off exponentially (default 2, at most 10 min). */
  retryDelaySeconds?: number;
  /** Jobs of this queue run at once on this server, fetched as one batch (default 1). */
  concurrency?: number;
  /** How long one run may take before pg-boss counts it failed and retries (default 5 min). */
  expireInSeconds?: number;
};

export type SendOptions = {
  /** Not before this time (default now). */
  startAfter?: Date;
  /** Names this job for good: a second send with the same key is a no-op (returns null). */
  key?: string;
  /** Queue it inside this app transaction: it exists only if the transaction commits. */
  trx?: Transaction<Tables>;
};

export type JobQueueOptions = {
  /** How often idle workers look for due jobs (default 1 s; queues are also woken by NOTIFY). */
  pollSeconds?: number;
  /** pg-boss's source of time; tests may pass pg-boss's `TestClock`. */
  clock?: Clock;
};

const SCHEMA = 'pgboss';
const DEFAULT_WORK: Required<WorkOptions> = { retryLimit: 5, retryDelaySeconds: 2, concurrency: 1, expireInSeconds: 300 };

export class JobQueue {
  readonly #boss: PgBoss;
  readonly #logger: Logger;
  readonly #pollSeconds: number;
  readonly #queues = new Map<string, Promise<void>>();
  #stopping: Promise<void> | null = null;

  private constructor(boss: PgBoss, logger: Logger, pollSeconds: number) {
    this.#boss = boss;
    this.#logger = logger;
    this.#pollSeconds = pollSeconds;
  }

  /** Starts pg-boss on the open database (its tables live in the `pgboss` schema, made on first start). */
  static async start(database: Database, logger: Logger, options: JobQueueOptions = {}): Promise<JobQueue> {
    const log = logger.child({ module: 'jobs' });
    const store = database.jobStore;
    const common = { schema: SCHEMA, useListenNotify: true, ...(options.clock ? { clock: options.clock } : {}) };
    const boss =
      store.kind === 'pglite'
        ? new PgBoss({ ...common, db: fromPglite(store.pglite), backend: 'pglite' })
        : new PgBoss({ ...common, connectionString: store.url, max: 4 });
    boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
    boss.on('warning', (warning) => log.warn({ warning }, 'job queue warning'));
    try {
      await boss.start();
    } catch (error) {
      throw new SpacecraftError('UNAVAILABLE', `The job queue could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    log.info({ backend: store.kind }, 'job queue ready');
    return new JobQueue(boss, log, options.pollSeconds ?? 1);
  }

  /** Creates the queue if it is missing (once per queue and process). */
  #ensureQueue(queue: string, options: Required<WorkOptions> = DEFAULT_WORK): Promise<void> {
    let ready = this.#queues.get(queue);
    if (!ready) {
      ready = this.#boss
        .createQueue(queue, {
          notify: true,
          retryLimit: options.retryLimit,
          retryDelay: options.retryDelaySeconds,
          retryBackoff: true,
          retryDelayMax: 600,
          expireInSeconds: options.expireInSeconds,
        })
        .catch((error: unknown) => {
          this.#queues.delete(queue);
          throw error;
        });
      this.#queues.set(queue, ready);
    }
    return ready;
  }

  /**
   * Runs `handler` for each job of `queue`: up to `concurrency` jobs at once, each settled on its
   * own (one job's failure retries that job only). While batches come back full the worker keeps
   * fetching without waiting, so a backlog (10,000 reminders due at once) drains at handler speed.
   */
  async work<T extends object>(queue: string, handler: JobHandler<T>, options: WorkOptions = {}): Promise<void> {
    const resolved = { ...DEFAULT_WORK, ...options };
    await this.#ensureQueue(queue, resolved);
    const poll = Math.max(0.5, this.#pollSeconds);
    await this.#boss.work<T>(
      queue,
      {
        batchSize: resolved.concurrency,
        perJobResults: true,
        burstWhenBatchFull: resolved.concurrency > 1,
        pollingIntervalSeconds: poll,
        // Queues are woken by NOTIFY when a job is sent, not when a deferred one falls due: poll as often.
        notifyPollingIntervalSeconds: poll,
      },
      (batch) =>
        Promise.all(
          batch.map(async (job): Promise<JobResult> => {
            try {
              await handler(job.data, { id: job.id, retryCount: job.retryCount });
              return { id: job.id, status: 'completed' };
            } catch (error) {
              this.#logger.warn({ err: error, queue, job: job.id, retryCount: job.retryCount }, 'job failed; it will be retried while attempts remain');
              return { id: job.id, status: 'failed', output: { message: error instanceof Error ? error.message : String(error) } };
            }
          }),
        ),
    );
  }

  /** Queues a job. Returns its id, or null when a job with the same `key` already exists. */
  async send<T extends object>(queue: string, data: T, options: SendOptions = {}): Promise<string | null> {
    await this.#ensureQueue(queue);
    return this.#boss.send(queue, data, {
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      ...(options.key !== undefined ? { id: keyToId(queue, options.key) } : {}),
      ...(options.trx ? { db: fromKysely(options.trx) } : {}),
    });
  }

  /** The id a job sent with this key has (to cancel it without having kept the id). */
  static idOf(queue: string, key: string): string {
    return keyToId(queue, key);
  }

  /** Cancels a queued job (moving a Space: cancel, then send anew with a new key). Unknown ids are ignored. */
  async cancel(queue: string, id: string): Promise<void> {
    await this.#ensureQueue(queue);
    await this.#boss.cancel(queue, id);
  }

  /** Jobs of a queue by state, for tests and the studio's views. */
  async count(queue: string): Promise<{ queued: number; active: number }> {
    const found = await this.#boss.getQueue(queue);
    return { queued: found?.queuedCount ?? 0, active: found?.activeCount ?? 0 };
  }

  /** Stops taking jobs, lets running ones finish (up to `timeoutMs`), and releases its connections. Idempotent. */
  stop(timeoutMs = 5_000): Promise<void> {
    return (this.#stopping ??= this.#boss.stop({ graceful: true, timeout: timeoutMs, close: true }).catch((error: unknown) => {
      this.#logger.warn({ err: error }, 'job queue did not stop cleanly');
    }));
  }
}

/** A UUID (version 5 layout) from the queue and key: the same key always names the same job. */
function keyToId(queue: string, key: string): string {
  const hash = createHash('sha1').update(`${queue}\u0000${key}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
