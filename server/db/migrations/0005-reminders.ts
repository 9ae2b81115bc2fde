/**
 * Reminders: who wants to hear when a scheduled Space starts, how (e-mail, browser push, calendar),
 * and the ledger that makes each one go out exactly once.
 *
 * - `reminder_contacts`: an account's e-mail address for reminders, its time zone (the start is
 *   written in it) and its one-click unsubscribe token (in every e-mail).
 * - `reminders`: one per (account, Space): the channels and an optional "N minutes before" too.
 * - `creator_reminders`: a follower's opt-in to hear about every Space a creator schedules.
 * - `push_subscriptions`: browsers' Web Push endpoints and their keys (RFC 8291).
 * - `vapid_keys`: the server's one VAPID key pair, made on first start and kept (a single row).
 * - `reminder_deliveries`: the ledger. Its key is unique per (account, Space, channel, kind,
 *   occurrence = the start time it was about, or the calendar SEQUENCE): a send is claimed
 *   ("sending", with a lease) before it goes out and marked "sent" after.
 * - `space_calendars`: what was last published of a Space's calendar entry (its SEQUENCE, start,
 *   title, status), to tell when it moved or was cancelled.
 * SQL that PostgreSQL 15 accepts (PGlite is 18).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reminder_contacts')
    .addColumn('account_id', 'uuid', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.check(sql`char_length(email) between 3 and 254`))
    .addColumn('time_zone', 'text', (c) => c.notNull().check(sql`char_length(time_zone) between 1 and 64`))
    .addColumn('unsubscribe_token', 'text', (c) => c.notNull().unique().check(sql`unsubscribe_token ~ '^[A-Za-z0-9_-]{43}$'`))
    .addColumn('email_unsubscribed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('reminders')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('by_email', 'boolean', (c) => c.notNull())
    .addColumn('by_push', 'boolean', (c) => c.notNull())
    .addColumn('by_calendar', 'boolean', (c) => c.notNull())
    .addColumn('minutes_before', 'integer', (c) => c.check(sql`minutes_before between 1 and 1440`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('reminders_pkey', ['account_id', 'space_id'])
    .addCheckConstraint('reminders_some_channel', sql`by_email or by_push or by_calendar`)
    .execute();
  // A Space's reminder holders (the fan-out at its due time).
  await db.schema.createIndex('reminders_space').on('reminders').columns(['space_id']).execute();

  await db.schema
    .createTable('creator_reminders')
    .addColumn('follower_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('creator_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('by_email', 'boolean', (c) => c.notNull())
    .addColumn('by_push', 'boolean', (c) => c.notNull())
    .addColumn('by_calendar', 'boolean', (c) => c.notNull())
    .addColumn('minutes_before', 'integer', (c) => c.check(sql`minutes_before between 1 and 1440`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('creator_reminders_pkey', ['follower_id', 'creator_id'])
    .addCheckConstraint('creator_reminders_some_channel', sql`by_email or by_push or by_calendar`)
    .execute();
  await db.schema.createIndex('creator_reminders_creator').on('creator_reminders').columns(['creator_id']).execute();

  await db.schema
    .createTable('push_subscriptions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('endpoint', 'text', (c) => c.notNull().unique().check(sql`char_length(endpoint) between 10 and 1024`))
    .addColumn('p256dh', 'text', (c) => c.notNull().check(sql`p256dh ~ '^[A-Za-z0-9_-]{87}$'`))
    .addColumn('auth', 'text', (c) => c.notNull().check(sql`auth ~ '^[A-Za-z0-9_-]{22}$'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('push_subscriptions_account').on('push_subscriptions').columns(['account_id']).execute();

  await db.schema
    .createTable('vapid_keys')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('reminder_deliveries')
    .addColumn('idempotency_key', 'text', (c) => c.primaryKey().check(sql`char_length(idempotency_key) between 1 and 200`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'push', 'calendar')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('sending', 'sent', 'failed', 'skipped')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('lease_until', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addColumn('detail', 'text', (c) => c.check(sql`char_length(detail) <= 500`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('reminder_deliveries_space').on('reminder_deliveries').columns(['space_id', 'status']).execute();

  await db.schema
    .createTable('space_calendars')
    .addColumn('space_id', 'text', (c) => c.primaryKey().references('spaces.id').onDelete('cascade'))
    .addColumn('sequence', 'integer', (c) => c.notNull().check(sql`sequence >= 0`))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('cancelled', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('space_calendars').execute();
  await db.schema.dropTable('reminder_deliveries').execute();
  await db.schema.dropTable('vapid_keys').execute();
  await db.schema.dropTable('push_subscriptions').execute();
  await db.schema.dropTable('creator_reminders').execute();
  await db.schema.dropTable('reminders').execute();
  await db.schema.dropTable('reminder_contacts').execute();
}
