/**
 * Ticketed Spaces: the rules, pure (no I/O; the clock is an argument).
 *
 * A host prices a Space: a currency Stripe charges in, an amount in that currency's minor units
 * (cents; yen for zero-decimal currencies) between Stripe's minimum charge and a sane maximum, how
 * many tickets exist, and optionally when sales open and close. The platform keeps a configurable
 * share (basis points, below half: the host keeps the majority), rounded down in the host's favour.
 *
 * Until the first ticket is sold (and while no checkout is in progress) everything may change and
 * the offer may be withdrawn. After it, what buyers paid for is fixed: the currency and price stay,
 * the count may grow or shrink down to the seats already sold or held, the close time may move
 * but not into the past. Host, co-hosts and speakers never need a ticket.
 */
import { InvalidStateError, SpacecraftError, ValidationError } from '../errors.ts';
import type { SpaceStatus } from './space.ts';

/**
 * Stripe's minimum charge per currency, in minor units (docs.stripe.com/currencies, "Minimum and
 * maximum charge amounts"): the currencies a ticket may be priced in.
 */
export const CURRENCY_MINIMUMS: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};

export const SUPPORTED_CURRENCIES = Object.keys(CURRENCY_MINIMUMS).sort();

/** Currencies whose amounts have no minor unit (Stripe's zero-decimal list, those we support). */
const ZERO_DECIMAL = new Set(['jpy']);

/** A ticket costs at most this many times the currency's minimum (USD 1,000, GBP 600, JPY 100,000). */
export const MAX_PRICE_FACTOR = 2000;
/** Stripe's own limit: amounts have at most eight digits. */
export const STRIPE_MAX_AMOUNT = 99_999_999;
export const MAX_CAPACITY = 100_000;
/** The platform never takes half or more. */
export const MAX_PLATFORM_FEE_BPS = 4999;
/**
 * How long a seat stays held for an unfinished checkout: Stripe's shortest Checkout expiry is 30
 * minutes after the session's creation, measured on Stripe's clock; one more minute keeps a slow
 * request or a skewed clock from being refused.
 */
export const HOLD_MINUTES = 31;
/** Sales may open and close at most this far ahead. */
export const SALES_MAX_DAYS_AHEAD = 60;
const DAY_MS = 24 * 3600 * 1000;

export type Price = { currency: string; amount: number };

export type OfferTerms = Price & {
  capacity: number;
  salesOpenAt: Date | null;
  salesCloseAt: Date | null;
};

/** The stored offer as the rules see it. */
export type Offer = OfferTerms & { sold: number; held: number; platformFeeBps: number };

export type SalesState = 'not-open' | 'open' | 'sold-out' | 'closed';

export function isZeroDecimal(currency: string): boolean {
  return ZERO_DECIMAL.has(currency);
}

export function minimumAmount(currency: string): number | null {
  return Object.hasOwn(CURRENCY_MINIMUMS, currency) ? CURRENCY_MINIMUMS[currency]! : null;
}

export function maximumAmount(currency: string): number | null {
  const minimum = minimumAmount(currency);
  return minimum === null ? null : Math.min(minimum * MAX_PRICE_FACTOR, STRIPE_MAX_AMOUNT);
}

/** `1234` usd → "12.34 USD"; `500` jpy → "500 JPY". */
export function formatAmount(price: Price): string {
  const major = isZeroDecimal(price.currency) ? String(price.amount) : (price.amount / 100).toFixed(2);
  return `${major} ${price.currency.toUpperCase()}`;
}

/** What is wrong with a price, as `field: reason` lines (empty when it is fine). */
export function priceProblems(price: Price): string[] {
  const minimum = minimumAmount(price.currency);
  if (minimum === null) return [`currency: one of ${SUPPORTED_CURRENCIES.join(', ')} (lowercase)`];
  const maximum = maximumAmount(price.currency)!;
  if (!Number.isSafeInteger(price.amount)) return ['amount: a whole number of the currency’s smallest unit (cents)'];
  if (price.amount < minimum) return [`amount: at least ${formatAmount({ currency: price.currency, amount: minimum })} (Stripe’s minimum charge)`];
  if (price.amount > maximum) return [`amount: at most ${formatAmount({ currency: price.currency, amount: maximum })}`];
  return [];
}

/** The offer's terms, checked against the rules for a new offer (or any offer before its first sale). */
export function termsProblems(terms: OfferTerms, now: Date): string[] {
  const problems = priceProblems(terms);
  if (!Number.isSafeInteger(terms.capacity) || terms.capacity < 1 || terms.capacity > MAX_CAPACITY) problems.push(`capacity: 1–${MAX_CAPACITY} tickets`);
  const latest = now.getTime() + SALES_MAX_DAYS_AHEAD * DAY_MS;
  if (terms.salesOpenAt && terms.salesOpenAt.getTime() > latest) problems.push(`salesOpenAt: at most ${SALES_MAX_DAYS_AHEAD} days ahead`);
  if (terms.salesCloseAt) {
    if (terms.salesCloseAt.getTime() <= now.getTime()) problems.push('salesCloseAt: must be in the future');
    else if (terms.salesCloseAt.getTime() > latest) problems.push(`salesCloseAt: at most ${SALES_MAX_DAYS_AHEAD} days ahead`);
    if (terms.salesOpenAt && terms.salesOpenAt.getTime() >= terms.salesCloseAt.getTime()) problems.push('salesCloseAt: must be after salesOpenAt');
  }
  return problems;
}

/** Checks a new offer; throws VALIDATION listing every problem. */
export function validateNewOffer(terms: OfferTerms, now: Date): OfferTerms {
  const problems = termsProblems(terms, now);
  if (problems.length > 0) throw new ValidationError('Those ticket settings are not valid.', problems);
  return terms;
}

/** True once a buyer has paid or is paying: from then on what they pay for is fixed. */
export function hasSales(offer: Pick<Offer, 'sold' | 'held'>): boolean {
  return offer.sold > 0 || offer.held > 0;
}

/**
 * The offer after a host's change, or a typed error saying which rule refuses it.
 * Before the first sale anything valid goes; after it only the count (not below sold + held)
 * and the close time (not into the past) may change.
 */
export function applyOfferChange(offer: Offer, change: Partial<OfferTerms>, now: Date): OfferTerms {
  const next: OfferTerms = {
    currency: change.currency ?? offer.currency,
    amount: change.amount ?? offer.amount,
    capacity: change.capacity ?? offer.capacity,
    salesOpenAt: change.salesOpenAt === undefined ? offer.salesOpenAt : change.salesOpenAt,
    salesCloseAt: change.salesCloseAt === undefined ? offer.salesCloseAt : change.salesCloseAt,
  };
  if (!hasSales(offer)) return validateNewOffer(next, now);
  const locked: string[] = [];
  if (next.currency !== offer.currency) locked.push('currency');
  if (next.amount !== offer.amount) locked.push('amount');
  if ((next.salesOpenAt?.getTime() ?? null) !== (offer.salesOpenAt?.getTime() ?? null)) locked.push('salesOpenAt');
  if (locked.length > 0) {
    throw new InvalidStateError(`Tickets have been sold, so the ${locked.join(', ')} can no longer change; you may change how many tickets there are and when sales close.`);
  }
  const problems: string[] = [];
  if (!Number.isSafeInteger(next.capacity) || next.capacity > MAX_CAPACITY) problems.push(`capacity: at most ${MAX_CAPACITY} tickets`);
  else if (next.capacity < offer.sold + offer.held) problems.push(`capacity: at least ${offer.sold + offer.held} (tickets sold or being bought)`);
  if (next.salesCloseAt && next.salesCloseAt.getTime() !== offer.salesCloseAt?.getTime()) {
    if (next.salesCloseAt.getTime() <= now.getTime()) problems.push('salesCloseAt: must be in the future');
    else if (next.salesCloseAt.getTime() > now.getTime() + SALES_MAX_DAYS_AHEAD * DAY_MS) problems.push(`salesCloseAt: at most ${SALES_MAX_DAYS_AHEAD} days ahead`);
  }
  if (problems.length > 0) throw new ValidationError('Those ticket settings are not valid.', problems);
  return next;
}

/** Whether the host may make the Space free again (withdraw the offer): only before any sale. */
export function assertMayWithdraw(offer: Pick<Offer, 'sold' | 'held'>): void {
  if (hasSales(offer)) throw new InvalidStateError('Tickets have been sold or are being bought, so this Space cannot become free; cancel it to refund every ticket.');
}

/** A Space whose tickets may be priced or edited: one not over yet. */
export function assertPriceable(status: SpaceStatus): void {
  if (status === 'ended' || status === 'cancelled') throw new InvalidStateError('This Space is over; its tickets can no longer change.', 'SPACE_ENDED');
}

/** Where sales stand for a Space at `now`. */
export function salesState(offer: Offer, spaceStatus: SpaceStatus, now: Date): SalesState {
  if (spaceStatus === 'ended' || spaceStatus === 'cancelled') return 'closed';
  if (offer.salesCloseAt && now.getTime() >= offer.salesCloseAt.getTime()) return 'closed';
  if (offer.salesOpenAt && now.getTime() < offer.salesOpenAt.getTime()) return 'not-open';
  if (offer.sold + offer.held >= offer.capacity) return 'sold-out';
  return 'open';
}

/** Throws the typed error a buyer sees when sales are not open (SOLD_OUT, SALES_CLOSED). */
export function assertOnSale(offer: Offer, spaceStatus: SpaceStatus, now: Date): void {
  const state = salesState(offer, spaceStatus, now);
  if (state === 'open') return;
  if (state === 'sold-out') throw soldOut();
  if (state === 'not-open') throw new SpacecraftError('SALES_CLOSED', `Ticket sales for this Space open at ${offer.salesOpenAt!.toISOString()}.`, { opensAt: offer.salesOpenAt!.toISOString() });
  throw new SpacecraftError('SALES_CLOSED', 'Ticket sales for this Space have closed.');
}

export function soldOut(): SpacecraftError {
  return new SpacecraftError('SOLD_OUT', 'Sold out: every ticket for this Space is taken. Seats held by unfinished checkouts come back if those buyers do not pay.');
}

/** The platform's share of one ticket: rounded down (in the host's favour), always less than half. */
export function platformFee(amount: number, feeBps: number): number {
  if (!Number.isSafeInteger(feeBps) || feeBps < 0 || feeBps > MAX_PLATFORM_FEE_BPS) throw new RangeError(`platform fee ${feeBps} bps is outside 0–${MAX_PLATFORM_FEE_BPS}`);
  return Math.floor((amount * feeBps) / 10_000);
}

/** A seat hold's end: Stripe's Checkout expiry (`expires_at`, whole seconds) for a checkout started at `now`. */
export function holdExpiry(now: Date, minutes = HOLD_MINUTES): Date {
  return new Date(Math.ceil(now.getTime() / 1000) * 1000 + minutes * 60_000);
}

/** Roles that never need a ticket: whoever is on the stage or runs the Space. */
export type AttendeeRole = 'host' | 'cohost' | 'speaker' | 'listener';

export function needsTicket(role: AttendeeRole): boolean {
  return role === 'listener';
}

export function ticketRequired(): SpacecraftError {
  return new SpacecraftError('TICKET_REQUIRED', 'This is a ticketed Space: buy a ticket on its page to listen.');
}

/** Whether an account may consume a Space's audio. */
export function mayListen(input: { ticketed: boolean; role: AttendeeRole; hasTicket: boolean }): boolean {
  return !input.ticketed || !needsTicket(input.role) || input.hasTicket;
}
