/**
 * What refunds and out-of-order webhooks need beyond 0003-tickets:
 * - `stripe_payment_facts`: a refund or dispute Stripe told us of before we heard of its payment
 *   (events arrive out of order); the payment, when it arrives, ends refunded or disputed at once.
 * - `ticket_refund_terms`: per ticketed Space, its planned length (the failed-early rule measures
 *   against it) and when it was last moved (buyers may ask for a refund within a window after).
 * SQL that PostgreSQL 15 accepts (PGlite is 18).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stripe_payment_facts')
    .addColumn('payment_intent_id', 'text', (c) => c.primaryKey().check(sql`payment_intent_id ~ '^pi_[A-Za-z0-9_]{1,200}$'`))
    .addColumn('charge_id', 'text', (c) => c.check(sql`char_length(charge_id) <= 255`))
    .addColumn('refunded_at', 'timestamptz')
    .addColumn('disputed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('ticket_refund_terms')
    .addColumn('space_id', 'text', (c) => c.primaryKey().references('spaces.id').onDelete('cascade'))
    .addColumn('planned_minutes', 'integer', (c) => c.check(sql`planned_minutes between 1 and 1440`))
    .addColumn('rescheduled_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ticket_refund_terms').execute();
  await db.schema.dropTable('stripe_payment_facts').execute();
}
