/**
 * Selling tickets: a host connects payouts (a Stripe Connect Express account) and prices a Space;
 * a signed-in listener starts a checkout, which holds a seat first (one atomic statement, see
 * ticket-store.ts) and only then asks Stripe for a Checkout Session (never inside a transaction);
 * a failed Stripe call gives the seat back. The checkout's end is learnt from Stripe's webhooks
 * (the webhook processor calls the ticket store in its event's transaction) and, as a second path,
 * when the buyer comes back to the Space's page (`confirmCheckout` reads the session from Stripe).
 * Both are idempotent: whichever comes first makes the ticket, the other finds it made.
 *
 * Every hold's expiry is a durable job (queued in the transaction that makes the hold, keyed by the
 * hold, due at its expiry plus a grace): it asks Stripe what became of the checkout and completes
 * the sale or gives the seat back, so a payment made in the last second is never lost and a seat
 * never stays held, even when the server was down at the time and no webhook came.
 *
 * Limits per account (in memory): checkouts started and payout set-ups per minute.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type Stripe from 'stripe';
import type { Db } from '../db/database.ts';
import { KyselyStageRecords } from '../db/space-store.ts';
import { KyselyTicketRecords, type StoredHold, type StoredOffer, type StoredStripeAccount } from '../db/ticket-store.ts';
import type { Account } from '../domain/account.ts';
import type { SpaceId, SpaceStatus } from '../domain/space.ts';
import { assertOnSale, assertPriceable, formatAmount, holdExpiry, platformFee, salesState, validateNewOffer, type OfferTerms, type SalesState } from '../domain/ticketing.ts';
import { InvalidStateError, NotFoundError, PermissionError, SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { take } from '../signalling/limits.ts';
import type { SpaceRecords } from '../spaces/space-records.ts';
import type { PaymentJobs } from './refund-ledger.ts';
import { paymentsUnavailable, type StripeClient } from './stripe-client.ts';

export type PayoutStatus = {
  /** Stripe is configured on this server. */
  available: boolean;
  connected: boolean;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  /** What Stripe still needs before charges are enabled (Stripe's requirement names). */
  requirementsDue: string[];
  defaultCurrency: string | null;
};

/** A ticketed Space as anyone sees it, plus the caller's own ticket or checkout. */
export type PublicOffer = {
  spaceId: string;
  currency: string;
  amount: number;
  price: string;
  capacity: number;
  sold: number;
  held: number;
  left: number;
  salesOpenAt: Date | null;
  salesCloseAt: Date | null;
  /** `payments-unavailable`: no Stripe on this server, or the host cannot take charges yet. */
  sales: SalesState | 'payments-unavailable';
  mine: { ticket: 'paid' | 'refunding' | 'refunded' | 'disputed' | null; checkout: { url: string | null; expiresAt: Date; status: 'held' | 'awaiting_payment' } | null } | null;
};

export type TicketSalesLimits = { checkoutsPerMinute: number; payoutSetupsPerMinute: number; changesPerMinute: number };
export const DEFAULT_TICKET_SALES_LIMITS: TicketSalesLimits = { checkoutsPerMinute: 10, payoutSetupsPerMinute: 10, changesPerMinute: 60 };

/** A hold's expiry job is due this long after its checkout ran out (Stripe's own `expired` webhook usually comes first). */
export const HOLD_EXPIRY_GRACE_MS = 2 * 60_000;
/** "This hold's checkout has run out: settle it with Stripe" (startAfter = its expiry + the grace; key = the hold). */
export const HOLD_EXPIRY_QUEUE = 'tickets-hold-expiry';
export type HoldExpiryJob = { holdId: string };
/** Holds looked at per query by the start-up catch-up. */
const CATCH_UP_PAGE = 500;

export class TicketSales {
  readonly records: KyselyTicketRecords;
  readonly #stripe: StripeClient | null;
  readonly #spaces: SpaceRecords;
  readonly #stage: KyselyStageRecords;
  readonly #feeBps: number;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #checkouts: RateLimiterMemory;
  readonly #setups: RateLimiterMemory;
  readonly #changes: RateLimiterMemory;
  readonly #jobs: PaymentJobs;

  constructor(deps: { db: Db; jobs: PaymentJobs; stripe: StripeClient | null; spaces: SpaceRecords; platformFeeBps: number; logger: Logger; limits?: TicketSalesLimits; now?: () => Date }) {
    this.records = new KyselyTicketRecords(deps.db);
    this.#jobs = deps.jobs;
    this.#stage = new KyselyStageRecords(deps.db);
    this.#stripe = deps.stripe;
    this.#spaces = deps.spaces;
    this.#feeBps = deps.platformFeeBps;
    this.#log = deps.logger.child({ module: 'ticket-sales' });
    this.#now = deps.now ?? (() => new Date());
    const limits = deps.limits ?? DEFAULT_TICKET_SALES_LIMITS;
    this.#checkouts = new RateLimiterMemory({ keyPrefix: 'ticket-checkout', points: limits.checkoutsPerMinute, duration: 60 });
    this.#setups = new RateLimiterMemory({ keyPrefix: 'payout-setup', points: limits.payoutSetupsPerMinute, duration: 60 });
    this.#changes = new RateLimiterMemory({ keyPrefix: 'ticket-change', points: limits.changesPerMinute, duration: 60 });
  }

  get available(): boolean {
    return this.#stripe !== null;
  }

  #requireStripe(): StripeClient {
    if (!this.#stripe) throw paymentsUnavailable();
    return this.#stripe;
  }

  // ── Payouts (the host's connected account) ─────────────────────────────

  async payoutStatus(me: Account): Promise<PayoutStatus> {
    let stored = await this.records.stripeAccount(me.id);
    if (stored && this.#stripe) stored = await this.#refreshAccount(this.#stripe, stored);
    return payoutJson(this.#stripe !== null, stored);
  }

  /** Creates the host's Express account (once) and a fresh onboarding link to Stripe's hosted pages. */
  async connectPayouts(me: Account, urls: { returnUrl: string; refreshUrl: string }): Promise<{ url: string; status: PayoutStatus }> {
    const stripe = this.#requireStripe();
    await take(this.#setups, me.id, 'Too many payout set-ups; wait a minute.');
    let stored = await this.records.stripeAccount(me.id);
    if (!stored) {
      // Keyed by the account: a retry (or a second tab) gets the same Stripe account back.
      const created = await stripe.createExpressAccount(me.id, `connect-${me.id}`);
      stored = await this.records.linkStripeAccount(me.id, created.id);
      stored = (await this.records.applyStripeAccountState(accountState(created, this.#now()))) ?? stored;
    }
    const link = await stripe.createOnboardingLink(stored.stripeAccountId, urls.refreshUrl, urls.returnUrl);
    return { url: link.url, status: payoutJson(true, stored) };
  }

  async #refreshAccount(stripe: StripeClient, stored: StoredStripeAccount): Promise<StoredStripeAccount> {
    try {
      const fresh = await stripe.retrieveAccount(stored.stripeAccountId);
      return (await this.records.applyStripeAccountState(accountState(fresh, this.#now()))) ?? stored;
    } catch (error) {
      // Stripe unreachable: what the last webhook said stands.
      this.#log.warn({ err: error }, 'could not refresh a payout account; showing the stored state');
      return stored;
    }
  }

  // ── Pricing ─────────────────────────────────────────────────────────────

  async #hostedSpace(me: Account, spaceId: string, action: string) {
    const space = await this.#spaces.get(spaceId as SpaceId);
    if (!space) throw new NotFoundError('There is no Space with that id.');
    if (space.hostAccountId !== me.id) throw new PermissionError(`Only the host can ${action} this Space.`);
    return space;
  }

  /** Prices the Space (first time: currency, amount and count needed) or changes its price by the rules. */
  async setOffer(me: Account, spaceId: string, terms: Partial<OfferTerms>): Promise<StoredOffer> {
    this.#requireStripe();
    await take(this.#changes, me.id, 'Too many ticket changes; wait a minute.');
    const space = await this.#hostedSpace(me, spaceId, 'price tickets for');
    assertPriceable(space.status);
    const now = this.#now();
    const existing = await this.records.offer(spaceId);
    let create: OfferTerms | null = null;
    if (!existing) {
      const payouts = await this.records.stripeAccount(me.id);
      if (!payouts) throw new InvalidStateError('Connect payouts (Stripe) before selling tickets: buyers pay into your Stripe account.');
      if (terms.currency === undefined || terms.amount === undefined || terms.capacity === undefined) {
        throw new SpacecraftError('VALIDATION', 'A new ticket offer needs a currency, an amount and a number of tickets.', ['currency, amount, capacity: required']);
      }
      create = validateNewOffer({ currency: terms.currency, amount: terms.amount, capacity: terms.capacity, salesOpenAt: terms.salesOpenAt ?? null, salesCloseAt: terms.salesCloseAt ?? null }, now);
    }
    const offer = await this.records.putOffer({ spaceId, hostAccountId: me.id, terms, create, feeBps: this.#feeBps, now });
    this.#log.info({ spaceId, currency: offer.currency, amount: offer.amount, capacity: offer.capacity }, existing ? 'ticket offer changed' : 'ticket offer created');
    return offer;
  }

  async withdrawOffer(me: Account, spaceId: string): Promise<void> {
    await take(this.#changes, me.id, 'Too many ticket changes; wait a minute.');
    await this.#hostedSpace(me, spaceId, 'change tickets of');
    await this.records.withdrawOffer(spaceId);
  }

  /** The Space's offer as its page shows it (null: a free Space), with `me`'s ticket or checkout. */
  async publicOffer(spaceId: string, me: Account | null): Promise<PublicOffer | null> {
    const offer = await this.records.offer(spaceId);
    if (!offer) return null;
    const space = await this.#spaces.get(spaceId as SpaceId);
    const payouts = await this.records.stripeAccount(offer.hostAccountId);
    const status: SpaceStatus = space?.status ?? 'ended';
    let mine: PublicOffer['mine'] = null;
    if (me) {
      const [ticket, hold] = await Promise.all([this.records.latestTicket(spaceId, me.id), this.records.openHold(spaceId, me.id)]);
      mine = {
        ticket: ticket?.status ?? null,
        checkout: hold && hold.status !== 'completed' && hold.status !== 'released' ? { url: hold.checkoutUrl, expiresAt: hold.expiresAt, status: hold.status } : null,
      };
    }
    const state = salesState(offer, status, this.#now());
    return {
      spaceId,
      currency: offer.currency,
      amount: offer.amount,
      price: formatAmount(offer),
      capacity: offer.capacity,
      sold: offer.sold,
      held: offer.held,
      left: Math.max(0, offer.capacity - offer.sold - offer.held),
      salesOpenAt: offer.salesOpenAt,
      salesCloseAt: offer.salesCloseAt,
      sales: state === 'open' && (!this.#stripe || !payouts?.chargesEnabled) ? 'payments-unavailable' : state,
      mine,
    };
  }

  // ── Checkout ────────────────────────────────────────────────────────────

  /**
   * Holds a seat for `me` and opens a Stripe Checkout for it. An account with an open checkout for
   * this Space gets that checkout again; one with a ticket is told it has one.
   */
  async startCheckout(me: Account, spaceId: string, urls: { successUrl: string; cancelUrl: string }): Promise<{ url: string; sessionId: string; expiresAt: Date; reused: boolean }> {
    const stripe = this.#requireStripe();
    await take(this.#checkouts, me.id, 'Too many checkouts started; wait a minute.');
    const offer = await this.records.offer(spaceId);
    if (!offer) throw new NotFoundError('This Space is free: no ticket is needed.');
    const space = await this.#spaces.get(spaceId as SpaceId);
    if (!space) throw new NotFoundError('There is no Space with that id.');
    if (space.hostAccountId === me.id || (await this.#stage.roles(spaceId as SpaceId)).some((r) => r.accountId === me.id && r.role === 'cohost')) {
      throw new InvalidStateError('You host this Space: you need no ticket.');
    }
    if (await this.records.validTicket(spaceId, me.id)) throw new InvalidStateError('You already have a ticket for this Space.');
    const open = await this.records.openHold(spaceId, me.id);
    if (open) return this.#reuse(open);
    assertOnSale(offer, space.status, this.#now());
    let payouts = await this.records.stripeAccount(offer.hostAccountId);
    // Not enabled as far as we know: Stripe may have enabled it since (its account.updated not yet here).
    if (payouts && !payouts.chargesEnabled) payouts = await this.#refreshAccount(stripe, payouts);
    if (!payouts?.chargesEnabled) throw new SpacecraftError('SALES_CLOSED', 'The host has not finished setting up payouts, so tickets cannot be sold yet.');

    const { hold, created } = await this.records.holdSeat({
      spaceId,
      accountId: me.id,
      expiresAt: holdExpiry(this.#now()),
      alsoInTransaction: (trx, made) => this.#jobs.send<HoldExpiryJob>(HOLD_EXPIRY_QUEUE, { holdId: made.id }, { key: made.id, startAfter: expiryJobDue(made), trx }),
    });
    if (!created) return this.#reuse(hold);
    let session: Stripe.Checkout.Session;
    try {
      session = await stripe.createCheckout({
        spaceId,
        spaceTitle: space.title,
        buyerAccountId: me.id,
        holdId: hold.id,
        currency: offer.currency,
        amount: offer.amount,
        platformFee: platformFee(offer.amount, offer.platformFeeBps),
        destination: payouts.stripeAccountId,
        expiresAt: hold.expiresAt,
        successUrl: urls.successUrl,
        cancelUrl: urls.cancelUrl,
      });
    } catch (error) {
      await this.records.releaseHold(hold.id, 'checkout-failed');
      throw error;
    }
    const attached = await this.records.attachCheckout(hold.id, session.id, session.url);
    if (!attached || !session.url) {
      // The hold was released meanwhile (or Stripe gave no page): end the checkout rather than sell a seat we no longer hold.
      await this.records.releaseHold(hold.id, 'checkout-failed');
      await stripe.expireCheckout(session.id).catch((error: unknown) => this.#log.warn({ err: error, sessionId: session.id }, 'could not expire an orphaned checkout'));
      throw new InvalidStateError('That checkout could not be kept; please try again.');
    }
    this.#log.info({ spaceId, holdId: hold.id, sessionId: session.id }, 'checkout started');
    return { url: session.url, sessionId: session.id, expiresAt: hold.expiresAt, reused: false };
  }

  #reuse(hold: StoredHold): { url: string; sessionId: string; expiresAt: Date; reused: boolean } {
    if (hold.status === 'awaiting_payment') throw new InvalidStateError('Your payment for this Space is still being processed; your seat is kept until it clears.');
    if (!hold.checkoutUrl || !hold.checkoutSessionId) throw new InvalidStateError('Your checkout is being prepared; try again in a moment.');
    return { url: hold.checkoutUrl, sessionId: hold.checkoutSessionId, expiresAt: hold.expiresAt, reused: true };
  }

  /**
   * The buyer is back from Checkout: what Stripe says of that session decides (paid → ticket,
   * pending → kept, expired → seat released). Only the buyer may ask about their checkout.
   */
  async confirmCheckout(me: Account, spaceId: string, sessionId: string): Promise<PublicOffer | null> {
    const stripe = this.#requireStripe();
    const hold = await this.records.holdBySession(sessionId);
    if (!hold || hold.accountId !== me.id || hold.spaceId !== spaceId) throw new NotFoundError('There is no such checkout of yours for this Space.');
    if (hold.status === 'held' || hold.status === 'awaiting_payment') await this.#settle(stripe, hold, await stripe.retrieveCheckout(sessionId));
    return this.publicOffer(spaceId, me);
  }

  /** Applies what Stripe says of a hold's checkout. */
  async #settle(stripe: StripeClient, hold: StoredHold, session: Stripe.Checkout.Session): Promise<void> {
    if (session.status === 'complete' && (session.payment_status === 'paid' || session.payment_status === 'no_payment_required')) {
      const paymentIntentId = typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null);
      const done = await this.records.completeCheckout({ sessionId: session.id, paymentIntentId });
      if (done.kind === 'no-seat') this.#log.error({ sessionId: session.id }, 'a checkout was paid after its seat was given away: the webhook processor refunds it');
    } else if (session.status === 'complete') {
      await this.records.markAwaitingPayment(session.id);
    } else if (session.status === 'expired') {
      await this.records.releaseHold(hold.id, 'expired');
    } else if (expiryJobDue(hold).getTime() <= this.#now().getTime()) {
      // Still open past its expiry (a clock apart): end it at Stripe, then apply what it became.
      const after = await stripe.expireCheckout(session.id);
      if (after.status !== 'open') await this.#settle(stripe, hold, after);
    }
  }

  /**
   * A hold's expiry job: Stripe is asked what became of its checkout, and the sale is completed or
   * the seat given back, as `confirmCheckout` and the webhooks do (all three idempotent: whichever
   * comes first moves the hold, the others find it moved). A hold no longer `held` (completed,
   * released, or awaiting a bank payment whose own webhook decides) is left alone without asking
   * Stripe. Throws while the hold stays held, so the job retries with backoff.
   */
  async settleExpiredHold(holdId: string): Promise<void> {
    const hold = await this.records.hold(holdId);
    if (!hold || hold.status !== 'held') return;
    if (!hold.checkoutSessionId) {
      // Stripe never answered (or the server died before it did): no checkout was opened for it.
      await this.records.releaseHold(hold.id, 'checkout-failed');
      return;
    }
    const stripe = this.#requireStripe();
    await this.#settle(stripe, hold, await stripe.retrieveCheckout(hold.checkoutSessionId));
    if ((await this.records.hold(holdId))?.status === 'held') throw new Error(`seat hold ${holdId}: its checkout is still open at Stripe`);
  }

  /**
   * Registers the expiry worker (which creates its queue: on PGlite a queue must exist before a job
   * is sent inside an app transaction), then the start-up catch-up. Without Stripe no hold is made
   * and nothing runs: jobs left by a run with Stripe wait until it is configured again.
   */
  async start(): Promise<void> {
    if (!this.#stripe) return;
    // Stripe down for hours delays a hold's end, never loses it (backoff up to 10 minutes, hours of retries; Stripe's
    // own `checkout.session.expired` webhook, which Stripe retries for days, releases it too).
    await this.#jobs.work<HoldExpiryJob>(HOLD_EXPIRY_QUEUE, (job) => this.settleExpiredHold(job.holdId), { retryLimit: 50, retryDelaySeconds: 5, concurrency: 4, expireInSeconds: 120 });
    const queued = await this.catchUpExpiryJobs();
    if (queued > 0) this.#log.info({ holds: queued }, 'expiry jobs queued for seat holds that had none');
  }

  /**
   * Still needed for one case only: holds made before expiry jobs existed (a database from an
   * earlier version, whose holds its in-memory sweep would have settled) have no job. Every held
   * hold is sent its job under its own key, so for a hold made by this version the send is a no-op
   * (its job exists since the transaction that made the hold). Returns how many were queued.
   */
  async catchUpExpiryJobs(): Promise<number> {
    let queued = 0;
    let after: string | null = null;
    for (;;) {
      const holds = await this.records.heldHolds(after, CATCH_UP_PAGE);
      for (const hold of holds) {
        if ((await this.#jobs.send<HoldExpiryJob>(HOLD_EXPIRY_QUEUE, { holdId: hold.id }, { key: hold.id, startAfter: expiryJobDue(hold) })) !== null) queued += 1;
      }
      if (holds.length < CATCH_UP_PAGE) return queued;
      after = holds.at(-1)!.id;
    }
  }
}

/** When a hold's expiry job is due: its checkout's expiry plus the grace. */
function expiryJobDue(hold: StoredHold): Date {
  return new Date(hold.expiresAt.getTime() + HOLD_EXPIRY_GRACE_MS);
}

function accountState(account: Stripe.Account, describedAt: Date) {
  return {
    stripeAccountId: account.id,
    chargesEnabled: account.charges_enabled === true,
    payoutsEnabled: account.payouts_enabled === true,
    detailsSubmitted: account.details_submitted === true,
    requirementsDue: (account.requirements?.currently_due ?? []).filter((item): item is string => typeof item === 'string').slice(0, 100),
    disabledReason: account.requirements?.disabled_reason ?? null,
    defaultCurrency: account.default_currency ?? null,
    country: account.country ?? null,
    describedAt,
  };
}

export function payoutJson(available: boolean, stored: StoredStripeAccount | null): PayoutStatus {
  return {
    available,
    connected: stored !== null,
    chargesEnabled: stored?.chargesEnabled ?? false,
    payoutsEnabled: stored?.payoutsEnabled ?? false,
    detailsSubmitted: stored?.detailsSubmitted ?? false,
    requirementsDue: stored?.requirementsDue ?? [],
    defaultCurrency: stored?.defaultCurrency ?? null,
  };
}
