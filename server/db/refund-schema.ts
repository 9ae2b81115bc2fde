/** The refund tables of migration 0006-ticket-refunds as Kysely sees them; `Tables` in schema.ts lists them. */
import type { ColumnType } from 'kysely';

/** A refund or dispute of a payment intent Stripe told us of before (or without) its checkout. */
export interface StripePaymentFactsTable {
  payment_intent_id: string;
  charge_id: string | null;
  refunded_at: Date | null;
  disputed_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}

/** A ticketed Space's planned length and its last move (the refund rules' inputs). */
export interface TicketRefundTermsTable {
  space_id: string;
  planned_minutes: number | null;
  rescheduled_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
