/**
 * The refund ledger inside a caller's transaction: starting a ticket's refund (a ledger row whose
 * idempotency key is fixed before Stripe is called, and a durable job keyed by it, both in the
 * caller's transaction) and finishing one (whoever sees it first: our refund job, or Stripe's
 * `charge.refunded`). Each ticket has one key, so it is refunded once whatever asks, however often.
 */
import { sql, type Transaction } from 'kysely';
import type { Tables } from '../db/schema.ts';
import { refundIdempotencyKey, type RefundReason } from '../domain/refund-policy.ts';

type Trx = Transaction<Tables>;

/** The part of the job queue (server/jobs/job-queue.ts) payments use, as a port. */
export interface PaymentJobs {
  send<T extends object>(queue: string, data: T, options?: { startAfter?: Date; key?: string; trx?: Trx }): Promise<string | null>;
  work<T extends object>(queue: string, handler: (data: T, job: { id: string; retryCount: number }) => Promise<void>, options?: { retryLimit?: number; retryDelaySeconds?: number; concurrency?: number; expireInSeconds?: number }): Promise<void>;
  cancel(queue: string, id: string): Promise<void>;
}

/** One ticket's refund: the job asks Stripe (idempotency key = the ledger's). */
export const REFUND_QUEUE = 'payments-refund';
export type RefundJob = { ticketId: string };

/**
 * Starts the ticket's refund (paid → refunding) unless one was started before. Returns whether
 * this call started it. The job exists only if the caller's transaction commits.
 */
export async function startRefundIn(trx: Trx, jobs: PaymentJobs, ticket: { id: string; amount: number }, reason: RefundReason): Promise<boolean> {
  const key = refundIdempotencyKey(ticket.id);
  const row = await trx
    .insertInto('ticket_refunds')
    .values({ ticket_id: ticket.id, idempotency_key: key, reason, amount: ticket.amount })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  await trx.updateTable('tickets').set({ status: 'refunding', updated_at: new Date() }).where('id', '=', ticket.id).where('status', '=', 'paid').execute();
  if (!row) return false;
  await jobs.send<RefundJob>(REFUND_QUEUE, { ticketId: ticket.id }, { key, trx });
  return true;
}

/**
 * The ticket's money is back (a refund of ours succeeded, or Stripe said the charge is refunded):
 * ticket → refunded, its ledger row → succeeded. The seat goes back on sale only for a buyer's own
 * refund (or one made outside Spacecraft) while the Space is still to come. Idempotent: returns
 * the ticket's Space and account when this call moved it, null when it was refunded already.
 */
export async function finishRefundIn(trx: Trx, ticketId: string, stripeRefundId: string | null): Promise<{ spaceId: string; accountId: string } | null> {
  const current = await trx.selectFrom('tickets').select(['status', 'space_id', 'account_id']).where('id', '=', ticketId).forUpdate().executeTakeFirst();
  if (!current || current.status === 'refunded') return null;
  await trx
    .updateTable('tickets')
    .set((eb) => ({ status: 'refunded', refunded_amount: eb.ref('amount'), updated_at: new Date() }))
    .where('id', '=', ticketId)
    .execute();
  const ledger = await trx
    .updateTable('ticket_refunds')
    .set({ status: 'succeeded', stripe_refund_id: stripeRefundId, last_error: null, updated_at: new Date() })
    .where('ticket_id', '=', ticketId)
    .where('status', '=', 'pending')
    .returning('reason')
    .executeTakeFirst();
  const space = await trx.selectFrom('spaces').select('status').where('id', '=', current.space_id).executeTakeFirst();
  // A disputed ticket's seat stayed counted while the bank decided; it stays so.
  const returnsSeat = current.status !== 'disputed' && space?.status === 'scheduled' && (ledger === undefined || ledger.reason === 'buyer-asked');
  if (returnsSeat) await trx.updateTable('ticket_offers').set({ sold: sql<number>`sold - 1` }).where('space_id', '=', current.space_id).where('sold', '>', 0).execute();
  return { spaceId: current.space_id, accountId: current.account_id };
}
