import { sql } from 'kysely';
import { Migrator, NO_MIGRATIONS } from 'kysely/migration';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BACKENDS, useTestDatabases } from '../../test/support/test-databases.ts';
import { Database } from './database.ts';
import { migrationProvider } from './migrations/index.ts';

const logger = pino({ level: 'silent' });
const databases = useTestDatabases();

describe.each(BACKENDS)('database on %s', (backend) => {
  it('runs every migration at open, and a second open finds nothing left to run', async () => {
    const config = await databases.fresh(backend);
    const first = await Database.open(config, logger);
    expect(first.backend).toBe(backend);
    const migrations = await new Migrator({ db: first.db, provider: migrationProvider }).getMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((m) => m.executedAt instanceof Date)).toBe(true);
    await first.close();
    await first.close(); // idempotent

    const again = await Database.open(config, logger);
    const after = await new Migrator({ db: again.db, provider: migrationProvider }).getMigrations();
    expect(after.map((m) => m.executedAt)).toEqual(migrations.map((m) => m.executedAt));
    await again.close();
  });

  it('migrates all the way down and up again', async () => {
    const database = await Database.open(await databases.fresh(backend), logger);
    const migrator = new Migrator({ db: database.db, provider: migrationProvider });
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    await database.close();
  });

  it('keeps what was written across a close and a reopen', async () => {
    const config = await databases.fresh(backend);
    const first = await Database.open(config, logger);
    const [ada, bob] = await first.db
      .insertInto('accounts')
      .values([
        { handle: 'ada', display_name: 'Ada', password_hash: 'x' },
        { handle: 'bob', display_name: 'Bob', password_hash: 'y' },
      ])
      .returning(['id', 'handle'])
      .execute();
    await first.db.insertInto('follows').values({ follower_id: bob!.id, followee_id: ada!.id }).execute();
    await first.close();

    const second = await Database.open(config, logger);
    const rows = await second.db.selectFrom('accounts').select(['handle', 'display_name']).orderBy('handle').execute();
    expect(rows).toEqual([
      { handle: 'ada', display_name: 'Ada' },
      { handle: 'bob', display_name: 'Bob' },
    ]);
    const follows = await second.db.selectFrom('follows').select(['follower_id', 'followee_id']).execute();
    expect(follows).toEqual([{ follower_id: bob!.id, followee_id: ada!.id }]);
    await second.close();
  });

  it('returns the same JavaScript types on both backends (int8, bytea, timestamptz)', async () => {
    const database = await Database.open(await databases.fresh(backend), logger);
    const { rows } = await sql<{ big: number; bytes: Uint8Array; at: Date; n: number }>`
      select 9007199254740991::int8 as big, '\\x00ff10'::bytea as bytes, now() as at, (select count(*) from accounts) as n
    `.execute(database.db);
    const row = rows[0]!;
    expect(row.big).toBe(Number.MAX_SAFE_INTEGER);
    expect(row.n).toBe(0);
    expect(Object.getPrototypeOf(row.bytes)).toBe(Uint8Array.prototype);
    expect([...row.bytes]).toEqual([0, 255, 16]);
    expect(row.at).toBeInstanceOf(Date);
    // Past 2^53 an int8 is refused rather than silently rounded.
    await expect(sql`select 9007199254740993::int8 as big`.execute(database.db)).rejects.toThrow(/too large/);
    await database.close();
  });

  it('enforces the schema: unique handles, valid handles, no self-follow, no duplicate follow', async () => {
    const database = await Database.open(await databases.fresh(backend), logger);
    const { db } = database;
    const ada = await db.insertInto('accounts').values({ handle: 'ada', display_name: 'Ada', password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
    await expect(db.insertInto('accounts').values({ handle: 'ada', display_name: 'Other', password_hash: 'x' }).execute()).rejects.toThrow(/unique|duplicate/i);
    await expect(db.insertInto('accounts').values({ handle: 'Ada', display_name: 'Caps', password_hash: 'x' }).execute()).rejects.toThrow(/check/i);
    await expect(db.insertInto('accounts').values({ handle: 'zed', display_name: '', password_hash: 'x' }).execute()).rejects.toThrow(/check/i);
    await expect(db.insertInto('follows').values({ follower_id: ada.id, followee_id: ada.id }).execute()).rejects.toThrow(/check/i);
    const bob = await db.insertInto('accounts').values({ handle: 'bob', display_name: 'Bob', password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('follows').values({ follower_id: bob.id, followee_id: ada.id }).execute();
    await expect(db.insertInto('follows').values({ follower_id: bob.id, followee_id: ada.id }).execute()).rejects.toThrow(/unique|duplicate/i);
    const count = await db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(count.n).toBe(2);
    await database.close();
  });
});

describe('database in memory', () => {
  it('opens without a folder and forgets everything when closed', async () => {
    const config = { kind: 'pglite', dataDir: null } as const;
    const first = await Database.open(config, logger);
    await first.db.insertInto('accounts').values({ handle: 'ada', display_name: 'Ada', password_hash: 'x' }).execute();
    await first.close();
    const second = await Database.open(config, logger);
    expect(await second.db.selectFrom('accounts').selectAll().execute()).toEqual([]);
    await second.close();
  });
});

describe('database on an unreachable PostgreSQL', () => {
  it('fails at start with a typed error that never shows the password', async () => {
    const url = 'postgres://spacecraft:hunter2-secret@127.0.0.1:1/spacecraft';
    const error = await Database.open({ kind: 'postgres', url }, logger).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('could not be brought up to date') as unknown });
    expect(String((error as Error).message)).not.toContain('hunter2');
  });
});
