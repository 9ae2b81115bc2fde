/**
 * Applies a verified Stripe event exactly once. One short transaction records the event's id in
 * `stripe_events` and makes its effect (a seat sold or released, a ticket made, refunded or
 * disputed, an account's state) and queues any follow-up work (a refund, the no-show check) as
 * durable jobs: a second delivery of the same id finds it processed and changes nothing, and a
 * crash before the commit leaves nothing, so Stripe's own retry delivers it again.
 *
 * Order does not matter (see webhook-rules.ts): a refund or dispute of a payment we have not heard
 * of yet is kept as a fact of its payment intent; a checkout we do not know yet (its session id not
 * recorded: the server crashed between Stripe's answer and our write) is deferred: the event stays
 * unprocessed and a durable job looks again with backoff.
 *
 * No transaction here waits for Stripe (notes/database.md: PGlite runs one transaction at a time).
 */
import type { Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { SeatHoldStatus, Tables, TicketStatus } from '../db/schema.ts';
import { KyselyTicketRecords, type StoredHold } from '../db/ticket-store.ts';
import { noShowCheckAt, type RefundPolicy, type RefundReason } from '../domain/refund-policy.ts';
import type { Logger } from '../logger.ts';
import { finishRefundIn, startRefundIn, type PaymentJobs } from './refund-ledger.ts';
import { readPaymentEvent, type PaymentEvent } from './webhook-events.ts';
import { NO_FACTS, noSeatOutcome, ticketOutcome, type PaymentFacts, type TicketOutcome, type TicketPaymentState } from './webhook-rules.ts';

type Trx = Transaction<Tables>;

/** Events whose target we do not know yet are looked at again by this queue. */
export const WEBHOOK_RETRY_QUEUE = 'payments-webhook-retry';
export type WebhookRetryJob = { eventId: string };
/** "Look at this Space's tickets against the refund rules now" (the no-show check, then the failed-early check). */
export const REFUND_CHECK_QUEUE = 'payments-refund-check';
export type RefundCheckJob = { spaceId: string };
export const noShowCheckKey = (spaceId: string, scheduledFor: Date) => `no-show:${spaceId}@${scheduledFor.toISOString()}`;

export type ProcessResult = {
  result: 'processed' | 'duplicate' | 'deferred';
  /** Tickets whose holder must lose access now (disputed or refunded), after the commit. */
  revoked: Array<{ spaceId: string; accountId: string }>;
};

/** Why an event could not be applied yet (kept in `stripe_events.last_error`). */
class Deferred {
  readonly why: string;

  constructor(why: string) {
    this.why = why;
  }
}

const TICKET_STATE: Record<TicketStatus, TicketPaymentState> = { paid: 'paid', refunding: 'refund-pending', refunded: 'refunded', disputed: 'disputed' };
const STATUS_OF: Partial<Record<TicketPaymentState, TicketStatus>> = { paid: 'paid', 'refund-pending': 'refunding', refunded: 'refunded', disputed: 'disputed' };
const HOLD_STATE: Record<SeatHoldStatus, TicketPaymentState> = { held: 'held', awaiting_payment: 'awaiting-payment', released: 'released', completed: 'paid' };
const holdState = (hold: StoredHold): TicketPaymentState => HOLD_STATE[hold.status];

export class WebhookProcessor {
  readonly #db: Db;
  readonly #records: KyselyTicketRecords;
  readonly #jobs: PaymentJobs;
  readonly #policy: RefundPolicy;
  readonly #log: Logger;
  readonly #onRevoked: (ticket: { spaceId: string; accountId: string }) => void;

  constructor(deps: { db: Db; jobs: PaymentJobs; policy: RefundPolicy; logger: Logger; onAccessRevoked?: (ticket: { spaceId: string; accountId: string }) => void }) {
    this.#db = deps.db;
    this.#records = new KyselyTicketRecords(deps.db);
    this.#jobs = deps.jobs;
    this.#policy = deps.policy;
    this.#log = deps.logger.child({ module: 'webhooks' });
    this.#onRevoked = deps.onAccessRevoked ?? (() => undefined);
  }

  /**
   * Registers the retry worker (which also creates its queue: on PGlite a queue must exist before a
   * job is sent inside an app transaction, or creating it waits for that transaction for good).
   */
  async start(): Promise<void> {
    await this.#jobs.work<WebhookRetryJob>(
      WEBHOOK_RETRY_QUEUE,
      async (job) => {
        await this.retry(job.eventId);
      },
      { retryLimit: 20, retryDelaySeconds: 2 },
    );
  }

  /** Records and applies a verified event (once, whatever the number of deliveries). */
  async receive(event: PaymentEvent, envelope: { account: string | null; payload: string }): Promise<ProcessResult> {
    const result = await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('stripe_events')
        .values({ id: event.eventId, type: event.type, stripe_account_id: envelope.account, stripe_created_at: event.created, payload: envelope.payload })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) {
        const known = await trx.selectFrom('stripe_events').select('processed_at').where('id', '=', event.eventId).forUpdate().executeTakeFirst();
        if (known?.processed_at) return { result: 'duplicate' as const, revoked: [] };
        // Deferred before: its retry job is queued; this delivery may apply it sooner.
      }
      return this.#applyAndMark(trx, event, inserted !== undefined);
    });
    this.#after(event, result);
    return result;
  }

  /** Applies a deferred event again (its retry job). Throws while it still cannot be applied, so the job backs off and retries. */
  async retry(eventId: string): Promise<ProcessResult> {
    const result = await this.#db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('stripe_events').select(['processed_at', 'payload']).where('id', '=', eventId).forUpdate().executeTakeFirst();
      if (!row || row.processed_at) return { result: 'duplicate' as const, revoked: [], event: null };
      const event = readPaymentEvent(typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload);
      return { ...(await this.#applyAndMark(trx, event, false)), event };
    });
    if (result.event) this.#after(result.event, result);
    if (result.result === 'deferred') throw new Error(`Stripe event ${eventId} still cannot be applied`);
    return { result: result.result, revoked: result.revoked };
  }

  #after(event: PaymentEvent, result: ProcessResult): void {
    for (const ticket of result.revoked) {
      try {
        this.#onRevoked(ticket);
      } catch (error) {
        this.#log.warn({ err: error, event: event.eventId }, 'revoking access failed');
      }
    }
    if (result.result === 'deferred') this.#log.info({ event: event.eventId, type: event.type }, 'Stripe event deferred: its checkout is not known yet');
  }

  async #applyAndMark(trx: Trx, event: PaymentEvent, firstDelivery: boolean): Promise<ProcessResult> {
    const revoked: ProcessResult['revoked'] = [];
    const outcome = await this.#apply(trx, event, revoked);
    if (outcome instanceof Deferred) {
      await trx
        .updateTable('stripe_events')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: outcome.why }))
        .where('id', '=', event.eventId)
        .execute();
      if (firstDelivery) await this.#jobs.send<WebhookRetryJob>(WEBHOOK_RETRY_QUEUE, { eventId: event.eventId }, { key: event.eventId, trx, startAfter: new Date(Date.now() + 2_000) });
      return { result: 'deferred', revoked: [] };
    }
    await trx
      .updateTable('stripe_events')
      .set((eb) => ({ processed_at: new Date(), attempts: eb('attempts', '+', 1), last_error: null }))
      .where('id', '=', event.eventId)
      .execute();
    return { result: 'processed', revoked };
  }

  async #apply(trx: Trx, event: PaymentEvent, revoked: ProcessResult['revoked']): Promise<Deferred | void> {
    switch (event.kind) {
      case 'checkout-paid':
        return this.#paid(trx, event.sessionId, event.paymentIntentId, revoked);
      case 'checkout-awaiting-payment':
      case 'checkout-payment-failed':
      case 'checkout-expired':
        return this.#holdEvent(trx, event.kind, event.sessionId);
      case 'charge-refunded':
        if (!event.fully) return;
        return this.#chargeEvent(trx, 'charge-refunded', event.chargeId, event.paymentIntentId, revoked);
      case 'charge-disputed':
        return this.#chargeEvent(trx, 'charge-disputed', event.chargeId, event.paymentIntentId, revoked);
      case 'account-updated':
        await trx
          .updateTable('stripe_accounts')
          .set({
            charges_enabled: event.chargesEnabled,
            payouts_enabled: event.payoutsEnabled,
            details_submitted: event.detailsSubmitted,
            requirements_due: JSON.stringify(event.currentlyDue),
            disabled_reason: event.disabledReason,
            stripe_updated_at: event.created,
            updated_at: new Date(),
          })
          .where('stripe_account_id', '=', event.accountId)
          // An older description delivered late never overwrites a newer one.
          .where((eb) => eb.or([eb('stripe_updated_at', 'is', null), eb('stripe_updated_at', '<=', event.created)]))
          .execute();
        return;
      case 'ignored':
        return;
    }
  }

  async #facts(trx: Trx, paymentIntentId: string | null): Promise<PaymentFacts> {
    if (!paymentIntentId) return NO_FACTS;
    const row = await trx.selectFrom('stripe_payment_facts').select(['refunded_at', 'disputed_at']).where('payment_intent_id', '=', paymentIntentId).executeTakeFirst();
    return row ? { refunded: row.refunded_at !== null, disputed: row.disputed_at !== null } : NO_FACTS;
  }

  /** A paid checkout: the hold becomes a ticket (or a refund, when the Space is gone or no seat is left). */
  async #paid(trx: Trx, sessionId: string, paymentIntentId: string | null, revoked: ProcessResult['revoked']): Promise<Deferred | void> {
    const hold = await this.#records.holdBySession(sessionId, trx);
    if (!hold) return new Deferred(`checkout ${sessionId} is not known`);
    if (await this.#records.ticketOfCheckout({ sessionId, paymentIntentId }, trx)) return;
    const state = holdState(hold);
    const space = await trx.selectFrom('spaces').select(['status', 'scheduled_for']).where('id', '=', hold.spaceId).executeTakeFirstOrThrow();
    const refundAll: RefundReason | null = space.status === 'cancelled' ? 'space-cancelled' : space.status === 'ended' ? 'space-over' : null;
    let outcome: TicketOutcome = ticketOutcome(state, { kind: 'checkout-paid' }, await this.#facts(trx, paymentIntentId), { refundAll, refundReturnsSeat: false });
    if (outcome.next === state) return;

    const offer = await this.#records.offer(hold.spaceId, trx);
    if (!offer) return new Deferred(`Space ${hold.spaceId} has no ticket offer`);
    // The buyer already holds a usable ticket for this Space (a second checkout paid late): refund this one by hand.
    if (await this.#records.unrefundedTicket(hold.spaceId, hold.accountId, trx)) {
      this.#log.error({ session: sessionId, space: hold.spaceId }, 'a second paid checkout for an account that has a ticket: refund it from the Stripe dashboard');
      await this.#records.releaseHold(hold.id, 'duplicate-purchase', trx);
      return;
    }

    let soldNow: number | null = null;
    if (outcome.seat === 'sell' || outcome.seat === 'release' || outcome.seat === 'retake') {
      const sold = await this.#records.moveSeat(hold.spaceId, outcome.seat, trx);
      if (sold === null) outcome = noSeatOutcome();
      else if (outcome.seat !== 'release') soldNow = sold;
    }
    const status = STATUS_OF[outcome.next] ?? 'paid';
    const ticket = await this.#records.issueTicket({ hold, offer, sessionId, paymentIntentId, chargeId: null, status: status === 'refunding' ? 'paid' : status }, trx);
    if (outcome.refund) await startRefundIn(trx, this.#jobs, ticket, outcome.refund);
    if (outcome.revokeAccess) revoked.push({ spaceId: hold.spaceId, accountId: hold.accountId });
    // The first ticket sold: the no-show check is due after the start (keyed by the start: a moved Space gets its own).
    if (soldNow === 1 && space.status === 'scheduled' && space.scheduled_for) {
      await this.#jobs.send<RefundCheckJob>(REFUND_CHECK_QUEUE, { spaceId: hold.spaceId }, { key: noShowCheckKey(hold.spaceId, space.scheduled_for), startAfter: noShowCheckAt(space.scheduled_for, this.#policy), trx });
    }
  }

  /** Async payment pending, failed, or checkout expired: only a seat still held moves. */
  async #holdEvent(trx: Trx, kind: 'checkout-awaiting-payment' | 'checkout-payment-failed' | 'checkout-expired', sessionId: string): Promise<Deferred | void> {
    const hold = await this.#records.holdBySession(sessionId, trx);
    if (!hold) {
      // An expiry of a checkout we never recorded (crash before the write): its hold is released by its own expiry job.
      return kind === 'checkout-awaiting-payment' ? new Deferred(`checkout ${sessionId} is not known`) : undefined;
    }
    const state = holdState(hold);
    const outcome = ticketOutcome(state, { kind }, NO_FACTS, { refundAll: null, refundReturnsSeat: false });
    if (outcome.next === 'awaiting-payment' && state === 'held') await this.#records.markAwaitingPayment(sessionId, trx);
    else if (outcome.seat === 'release') await this.#records.releaseHold(hold.id, kind === 'checkout-expired' ? 'expired' : 'payment-failed', trx);
  }

  /** A full refund or a dispute of a charge: on its ticket, or kept as a fact until the ticket exists. */
  async #chargeEvent(trx: Trx, kind: 'charge-refunded' | 'charge-disputed', chargeId: string, paymentIntentId: string | null, revoked: ProcessResult['revoked']): Promise<void> {
    let query = trx.selectFrom('tickets').select(['id', 'status', 'space_id', 'account_id', 'charge_id']).forUpdate();
    query = paymentIntentId ? query.where((eb) => eb.or([eb('payment_intent_id', '=', paymentIntentId), eb('charge_id', '=', chargeId)])) : query.where('charge_id', '=', chargeId);
    const ticket = await query.executeTakeFirst();
    if (!ticket) {
      if (!paymentIntentId) return;
      const at = new Date();
      await trx
        .insertInto('stripe_payment_facts')
        .values({ payment_intent_id: paymentIntentId, charge_id: chargeId, ...(kind === 'charge-refunded' ? { refunded_at: at } : { disputed_at: at }) })
        .onConflict((oc) => oc.column('payment_intent_id').doUpdateSet(kind === 'charge-refunded' ? { refunded_at: at } : { disputed_at: at }))
        .execute();
      return;
    }
    if (!ticket.charge_id) await trx.updateTable('tickets').set({ charge_id: chargeId }).where('id', '=', ticket.id).execute();
    const outcome = ticketOutcome(TICKET_STATE[ticket.status], { kind, fully: true }, NO_FACTS, { refundAll: null, refundReturnsSeat: false });
    if (outcome.next === 'refunded') {
      await finishRefundIn(trx, ticket.id, null);
    } else if (outcome.next === 'disputed') {
      await trx.updateTable('tickets').set({ status: 'disputed', updated_at: new Date() }).where('id', '=', ticket.id).execute();
    }
    if (outcome.revokeAccess) revoked.push({ spaceId: ticket.space_id, accountId: ticket.account_id });
  }
}
