/**
 * Ticketed Spaces in the database: hosts' Stripe accounts, offers, seat holds and tickets.
 * The same statements on PGlite and PostgreSQL.
 *
 * Never oversold: a seat is held by one atomic `UPDATE ticket_offers SET held = held + 1 WHERE
 * sold + held < capacity` (notes/database.md: exactly `capacity` winners under any concurrency on
 * both backends), and the table's check constraint `sold + held <= capacity` refuses anything else.
 * Every change of a hold (completed, released) moves the counters in the same short transaction,
 * and is idempotent: a second call for the same checkout finds the hold already moved and does nothing.
 * No transaction here ever waits for Stripe.
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import { applyOfferChange, assertMayWithdraw, platformFee, soldOut, type Offer, type OfferTerms } from '../domain/ticketing.ts';
import { InvalidStateError, NotFoundError } from '../errors.ts';
import type { Db } from './database.ts';
import type { SeatHoldStatus, SeatHoldsTable, StripeAccountsTable, Tables, TicketOffersTable, TicketsTable, TicketStatus } from './schema.ts';

export type StoredOffer = Offer & { spaceId: string; hostAccountId: string; createdAt: Date; updatedAt: Date };

export type StoredHold = {
  id: string;
  spaceId: string;
  accountId: string;
  status: SeatHoldStatus;
  checkoutSessionId: string | null;
  checkoutUrl: string | null;
  expiresAt: Date;
  releaseReason: string | null;
  createdAt: Date;
};

export type StoredTicket = {
  id: string;
  spaceId: string;
  accountId: string;
  holdId: string;
  checkoutSessionId: string;
  paymentIntentId: string | null;
  chargeId: string | null;
  status: TicketStatus;
  currency: string;
  amount: number;
  platformFee: number;
  refundedAmount: number;
  createdAt: Date;
};

/** What Stripe says of a connected account, as stored. */
type StripeAccountFacts = {
  stripeAccountId: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  requirementsDue: string[];
  disabledReason: string | null;
  defaultCurrency: string | null;
  country: string | null;
};

export type StoredStripeAccount = StripeAccountFacts & { accountId: string; stripeUpdatedAt: Date | null };

/** What Stripe says of a connected account (from `accounts.retrieve` or an `account.updated` event). */
export type StripeAccountState = StripeAccountFacts & {
  /** When Stripe described it (an event's `created`); an older description never overwrites a newer one. */
  describedAt: Date;
};

/** The outcome of a paid checkout: a ticket (new, or the one an earlier call made), or no seat left for it. */
export type CompletedCheckout =
  | { kind: 'ticket'; ticket: StoredTicket; created: boolean }
  /** The hold had been released (expired) before the payment arrived and every seat is taken: refund it. */
  | { kind: 'no-seat'; hold: StoredHold }
  | { kind: 'unknown-session' };

function toOffer(row: Selectable<TicketOffersTable>): StoredOffer {
  return {
    spaceId: row.space_id,
    hostAccountId: row.host_account_id,
    currency: row.currency,
    amount: row.amount,
    capacity: row.capacity,
    sold: row.sold,
    held: row.held,
    salesOpenAt: row.sales_open_at,
    salesCloseAt: row.sales_close_at,
    platformFeeBps: row.platform_fee_bps,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toHold(row: Selectable<SeatHoldsTable>): StoredHold {
  return {
    id: row.id,
    spaceId: row.space_id,
    accountId: row.account_id,
    status: row.status,
    checkoutSessionId: row.checkout_session_id,
    checkoutUrl: row.checkout_url,
    expiresAt: row.expires_at,
    releaseReason: row.release_reason,
    createdAt: row.created_at,
  };
}

export function toTicket(row: Selectable<TicketsTable>): StoredTicket {
  return {
    id: row.id,
    spaceId: row.space_id,
    accountId: row.account_id,
    holdId: row.hold_id,
    checkoutSessionId: row.checkout_session_id,
    paymentIntentId: row.payment_intent_id,
    chargeId: row.charge_id,
    status: row.status,
    currency: row.currency,
    amount: row.amount,
    platformFee: row.platform_fee,
    refundedAmount: row.refunded_amount,
    createdAt: row.created_at,
  };
}

/** A unique index refused the insert (PostgreSQL's 23505, on both backends). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** The hold's seat goes back: hold → released, `held - 1`, in the caller's transaction. Null when it was not open. */
async function releaseIn(trx: Trx, where: { holdId?: string; sessionId?: string }, reason: string): Promise<StoredHold | null> {
  let query = trx
    .updateTable('seat_holds')
    .set({ status: 'released', release_reason: reason, updated_at: new Date() })
    .where('status', 'in', ['held', 'awaiting_payment']);
  if (where.holdId) query = query.where('id', '=', where.holdId);
  else if (where.sessionId) query = query.where('checkout_session_id', '=', where.sessionId);
  else return null;
  const row = await query.returningAll().executeTakeFirst();
  if (!row) return null;
  await trx.updateTable('ticket_offers').set({ held: sql<number>`held - 1` }).where('space_id', '=', row.space_id).execute();
  return toHold(row);
}

type Trx = Transaction<Tables>;

export class KyselyTicketRecords {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  // ── Hosts' Stripe accounts ──────────────────────────────────────────────

  async stripeAccount(accountId: string): Promise<StoredStripeAccount | null> {
    const row = await this.#db.selectFrom('stripe_accounts').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    return row ? toStripeAccount(row) : null;
  }

  async stripeAccountByStripeId(stripeAccountId: string): Promise<StoredStripeAccount | null> {
    const row = await this.#db.selectFrom('stripe_accounts').selectAll().where('stripe_account_id', '=', stripeAccountId).executeTakeFirst();
    return row ? toStripeAccount(row) : null;
  }

  /** Links a Stripe account to an account; the first link wins (a second call returns the stored one). */
  async linkStripeAccount(accountId: string, stripeAccountId: string): Promise<StoredStripeAccount> {
    await this.#db.insertInto('stripe_accounts').values({ account_id: accountId, stripe_account_id: stripeAccountId }).onConflict((oc) => oc.column('account_id').doNothing()).execute();
    return (await this.stripeAccount(accountId))!;
  }

  /** Applies what Stripe says of an account unless a newer description is stored already. Null for an account we do not know. */
  async applyStripeAccountState(state: StripeAccountState): Promise<StoredStripeAccount | null> {
    const row = await this.#db
      .updateTable('stripe_accounts')
      .set({
        charges_enabled: state.chargesEnabled,
        payouts_enabled: state.payoutsEnabled,
        details_submitted: state.detailsSubmitted,
        requirements_due: JSON.stringify(state.requirementsDue),
        disabled_reason: state.disabledReason,
        default_currency: state.defaultCurrency,
        country: state.country,
        stripe_updated_at: state.describedAt,
        updated_at: new Date(),
      })
      .where('stripe_account_id', '=', state.stripeAccountId)
      .where((eb) => eb.or([eb('stripe_updated_at', 'is', null), eb('stripe_updated_at', '<=', state.describedAt)]))
      .returningAll()
      .executeTakeFirst();
    return row ? toStripeAccount(row) : this.stripeAccountByStripeId(state.stripeAccountId);
  }

  // ── Offers ──────────────────────────────────────────────────────────────

  async offer(spaceId: string, trx?: Trx): Promise<StoredOffer | null> {
    const row = await (trx ?? this.#db).selectFrom('ticket_offers').selectAll().where('space_id', '=', spaceId).executeTakeFirst();
    return row ? toOffer(row) : null;
  }

  /**
   * Creates the Space's offer or changes it under a row lock, by the rules of `applyOfferChange`
   * (after the first sale the price is fixed). `feeBps` is fixed when the offer is created.
   */
  async putOffer(input: { spaceId: string; hostAccountId: string; terms: Partial<OfferTerms>; create: OfferTerms | null; feeBps: number; now: Date }): Promise<StoredOffer> {
    return this.#db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('ticket_offers').selectAll().where('space_id', '=', input.spaceId).forUpdate().executeTakeFirst();
      if (!current) {
        if (!input.create) throw new NotFoundError('This Space has no tickets yet: give a currency, price and count first.');
        const row = await trx
          .insertInto('ticket_offers')
          .values({
            space_id: input.spaceId,
            host_account_id: input.hostAccountId,
            currency: input.create.currency,
            amount: input.create.amount,
            capacity: input.create.capacity,
            sales_open_at: input.create.salesOpenAt,
            sales_close_at: input.create.salesCloseAt,
            platform_fee_bps: input.feeBps,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toOffer(row);
      }
      const next = applyOfferChange(toOffer(current), input.terms, input.now);
      const row = await trx
        .updateTable('ticket_offers')
        .set({
          currency: next.currency,
          amount: next.amount,
          capacity: next.capacity,
          sales_open_at: next.salesOpenAt,
          sales_close_at: next.salesCloseAt,
          updated_at: input.now,
        })
        .where('space_id', '=', input.spaceId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOffer(row);
    });
  }

  /** Makes the Space free again: only before any sale (and while no checkout runs). */
  async withdrawOffer(spaceId: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('ticket_offers').selectAll().where('space_id', '=', spaceId).forUpdate().executeTakeFirst();
      if (!current) return;
      assertMayWithdraw(toOffer(current));
      await trx.deleteFrom('seat_holds').where('space_id', '=', spaceId).where('status', '=', 'released').execute();
      await trx.deleteFrom('ticket_offers').where('space_id', '=', spaceId).execute();
    });
  }

  // ── Seat holds ──────────────────────────────────────────────────────────
  // Methods that change a hold take an optional transaction: the webhook processor applies an
  // event's effect inside the transaction that records the event; alone, each runs in its own.

  /** Runs `work` in the caller's transaction, or in a short one of its own. */
  #within<T>(trx: Trx | undefined, work: (trx: Trx) => Promise<T>): Promise<T> {
    return trx ? work(trx) : this.#db.transaction().execute(work);
  }

  /** The account's open hold (held or awaiting payment) for the Space, if any. */
  async openHold(spaceId: string, accountId: string, trx?: Trx): Promise<StoredHold | null> {
    const row = await (trx ?? this.#db)
      .selectFrom('seat_holds')
      .selectAll()
      .where('space_id', '=', spaceId)
      .where('account_id', '=', accountId)
      .where('status', 'in', ['held', 'awaiting_payment'])
      .executeTakeFirst();
    return row ? toHold(row) : null;
  }

  /** The hold of Stripe's checkout session; inside a transaction it is locked until that transaction ends. */
  async holdBySession(sessionId: string, trx?: Trx): Promise<StoredHold | null> {
    const query = (trx ?? this.#db).selectFrom('seat_holds').selectAll().where('checkout_session_id', '=', sessionId);
    const row = await (trx ? query.forUpdate() : query).executeTakeFirst();
    return row ? toHold(row) : null;
  }

  async hold(holdId: string): Promise<StoredHold | null> {
    const row = await this.#db.selectFrom('seat_holds').selectAll().where('id', '=', holdId).executeTakeFirst();
    return row ? toHold(row) : null;
  }

  /**
   * Takes one seat for the account's checkout: SOLD_OUT when none is left, the existing hold
   * (`created: false`) when the account already has one open. One short transaction, in which
   * `alsoInTransaction` runs for a new hold (its expiry job is queued there: no hold without one).
   */
  async holdSeat(input: { spaceId: string; accountId: string; expiresAt: Date; alsoInTransaction?: (trx: Trx, hold: StoredHold) => Promise<unknown> }): Promise<{ hold: StoredHold; created: boolean }> {
    try {
      return await this.#db.transaction().execute(async (trx) => {
        const seat = await trx
          .updateTable('ticket_offers')
          .set({ held: sql<number>`held + 1` })
          .where('space_id', '=', input.spaceId)
          .where(sql<boolean>`sold + held < capacity`)
          .returning('space_id')
          .executeTakeFirst();
        if (!seat) {
          const existing = await this.openHold(input.spaceId, input.accountId, trx);
          if (existing) return { hold: existing, created: false };
          if (!(await this.offer(input.spaceId, trx))) throw new NotFoundError('This Space has no tickets for sale.');
          throw soldOut();
        }
        const row = await trx
          .insertInto('seat_holds')
          .values({ space_id: input.spaceId, account_id: input.accountId, expires_at: input.expiresAt })
          .returningAll()
          .executeTakeFirstOrThrow();
        const hold = toHold(row);
        await input.alsoInTransaction?.(trx, hold);
        return { hold, created: true };
      });
    } catch (error) {
      // The account already has an open hold: the insert failed and the whole transaction (the seat too) rolled back.
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.openHold(input.spaceId, input.accountId);
      if (existing) return { hold: existing, created: false };
      throw new InvalidStateError('Another checkout of yours for this Space just changed; try again.');
    }
  }

  /** Records Stripe's checkout for a hold (only while it is held). */
  async attachCheckout(holdId: string, sessionId: string, url: string | null): Promise<StoredHold | null> {
    const row = await this.#db
      .updateTable('seat_holds')
      .set({ checkout_session_id: sessionId, checkout_url: url, updated_at: new Date() })
      .where('id', '=', holdId)
      .where('status', '=', 'held')
      .returningAll()
      .executeTakeFirst();
    return row ? toHold(row) : null;
  }

  /** Gives the hold's seat back (checkout expired, failed, or never created). Idempotent: null when it was not open. */
  async releaseHold(holdId: string, reason: string, trx?: Trx): Promise<StoredHold | null> {
    return this.#within(trx, (t) => releaseIn(t, { holdId }, reason));
  }

  /** The same by Stripe's checkout session id (`checkout.session.expired`, async payment failed). */
  async releaseHoldBySession(sessionId: string, reason: string, trx?: Trx): Promise<StoredHold | null> {
    return this.#within(trx, (t) => releaseIn(t, { sessionId }, reason));
  }

  /** The checkout completed but its payment is still on its way (bank debits): the seat stays held past the checkout's expiry. */
  async markAwaitingPayment(sessionId: string, trx?: Trx): Promise<StoredHold | null> {
    const row = await (trx ?? this.#db)
      .updateTable('seat_holds')
      .set({ status: 'awaiting_payment', updated_at: new Date() })
      .where('checkout_session_id', '=', sessionId)
      .where('status', '=', 'held')
      .returningAll()
      .executeTakeFirst();
    return row ? toHold(row) : this.holdBySession(sessionId, trx);
  }

  /**
   * The checkout is paid: its hold becomes a ticket (`held - 1, sold + 1`) in one transaction.
   * Idempotent: a second call returns the ticket the first made. A hold released before the payment
   * arrived takes a free seat if one is left, else answers `no-seat` (the caller refunds).
   */
  async completeCheckout(input: { sessionId: string; paymentIntentId: string | null; chargeId?: string | null }, trx?: Trx): Promise<CompletedCheckout> {
    return this.#within(trx, async (t): Promise<CompletedCheckout> => {
      const hold = await this.holdBySession(input.sessionId, t);
      if (!hold) return { kind: 'unknown-session' };
      const existing = await this.ticketOfCheckout(input, t);
      if (existing) return { kind: 'ticket', ticket: existing, created: false };
      // Released (expired) before the payment arrived: it needs a free seat now.
      const open = hold.status === 'held' || hold.status === 'awaiting_payment';
      if ((await this.moveSeat(hold.spaceId, open ? 'sell' : 'retake', t)) === null) return { kind: 'no-seat', hold };
      const offer = await this.offer(hold.spaceId, t);
      if (!offer) throw new NotFoundError('This Space has no tickets for sale.');
      const ticket = await this.issueTicket({ hold, offer, sessionId: input.sessionId, paymentIntentId: input.paymentIntentId, chargeId: input.chargeId ?? null, status: 'paid' }, t);
      return { kind: 'ticket', ticket, created: true };
    });
  }

  /** The ticket this checkout made, if any, with the payment ids it lacked filled in. */
  async ticketOfCheckout(input: { sessionId: string; paymentIntentId: string | null; chargeId?: string | null }, trx: Trx): Promise<StoredTicket | null> {
    const existing = await trx.selectFrom('tickets').selectAll().where('checkout_session_id', '=', input.sessionId).executeTakeFirst();
    if (!existing) return null;
    if ((!existing.payment_intent_id && input.paymentIntentId) || (!existing.charge_id && input.chargeId)) {
      const row = await trx
        .updateTable('tickets')
        .set({ payment_intent_id: existing.payment_intent_id ?? input.paymentIntentId, charge_id: existing.charge_id ?? input.chargeId ?? null, updated_at: new Date() })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toTicket(row);
    }
    return toTicket(existing);
  }

  /**
   * Moves the Space's seat counters for a paid checkout: `sell` (held → sold), `release` (held →
   * free), `retake` (free → sold, only while a seat is left). Returns the number sold after it,
   * null when `retake` found no seat.
   */
  async moveSeat(spaceId: string, move: 'sell' | 'release' | 'retake', trx: Trx): Promise<number | null> {
    const query = trx.updateTable('ticket_offers').where('space_id', '=', spaceId);
    const row = await (move === 'sell'
      ? query.set({ held: sql<number>`held - 1`, sold: sql<number>`sold + 1` })
      : move === 'release'
        ? query.set({ held: sql<number>`held - 1` })
        : query.set({ sold: sql<number>`sold + 1` }).where(sql<boolean>`sold + held < capacity`)
    )
      .returning('sold')
      .executeTakeFirst();
    return row ? row.sold : null;
  }

  /** The hold becomes a ticket at the offer's price (the seat counters are the caller's, see `moveSeat`). */
  async issueTicket(input: { hold: StoredHold; offer: StoredOffer; sessionId: string; paymentIntentId: string | null; chargeId: string | null; status: TicketStatus }, trx: Trx): Promise<StoredTicket> {
    const { hold, offer } = input;
    await trx.updateTable('seat_holds').set({ status: 'completed', updated_at: new Date() }).where('id', '=', hold.id).execute();
    const row = await trx
      .insertInto('tickets')
      .values({
        space_id: hold.spaceId,
        account_id: hold.accountId,
        hold_id: hold.id,
        checkout_session_id: input.sessionId,
        payment_intent_id: input.paymentIntentId,
        charge_id: input.chargeId,
        status: input.status,
        currency: offer.currency,
        amount: offer.amount,
        platform_fee: platformFee(offer.amount, offer.platformFeeBps),
        ...(input.status === 'refunded' ? { refunded_amount: offer.amount } : {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toTicket(row);
  }

  /** Holds still `held` (a checkout open or never opened), by id after `afterId`: for the start-up catch-up of their expiry jobs. */
  async heldHolds(afterId: string | null, limit: number): Promise<StoredHold[]> {
    let query = this.#db.selectFrom('seat_holds').selectAll().where('status', '=', 'held');
    if (afterId) query = query.where('id', '>', afterId);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map(toHold);
  }

  // ── Tickets ─────────────────────────────────────────────────────────────

  /** The account's ticket for the Space that lets it listen (paid), if any. */
  async validTicket(spaceId: string, accountId: string): Promise<StoredTicket | null> {
    const row = await this.#db.selectFrom('tickets').selectAll().where('space_id', '=', spaceId).where('account_id', '=', accountId).where('status', '=', 'paid').executeTakeFirst();
    return row ? toTicket(row) : null;
  }

  /** The account's latest ticket for the Space in any state (refunded included), if any. */
  async latestTicket(spaceId: string, accountId: string): Promise<StoredTicket | null> {
    const row = await this.#db.selectFrom('tickets').selectAll().where('space_id', '=', spaceId).where('account_id', '=', accountId).orderBy('created_at', 'desc').executeTakeFirst();
    return row ? toTicket(row) : null;
  }

  /** The account's ticket for the Space that is not refunded (paid, refunding or disputed), if any. */
  async unrefundedTicket(spaceId: string, accountId: string, trx?: Trx): Promise<StoredTicket | null> {
    const row = await (trx ?? this.#db).selectFrom('tickets').selectAll().where('space_id', '=', spaceId).where('account_id', '=', accountId).where('status', '<>', 'refunded').executeTakeFirst();
    return row ? toTicket(row) : null;
  }

  async ticketsOf(spaceId: string): Promise<StoredTicket[]> {
    const rows = await this.#db.selectFrom('tickets').selectAll().where('space_id', '=', spaceId).orderBy('created_at').execute();
    return rows.map(toTicket);
  }
}

function toStripeAccount(row: Selectable<StripeAccountsTable>): StoredStripeAccount {
  const due = Array.isArray(row.requirements_due) ? row.requirements_due.filter((item): item is string => typeof item === 'string') : [];
  return {
    accountId: row.account_id,
    stripeAccountId: row.stripe_account_id,
    chargesEnabled: row.charges_enabled,
    payoutsEnabled: row.payouts_enabled,
    detailsSubmitted: row.details_submitted,
    requirementsDue: due,
    disabledReason: row.disabled_reason,
    defaultCurrency: row.default_currency,
    country: row.country,
    stripeUpdatedAt: row.stripe_updated_at,
  };
}
