/**
 * Ticketed Spaces: the host's Stripe (Connect Express) account, a Space's ticket offer (price,
 * capacity and the seat counters that never oversell), seat holds (one per started checkout),
 * tickets, Stripe webhook events (each processed once) and the refund ledger.
 *
 * The seat counters live on the offer row: a hold is `UPDATE ticket_offers SET held = held + 1
 * WHERE sold + held < capacity RETURNING …` (one atomic statement, safe under any concurrency on
 * both backends, see notes/database.md), and the check constraint refuses any write that would oversell.
 * Amounts are integers in the currency's minor units (cents; yen for zero-decimal currencies).
 * SQL that PostgreSQL 15 accepts (PGlite is 18).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One connected Stripe account per Spacecraft account (the host's payouts), kept current by `account.updated`.
  await db.schema
    .createTable('stripe_accounts')
    .addColumn('account_id', 'uuid', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('stripe_account_id', 'text', (c) => c.notNull().unique().check(sql`stripe_account_id ~ '^acct_[A-Za-z0-9]{1,64}$'`))
    .addColumn('charges_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('payouts_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('details_submitted', 'boolean', (c) => c.notNull().defaultTo(false))
    // What Stripe still needs (`requirements.currently_due`, e.g. "external_account"): a JSON array of strings.
    .addColumn('requirements_due', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('disabled_reason', 'text')
    .addColumn('default_currency', 'text', (c) => c.check(sql`default_currency ~ '^[a-z]{3}$'`))
    .addColumn('country', 'text')
    // Stripe's `created` of the last `account.updated` applied: an older event delivered late is ignored.
    .addColumn('stripe_updated_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // A Space's tickets: one offer per Space, its seat counters beside it.
  await db.schema
    .createTable('ticket_offers')
    .addColumn('space_id', 'text', (c) => c.primaryKey().references('spaces.id').onDelete('cascade'))
    .addColumn('host_account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[a-z]{3}$'`))
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity between 1 and 1000000`))
    .addColumn('sold', 'integer', (c) => c.notNull().defaultTo(0).check(sql`sold >= 0`))
    .addColumn('held', 'integer', (c) => c.notNull().defaultTo(0).check(sql`held >= 0`))
    .addColumn('sales_open_at', 'timestamptz')
    .addColumn('sales_close_at', 'timestamptz')
    // The platform's share when the offer was priced (basis points): later config changes do not touch sold offers.
    .addColumn('platform_fee_bps', 'integer', (c) => c.notNull().check(sql`platform_fee_bps between 0 and 4999`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('ticket_offers_never_oversold', sql`sold + held <= capacity`)
    .addCheckConstraint('ticket_offers_window', sql`sales_open_at is null or sales_close_at is null or sales_open_at < sales_close_at`)
    .execute();

  // A seat held for one started checkout: `held` until Stripe says paid (→ `completed`, a ticket) or
  // the checkout expires / fails (→ `released`). `awaiting_payment`: the checkout completed with a
  // payment still pending (bank debits); the seat stays held until it succeeds or fails.
  await db.schema
    .createTable('seat_holds')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('held').check(sql`status in ('held', 'awaiting_payment', 'completed', 'released')`))
    // Null between the hold and Stripe's answer (the hold comes first; Stripe is never awaited in a transaction).
    .addColumn('checkout_session_id', 'text', (c) => c.unique().check(sql`checkout_session_id ~ '^cs_[A-Za-z0-9_]{1,200}$'`))
    .addColumn('checkout_url', 'text', (c) => c.check(sql`char_length(checkout_url) <= 4096`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('release_reason', 'text', (c) => c.check(sql`char_length(release_reason) <= 64`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One open checkout per account and Space.
  await sql`create unique index seat_holds_one_open on seat_holds (space_id, account_id) where status in ('held', 'awaiting_payment')`.execute(db);
  // Sweeping expired holds (few open rows: a partial index).
  await sql`create index seat_holds_open_expiry on seat_holds (expires_at) where status = 'held'`.execute(db);

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('hold_id', 'uuid', (c) => c.notNull().unique().references('seat_holds.id').onDelete('cascade'))
    .addColumn('checkout_session_id', 'text', (c) => c.notNull().unique())
    .addColumn('payment_intent_id', 'text')
    .addColumn('charge_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('paid').check(sql`status in ('paid', 'refunding', 'refunded', 'disputed')`))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[a-z]{3}$'`))
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('platform_fee', 'integer', (c) => c.notNull().check(sql`platform_fee >= 0 and platform_fee < amount`))
    .addColumn('refunded_amount', 'integer', (c) => c.notNull().defaultTo(0).check(sql`refunded_amount >= 0 and refunded_amount <= amount`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One ticket per account and Space (a refunded one does not count: that buyer may buy again).
  await sql`create unique index tickets_one_per_account on tickets (space_id, account_id) where status <> 'refunded'`.execute(db);
  await db.schema.createIndex('tickets_space_sold').on('tickets').columns(['space_id', 'created_at']).execute();
  await db.schema.createIndex('tickets_payment_intent').on('tickets').column('payment_intent_id').execute();
  await db.schema.createIndex('tickets_charge').on('tickets').column('charge_id').execute();

  // Every Stripe event received, by its id: a second delivery of the same id is a no-op.
  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey().check(sql`char_length(id) between 1 and 255`))
    .addColumn('type', 'text', (c) => c.notNull().check(sql`char_length(type) between 1 and 255`))
    // Connect events carry the connected account (`event.account`).
    .addColumn('stripe_account_id', 'text')
    // Stripe's `created` (events may arrive out of order).
    .addColumn('stripe_created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('processed_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute();
  await sql`create index stripe_events_unprocessed on stripe_events (received_at) where processed_at is null`.execute(db);

  // The refund ledger: one row per refund asked of Stripe, its idempotency key fixed before the call.
  await db.schema
    .createTable('ticket_refunds')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique().check(sql`char_length(idempotency_key) between 1 and 255`))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`char_length(reason) between 1 and 64`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'succeeded', 'failed')`))
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('stripe_refund_id', 'text', (c) => c.unique())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('ticket_refunds_ticket').on('ticket_refunds').column('ticket_id').execute();
  await sql`create index ticket_refunds_pending on ticket_refunds (created_at) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ticket_refunds').execute();
  await db.schema.dropTable('stripe_events').execute();
  await db.schema.dropTable('tickets').execute();
  await db.schema.dropTable('seat_holds').execute();
  await db.schema.dropTable('ticket_offers').execute();
  await db.schema.dropTable('stripe_accounts').execute();
}
