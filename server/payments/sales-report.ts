/**
 * A ticketed Space's sales as its host sees them live: tickets sold, seats held by open checkouts,
 * seats left, money taken (gross), the platform's fee, the host's net, refunds and disputes, and
 * sales over time (cumulative, per minute). Read in two short queries; no transaction.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { rescheduleRefundDeadline, type RefundPolicy } from '../domain/refund-policy.ts';

export type SalesReport = {
  ticketed: boolean;
  currency: string | null;
  price: number | null;
  capacity: number;
  /** Tickets that let their holder in now. */
  sold: number;
  /** Seats held by checkouts still open. */
  held: number;
  /** Seats still for sale (none once the Space is cancelled or ended). */
  left: number;
  refunding: number;
  refunded: number;
  disputed: number;
  /** Minor units: money taken and not given back. */
  gross: number;
  platformFee: number;
  hostNet: number;
  refundedAmount: number;
  /** Tickets bought up to each minute (cumulative; refunded ones included: these are sales as they happened). */
  series: Array<{ at: string; total: number }>;
};

const SERIES_POINTS = 240;

export async function salesReport(db: Db, spaceId: string): Promise<SalesReport> {
  const offer = await db
    .selectFrom('ticket_offers')
    .innerJoin('spaces', 'spaces.id', 'ticket_offers.space_id')
    .select(['ticket_offers.currency', 'ticket_offers.amount', 'ticket_offers.capacity', 'ticket_offers.sold', 'ticket_offers.held', 'spaces.status'])
    .where('ticket_offers.space_id', '=', spaceId)
    .executeTakeFirst();
  // A cancelled or ended Space sells nothing more: no seat is left, whatever refunds gave back.
  const over = offer?.status === 'cancelled' || offer?.status === 'ended';
  const totals = await db
    .selectFrom('tickets')
    .select([
      sql<number>`count(*) filter (where status = 'paid')::int`.as('paid'),
      sql<number>`count(*) filter (where status = 'refunding')::int`.as('refunding'),
      sql<number>`count(*) filter (where status = 'refunded')::int`.as('refunded'),
      sql<number>`count(*) filter (where status = 'disputed')::int`.as('disputed'),
      sql<number>`coalesce(sum(amount - refunded_amount), 0)::int`.as('gross'),
      sql<number>`coalesce(sum(platform_fee) filter (where status <> 'refunded'), 0)::int`.as('fee'),
      sql<number>`coalesce(sum(refunded_amount), 0)::int`.as('refundedAmount'),
    ])
    .where('space_id', '=', spaceId)
    .executeTakeFirstOrThrow();
  const minutes = await db
    .selectFrom('tickets')
    .select([sql<Date>`date_trunc('minute', created_at)`.as('at'), sql<number>`count(*)::int`.as('n')])
    .where('space_id', '=', spaceId)
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
  let total = 0;
  const series = minutes.map((m) => ({ at: new Date(m.at).toISOString(), total: (total += Number(m.n)) })).slice(-SERIES_POINTS);
  const capacity = offer?.capacity ?? 0;
  return {
    ticketed: offer !== undefined,
    currency: offer?.currency ?? null,
    price: offer?.amount ?? null,
    capacity,
    sold: Number(totals.paid),
    held: offer?.held ?? 0,
    left: offer && !over ? Math.max(0, capacity - offer.sold - offer.held) : 0,
    refunding: Number(totals.refunding),
    refunded: Number(totals.refunded),
    disputed: Number(totals.disputed),
    gross: Number(totals.gross),
    platformFee: Number(totals.fee),
    hostNet: Number(totals.gross) - Number(totals.fee),
    refundedAmount: Number(totals.refundedAmount),
    series,
  };
}

export type MoveTerms = {
  /** After a move, how long buyers may ask for a refund (hours). */
  refundWindowHours: number;
  /** When the Space last moved with tickets sold, and when its buyers' window ends (null: never). */
  rescheduledAt: Date | null;
  refundDeadline: Date | null;
};

/** What a move means for the Space's buyers, as its host reads it beside the sales. */
export async function moveTerms(db: Db, spaceId: string, policy: RefundPolicy): Promise<MoveTerms> {
  const terms = await db.selectFrom('ticket_refund_terms').select('rescheduled_at').where('space_id', '=', spaceId).executeTakeFirst();
  const rescheduledAt = terms?.rescheduled_at ?? null;
  return {
    refundWindowHours: Math.round(policy.rescheduleWindowMs / 3_600_000),
    rescheduledAt,
    refundDeadline: rescheduledAt ? rescheduleRefundDeadline(rescheduledAt, policy) : null,
  };
}
