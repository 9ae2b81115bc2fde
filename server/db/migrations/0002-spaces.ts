/**
 * Spaces that last: the Space itself (scheduled, live, ended or cancelled), the roles on its stage
 * that outlive a connection (co-hosts, speakers), who was removed from it, and co-host invites
 * (only a SHA-256 of each invite's code is stored, like session tokens).
 * SQL that PostgreSQL 15 accepts (PGlite is 18).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('spaces')
    // Short random ids (9 random bytes, base64url), the same as the ids in listener links.
    .addColumn('id', 'text', (c) => c.primaryKey().check(sql`id ~ '^[A-Za-z0-9_-]{1,64}$'`))
    .addColumn('host_account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull().check(sql`char_length(title) between 1 and 120`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('scheduled', 'live', 'ended', 'cancelled')`))
    .addColumn('scheduled_for', 'timestamptz')
    .addColumn('time_zone', 'text', (c) => c.check(sql`char_length(time_zone) between 1 and 64`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('end_reason', 'text', (c) => c.check(sql`char_length(end_reason) between 1 and 64`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A scheduled Space always has a time and a zone; a live one has started.
    .addCheckConstraint('spaces_scheduled_has_time', sql`status <> 'scheduled' or (scheduled_for is not null and time_zone is not null)`)
    .addCheckConstraint('spaces_live_has_started', sql`status <> 'live' or started_at is not null`)
    .execute();
  // A host's upcoming and live Spaces, and how many are scheduled (the per-host bound).
  await db.schema.createIndex('spaces_host_status').on('spaces').columns(['host_account_id', 'status', 'scheduled_for']).execute();
  // The live Spaces to bring back after a restart: few rows, a partial index.
  await sql`create index spaces_live on spaces (id) where status = 'live'`.execute(db);

  await db.schema
    .createTable('space_roles')
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('cohost', 'speaker')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('space_roles_pkey', ['space_id', 'account_id'])
    .execute();

  await db.schema
    .createTable('space_bans')
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('space_bans_pkey', ['space_id', 'account_id'])
    .execute();

  await db.schema
    .createTable('space_invites')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    // SHA-256 of the code: the code itself is shown to the host once and never stored.
    .addColumn('code_hash', 'bytea', (c) => c.notNull().unique().check(sql`octet_length(code_hash) = 32`))
    .addColumn('created_by', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('space_invites_used_or_revoked', sql`used_at is null or revoked_at is null`)
    .execute();
  // A Space's invites (the host's list, and the pending count that bounds them).
  await db.schema.createIndex('space_invites_space').on('space_invites').columns(['space_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('space_invites').execute();
  await db.schema.dropTable('space_bans').execute();
  await db.schema.dropTable('space_roles').execute();
  await db.schema.dropTable('spaces').execute();
}
