/**
 * Refunds that finish even across a crash. Every refund is a durable job per ticket (queued in the
 * same transaction as its ledger row); the job asks Stripe with the ticket's fixed idempotency key
 * (`reverse_transfer` and `refund_application_fee`: the host's share and the platform's fee both go
 * back), then records the result. A job run twice (a crash after Stripe answered, before our write)
 * asks Stripe again with the same key and gets the same refund: one refund per ticket, ever.
 *
 * What starts refunds:
 * - a cancelled Space (`refundSpace`, told by the scheduler; a start-up sweep catches a cancel whose
 *   refunds were not queued because the server died in between);
 * - the refund check (a durable job per ticketed Space, due after the start plus the grace): the
 *   host never went live → all; live → looked at again at the point the failed-early rule decides;
 * - a buyer who asks after the Space moved (within the window);
 * - a payment that arrives for a cancelled or finished Space, or with no seat left (webhooks).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { endVerdict, noShowVerdict, RESCHEDULE_REFUSAL_MESSAGES, rescheduleRefundDeadline, rescheduleRefundRefusal, type RefundPolicy, type RefundReason, type SpaceForRefunds, type Verdict } from '../domain/refund-policy.ts';
import { InvalidStateError, NotFoundError, PermissionError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { finishRefundIn, REFUND_QUEUE, startRefundIn, type PaymentJobs, type RefundJob } from './refund-ledger.ts';
import { noShowCheckKey, REFUND_CHECK_QUEUE, type RefundCheckJob } from './webhook-processor.ts';

/** How Stripe is asked for a refund (the SDK in the app, the SDK against the stub in tests). */
export interface RefundGateway {
  /** Resolves with Stripe's refund id; rejects with `RefundRefused` when Stripe will never do it. */
  refund(input: { paymentIntentId: string | null; chargeId: string | null; ticketId: string; reason: string }, idempotencyKey: string): Promise<{ refundId: string | null }>;
}

/** Stripe will not refund this charge: it is refunded already (done), or disputed (the bank is giving the money back). */
export class RefundRefused extends Error {
  readonly why: 'already-refunded' | 'disputed' | 'failed';

  constructor(why: 'already-refunded' | 'disputed' | 'failed', message: string) {
    super(message);
    this.why = why;
    this.name = 'RefundRefused';
  }
}

/** The part of the Stripe SDK refunds use (structural, so tests and the app pass the real `Stripe` client). */
export type StripeRefunds = {
  refunds: {
    create(
      params: { payment_intent?: string; charge?: string; reverse_transfer: boolean; refund_application_fee: boolean; metadata: Record<string, string> },
      options: { idempotencyKey: string },
    ): Promise<{ id: string; status: string | null }>;
  };
};

export function stripeRefundGateway(stripe: StripeRefunds): RefundGateway {
  return {
    async refund(input, idempotencyKey) {
      try {
        const refund = await stripe.refunds.create(
          {
            ...(input.paymentIntentId ? { payment_intent: input.paymentIntentId } : { charge: input.chargeId ?? '' }),
            reverse_transfer: true,
            refund_application_fee: true,
            metadata: { ticket_id: input.ticketId, reason: input.reason },
          },
          { idempotencyKey },
        );
        if (refund.status === 'failed' || refund.status === 'canceled') throw new RefundRefused('failed', `Stripe's refund ${refund.id} ${refund.status}`);
        return { refundId: refund.id };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'charge_already_refunded') throw new RefundRefused('already-refunded', 'The charge is refunded already.');
        if (code === 'charge_disputed') throw new RefundRefused('disputed', 'The charge is disputed.');
        throw error;
      }
    },
  };
}

/** Tickets refunded per transaction when a whole Space is refunded (PGlite runs one transaction at a time: keep each short). */
const CHUNK = 100;
const failureCheckKey = (spaceId: string, startedAt: Date) => `failed:${spaceId}@${startedAt.toISOString()}`;

export type RefundRunnerDeps = {
  db: Db;
  jobs: PaymentJobs;
  gateway: RefundGateway;
  policy: RefundPolicy;
  /** The planned length a Space without one given is measured against (minutes). */
  defaultPlannedMinutes: number;
  logger: Logger;
  now?: () => Date;
  /** A ticket's holder lost access (refunded). */
  onAccessRevoked?: (ticket: { spaceId: string; accountId: string }) => void;
};

export class RefundRunner {
  readonly #db: Db;
  readonly #jobs: PaymentJobs;
  readonly #gateway: RefundGateway;
  readonly #policy: RefundPolicy;
  readonly #defaultPlanned: number;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #onRevoked: (ticket: { spaceId: string; accountId: string }) => void;
  /** This process's run: names the jobs it queues for refunds a previous run left pending. */
  readonly #bootId = randomUUID();

  constructor(deps: RefundRunnerDeps) {
    this.#db = deps.db;
    this.#jobs = deps.jobs;
    this.#gateway = deps.gateway;
    this.#policy = deps.policy;
    this.#defaultPlanned = deps.defaultPlannedMinutes;
    this.#log = deps.logger.child({ module: 'refunds' });
    this.#now = deps.now ?? (() => new Date());
    this.#onRevoked = deps.onAccessRevoked ?? (() => undefined);
  }

  /** Registers the refund and refund-check workers, then queues what a crash may have left unqueued. */
  async start(options: { concurrency?: number } = {}): Promise<void> {
    // Many retries with backoff (up to 10 minutes apart): Stripe being down for hours delays refunds, never loses them.
    // A run cut by a crash stays "active" in the queue until it expires: 2 minutes (Stripe's calls time out well before).
    await this.#jobs.work<RefundJob>(REFUND_QUEUE, (job) => this.runRefund(job.ticketId), { retryLimit: 50, retryDelaySeconds: 2, concurrency: options.concurrency ?? 4, expireInSeconds: 120 });
    await this.#jobs.work<RefundCheckJob>(REFUND_CHECK_QUEUE, async (job) => {
      await this.check(job.spaceId);
    }, { retryLimit: 20, retryDelaySeconds: 5 });
    const swept = await this.sweepCancelled();
    if (swept > 0) this.#log.info({ tickets: swept }, 'refunds of cancelled Spaces queued after a restart');
    const resumed = await this.resumePending();
    if (resumed > 0) this.#log.info({ tickets: resumed }, 'refunds cut short by the last run resumed');
  }

  /**
   * Refunds still pending when this process starts (the last run died with them queued or half
   * done) get a job of this run at once, rather than waiting for the dead run's job to expire. Two
   * jobs for one refund are harmless: both ask Stripe with the ticket's one idempotency key, and
   * recording the result is idempotent.
   */
  async resumePending(): Promise<number> {
    const pending = await this.#db.selectFrom('ticket_refunds').select(['ticket_id', 'idempotency_key']).where('status', '=', 'pending').limit(100_000).execute();
    for (const refund of pending) await this.#jobs.send<RefundJob>(REFUND_QUEUE, { ticketId: refund.ticket_id }, { key: `${refund.idempotency_key}@${this.#bootId}` });
    return pending.length;
  }

  /** Queues a refund of every paid ticket of the Space. Returns how many this call queued. */
  async refundSpace(spaceId: string, reason: RefundReason): Promise<number> {
    let queued = 0;
    for (;;) {
      const started = await this.#db.transaction().execute(async (trx) => {
        const tickets = await trx.selectFrom('tickets').select(['id', 'amount']).where('space_id', '=', spaceId).where('status', '=', 'paid').orderBy('id').limit(CHUNK).forUpdate().execute();
        let n = 0;
        for (const ticket of tickets) if (await startRefundIn(trx, this.#jobs, ticket, reason)) n += 1;
        return { n, more: tickets.length === CHUNK };
      });
      queued += started.n;
      if (!started.more) break;
    }
    if (queued > 0) this.#log.info({ spaceId, reason, tickets: queued }, 'refunds queued');
    return queued;
  }

  /** Cancelled Spaces with tickets still paid (the server died between the cancel and queueing its refunds). */
  async sweepCancelled(): Promise<number> {
    const spaces = await this.#db
      .selectFrom('tickets')
      .innerJoin('spaces', 'spaces.id', 'tickets.space_id')
      .select('tickets.space_id')
      .distinct()
      .where('spaces.status', '=', 'cancelled')
      .where('tickets.status', '=', 'paid')
      .execute();
    let queued = 0;
    for (const { space_id } of spaces) queued += await this.refundSpace(space_id, 'space-cancelled');
    return queued;
  }

  /** One ticket's refund job: ask Stripe (same key every time), then record. Throws to retry. */
  async runRefund(ticketId: string): Promise<void> {
    const row = await this.#db
      .selectFrom('tickets')
      .innerJoin('ticket_refunds', 'ticket_refunds.ticket_id', 'tickets.id')
      .select(['tickets.status', 'tickets.payment_intent_id', 'tickets.charge_id', 'ticket_refunds.idempotency_key', 'ticket_refunds.reason', 'ticket_refunds.status as refund_status'])
      .where('tickets.id', '=', ticketId)
      .executeTakeFirst();
    if (!row || row.refund_status !== 'pending') return;
    if (row.status === 'refunded') {
      await this.#db.transaction().execute((trx) => finishRefundIn(trx, ticketId, null));
      return;
    }
    if (row.status === 'disputed') return this.#fail(ticketId, 'The charge is disputed: the bank returns the money.');
    if (!row.payment_intent_id && !row.charge_id) return this.#fail(ticketId, 'The ticket has no payment to refund.');
    await this.#db
      .updateTable('ticket_refunds')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), updated_at: new Date() }))
      .where('ticket_id', '=', ticketId)
      .execute();
    let refundId: string | null;
    try {
      ({ refundId } = await this.#gateway.refund({ paymentIntentId: row.payment_intent_id, chargeId: row.charge_id, ticketId, reason: row.reason }, row.idempotency_key));
    } catch (error) {
      if (error instanceof RefundRefused && error.why === 'already-refunded') refundId = null;
      else if (error instanceof RefundRefused) return this.#fail(ticketId, error.message);
      else {
        const message = error instanceof Error ? error.message : String(error);
        await this.#db.updateTable('ticket_refunds').set({ last_error: message.slice(0, 500) }).where('ticket_id', '=', ticketId).execute();
        throw error;
      }
    }
    const moved = await this.#db.transaction().execute((trx) => finishRefundIn(trx, ticketId, refundId));
    if (moved) this.#onRevoked(moved);
  }

  async #fail(ticketId: string, why: string): Promise<void> {
    this.#log.warn({ ticketId, why }, 'refund not possible');
    await this.#db.updateTable('ticket_refunds').set({ status: 'failed', last_error: why, updated_at: new Date() }).where('ticket_id', '=', ticketId).where('status', '=', 'pending').execute();
  }

  /** The refund check of a ticketed Space (a durable job): no-show, then failed-early. */
  async check(spaceId: string): Promise<Verdict> {
    const space = await this.#spaceForRefunds(spaceId);
    if (!space) return { action: 'keep' };
    const now = this.#now();
    let verdict: Verdict = noShowVerdict(space, this.#policy, now);
    if (space.startedAt !== null && verdict.action === 'keep') {
      const decideAt = new Date(space.startedAt.getTime() + this.#policy.minimumShare * (space.plannedMinutes ?? this.#defaultPlanned) * 60_000);
      if (space.status === 'ended') verdict = endVerdict({ ...space, plannedMinutes: space.plannedMinutes ?? this.#defaultPlanned }, this.#policy);
      else if (now.getTime() < decideAt.getTime()) verdict = { action: 'check-later', at: decideAt };
    }
    if (verdict.action === 'refund-all') await this.refundSpace(spaceId, verdict.reason);
    else if (verdict.action === 'check-later') {
      const key = space.startedAt ? failureCheckKey(spaceId, space.startedAt) : noShowCheckKey(spaceId, space.scheduledFor ?? verdict.at);
      await this.#jobs.send<RefundCheckJob>(REFUND_CHECK_QUEUE, { spaceId }, { key, startAfter: verdict.at });
    }
    return verdict;
  }

  /** The Space with its refund terms (planned length, when it last moved). */
  #spaceWithTerms(spaceId: string) {
    return this.#db
      .selectFrom('spaces')
      .leftJoin('ticket_refund_terms', 'ticket_refund_terms.space_id', 'spaces.id')
      .select(['spaces.status', 'spaces.scheduled_for', 'spaces.started_at', 'spaces.ended_at', 'spaces.end_reason', 'ticket_refund_terms.planned_minutes', 'ticket_refund_terms.rescheduled_at'])
      .where('spaces.id', '=', spaceId)
      .executeTakeFirst();
  }

  async #spaceForRefunds(spaceId: string): Promise<SpaceForRefunds | null> {
    const row = await this.#spaceWithTerms(spaceId);
    if (!row) return null;
    return { status: row.status, scheduledFor: row.scheduled_for, startedAt: row.started_at, endedAt: row.ended_at, endReason: row.end_reason, plannedMinutes: row.planned_minutes };
  }

  /** The Space moved: tickets stay; buyers may ask for a refund within the window; the no-show check follows the new start. */
  async spaceMoved(spaceId: string, startsAt: Date): Promise<void> {
    const hasTickets = await this.#db.selectFrom('tickets').select('id').where('space_id', '=', spaceId).where('status', '=', 'paid').executeTakeFirst();
    if (!hasTickets) return;
    await this.#putTerms(spaceId, { rescheduled_at: this.#now() });
    await this.#jobs.send<RefundCheckJob>(REFUND_CHECK_QUEUE, { spaceId }, { key: noShowCheckKey(spaceId, startsAt), startAfter: new Date(startsAt.getTime() + this.#policy.noShowGraceMs) });
  }

  /** What a buyer's ticket allows after a move: whether they may ask for a refund, until when. */
  async buyerRefundState(accountId: string, spaceId: string): Promise<{ ticketStatus: string | null; rescheduledAt: Date | null; deadline: Date | null; mayAsk: boolean; why: string | null }> {
    const { ticket, space } = await this.#buyerRefundInputs(accountId, spaceId);
    const refusal = ticket ? rescheduleRefundRefusal(ticket, space, this.#policy, this.#now()) : 'not-refundable';
    return {
      ticketStatus: ticket?.raw ?? null,
      rescheduledAt: space.rescheduledAt,
      deadline: space.rescheduledAt ? rescheduleRefundDeadline(space.rescheduledAt, this.#policy) : null,
      mayAsk: refusal === null,
      why: refusal ? RESCHEDULE_REFUSAL_MESSAGES[refusal] : null,
    };
  }

  /** A buyer asks for their refund after the Space moved (within the window). */
  async askRefund(accountId: string, spaceId: string): Promise<void> {
    const { ticket, space } = await this.#buyerRefundInputs(accountId, spaceId);
    if (!ticket) throw new NotFoundError('You have no ticket for this Space.');
    const refusal = rescheduleRefundRefusal(ticket, space, this.#policy, this.#now());
    if (refusal) throw new InvalidStateError(RESCHEDULE_REFUSAL_MESSAGES[refusal]);
    await this.#db.transaction().execute(async (trx) => {
      const locked = await trx.selectFrom('tickets').select(['id', 'amount', 'status']).where('id', '=', ticket.id).forUpdate().executeTakeFirstOrThrow();
      if (locked.status !== 'paid') throw new InvalidStateError(RESCHEDULE_REFUSAL_MESSAGES['not-refundable']);
      await startRefundIn(trx, this.#jobs, locked, 'buyer-asked');
    });
  }

  async #buyerRefundInputs(accountId: string, spaceId: string) {
    const space = await this.#spaceWithTerms(spaceId);
    if (!space) throw new NotFoundError('No such Space.');
    const row = await this.#db.selectFrom('tickets').select(['id', 'status', 'created_at']).where('space_id', '=', spaceId).where('account_id', '=', accountId).orderBy('created_at', 'desc').executeTakeFirst();
    const ticket = row
      ? { id: row.id, raw: row.status, status: row.status === 'paid' ? ('paid' as const) : row.status === 'refunding' ? ('refund-pending' as const) : row.status, paidAt: row.created_at }
      : null;
    return { ticket, space: { status: space.status, rescheduledAt: space.rescheduled_at } };
  }

  /** The host gives the Space's planned length (the failed-early rule measures against it). */
  async setPlannedMinutes(hostAccountId: string, spaceId: string, minutes: number): Promise<void> {
    const space = await this.#db.selectFrom('spaces').select(['host_account_id', 'status']).where('id', '=', spaceId).executeTakeFirst();
    if (!space) throw new NotFoundError('No such Space.');
    if (space.host_account_id !== hostAccountId) throw new PermissionError('Only the host sets the planned length.');
    if (space.status !== 'scheduled') throw new InvalidStateError('The planned length is set before the Space starts.');
    await this.#putTerms(spaceId, { planned_minutes: minutes });
  }

  /** Sets one of the Space's refund terms (its row made on first use). */
  async #putTerms(spaceId: string, terms: { rescheduled_at: Date } | { planned_minutes: number }): Promise<void> {
    const set = { ...terms, updated_at: this.#now() };
    await this.#db
      .insertInto('ticket_refund_terms')
      .values({ space_id: spaceId, ...set })
      .onConflict((oc) => oc.column('space_id').doUpdateSet(set))
      .execute();
  }
}
