/**
 * The database: Kysely over embedded PGlite (a data folder, or memory) or over a PostgreSQL
 * server (a `pg` Pool, when DATABASE_URL is set). `Database.open()` takes the data folder's lock,
 * connects and runs every committed migration; `close()` is idempotent and releases the lock last.
 *
 * Both backends run one set of query code. Two PGlite traps (notes/database.md): it runs one
 * transaction at a time for the whole database, and using `db` instead of `trx` inside a
 * transaction callback hangs it for good. Keep transactions short, and use the `trx` you are given.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { DataFolderLock } from './data-folder-lock.ts';
import { migrationProvider } from './migrations/index.ts';
import { PG_TYPES, PGLITE_PARSERS } from './parsers.ts';
import type { Tables } from './schema.ts';

export type Db = Kysely<Tables>;
export type Backend = DatabaseConfig['kind'];

/** What the durable job queue (pg-boss) connects to: the same embedded instance, or the same server. */
export type JobStore = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; url: string };

/** The folder PGlite keeps its files in, inside the server's data folder. */
export const databaseFolder = (dataDir: string) => join(dataDir, 'database');

export class Database {
  readonly db: Db;
  readonly backend: Backend;
  /** For the job queue only; everything else goes through `db`. */
  readonly jobStore: JobStore;
  readonly #lock: DataFolderLock | null;
  readonly #logger: Logger;
  #closing: Promise<void> | null = null;

  private constructor(db: Db, jobStore: JobStore, lock: DataFolderLock | null, logger: Logger) {
    this.db = db;
    this.backend = jobStore.kind;
    this.jobStore = jobStore;
    this.#lock = lock;
    this.#logger = logger;
  }

  static async open(config: DatabaseConfig, logger: Logger): Promise<Database> {
    const log = logger.child({ module: 'db' });
    const started = performance.now();
    let lock: DataFolderLock | null = null;
    let db: Db;
    let jobStore: JobStore;
    if (config.kind === 'postgres') {
      jobStore = { kind: 'postgres', url: config.url };
      // The URL holds a password: it is never logged.
      const pool = new pg.Pool({ connectionString: config.url, types: PG_TYPES, max: 10 });
      // An idle client whose server went away emits 'error': log it rather than crash; the pool replaces it.
      pool.on('error', (error) => log.warn({ err: error }, 'idle database connection lost'));
      db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    } else if (config.dataDir === null) {
      const pglite = new PGlite('memory://', { parsers: PGLITE_PARSERS });
      jobStore = { kind: 'pglite', pglite };
      db = new Kysely<Tables>({ dialect: new PGliteDialect({ pglite }) });
    } else {
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      const folder = databaseFolder(config.dataDir);
      lock = DataFolderLock.acquire(`${folder}.lock`);
      const pglite = new PGlite(folder, { parsers: PGLITE_PARSERS });
      jobStore = { kind: 'pglite', pglite };
      db = new Kysely<Tables>({ dialect: new PGliteDialect({ pglite }) });
    }
    const database = new Database(db, jobStore, lock, log);
    try {
      await database.#migrate();
    } catch (error) {
      await database.close();
      throw error;
    }
    log.info({ backend: config.kind, inMemory: config.kind === 'pglite' && config.dataDir === null, ms: Math.round(performance.now() - started) }, 'database ready');
    return database;
  }

  async #migrate(): Promise<void> {
    // Unordered: migrations written side by side land in any order, so a folder that already ran a
    // later one still takes an earlier one it lacks (each migration stands on its own).
    const { error, results } = await new Migrator({ db: this.db, provider: migrationProvider, allowUnorderedMigrations: true }).migrateToLatest();
    for (const result of results ?? []) {
      if (result.status === 'Success') this.#logger.info({ migration: result.migrationName }, 'migrated');
    }
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      this.#logger.error({ err: error, migration: failed }, 'migration failed');
      throw new SpacecraftError('UNAVAILABLE', `The database could not be brought up to date${failed ? ` (migration ${failed} failed)` : ''}: ${describe(error)}`);
    }
  }

  /** Idempotent: closes the connection (PGlite flushes its folder), then releases the lock. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      try {
        await this.db.destroy();
      } finally {
        this.#lock?.release();
      }
    })());
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
