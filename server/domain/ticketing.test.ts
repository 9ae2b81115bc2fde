import { describe, expect, it } from 'vitest';
import { codeOfCall as codeOf } from '../../test/support/error-codes.ts';
import type { SpacecraftError } from '../errors.ts';
import {
  applyOfferChange,
  assertMayWithdraw,
  assertOnSale,
  assertPriceable,
  formatAmount,
  holdExpiry,
  mayListen,
  needsTicket,
  platformFee,
  priceProblems,
  salesState,
  validateNewOffer,
  type Offer,
  type OfferTerms,
} from './ticketing.ts';

const now = new Date('2026-11-27T09:00:00Z');
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const terms: OfferTerms = { currency: 'usd', amount: 500, capacity: 100, salesOpenAt: null, salesCloseAt: null };
const offer = (extra: Partial<Offer> = {}): Offer => ({ ...terms, sold: 0, held: 0, platformFeeBps: 1000, ...extra });

describe('prices', () => {
  it("takes Stripe's per-currency minimum charge and refuses below it", () => {
    expect(priceProblems({ currency: 'usd', amount: 50 })).toEqual([]);
    expect(priceProblems({ currency: 'usd', amount: 49 })[0]).toContain('0.50 USD');
    expect(priceProblems({ currency: 'eur', amount: 50 })).toEqual([]);
    expect(priceProblems({ currency: 'gbp', amount: 30 })).toEqual([]);
    expect(priceProblems({ currency: 'gbp', amount: 29 })).toHaveLength(1);
    expect(priceProblems({ currency: 'jpy', amount: 50 })).toEqual([]);
    expect(priceProblems({ currency: 'jpy', amount: 49 })[0]).toContain('50 JPY');
    expect(priceProblems({ currency: 'huf', amount: 17499 })).toHaveLength(1);
  });

  it('refuses absurd prices, unknown currencies, fractions and non-numbers', () => {
    expect(priceProblems({ currency: 'usd', amount: 100_000 })).toEqual([]);
    expect(priceProblems({ currency: 'usd', amount: 100_001 })[0]).toContain('1000.00 USD');
    expect(priceProblems({ currency: 'jpy', amount: 100_001 })).toHaveLength(1);
    expect(priceProblems({ currency: 'USD', amount: 500 })[0]).toMatch(/^currency/);
    expect(priceProblems({ currency: 'xxx', amount: 500 })[0]).toMatch(/^currency/);
    expect(priceProblems({ currency: 'usd', amount: 5.5 })[0]).toMatch(/^amount/);
    expect(priceProblems({ currency: 'usd', amount: Number.NaN })[0]).toMatch(/^amount/);
    expect(priceProblems({ currency: 'usd', amount: Number.POSITIVE_INFINITY })[0]).toMatch(/^amount/);
    expect(priceProblems({ currency: '__proto__', amount: 500 })[0]).toMatch(/^currency/);
    expect(priceProblems({ currency: 'constructor', amount: 500 })[0]).toMatch(/^currency/);
  });

  it('formats minor units for people', () => {
    expect(formatAmount({ currency: 'usd', amount: 1234 })).toBe('12.34 USD');
    expect(formatAmount({ currency: 'jpy', amount: 500 })).toBe('500 JPY');
  });
});

describe('offers', () => {
  it('checks count and sales window on a new offer, listing every problem', () => {
    expect(validateNewOffer(terms, now)).toEqual(terms);
    expect(validateNewOffer({ ...terms, salesOpenAt: later(10), salesCloseAt: later(60) }, now).capacity).toBe(100);
    let details: unknown;
    try {
      validateNewOffer({ ...terms, amount: 1, capacity: 0, salesOpenAt: later(60), salesCloseAt: later(10) }, now);
    } catch (error) {
      details = (error as SpacecraftError).details;
    }
    expect(details).toEqual([expect.stringMatching(/^amount/), expect.stringMatching(/^capacity/), expect.stringMatching(/^salesCloseAt/)]);
    expect(codeOf(() => validateNewOffer({ ...terms, salesCloseAt: later(-1) }, now))).toBe('VALIDATION');
    expect(codeOf(() => validateNewOffer({ ...terms, capacity: 100_001 }, now))).toBe('VALIDATION');
    expect(codeOf(() => validateNewOffer({ ...terms, salesOpenAt: later(61 * 24 * 60) }, now))).toBe('VALIDATION');
  });

  it('lets anything change before the first sale', () => {
    expect(applyOfferChange(offer(), { currency: 'eur', amount: 900, capacity: 5 }, now)).toMatchObject({ currency: 'eur', amount: 900, capacity: 5 });
    expect(codeOf(() => applyOfferChange(offer(), { amount: 10 }, now))).toBe('VALIDATION');
    expect(codeOf(() => assertMayWithdraw(offer()))).toBe('OK');
  });

  it('after a sale (or while a checkout runs) fixes the price but lets the count and close time move', () => {
    for (const sold of [offer({ sold: 1 }), offer({ held: 1 })]) {
      expect(codeOf(() => applyOfferChange(sold, { amount: 900 }, now))).toBe('INVALID_STATE');
      expect(codeOf(() => applyOfferChange(sold, { currency: 'eur' }, now))).toBe('INVALID_STATE');
      expect(codeOf(() => applyOfferChange(sold, { salesOpenAt: later(5) }, now))).toBe('INVALID_STATE');
      expect(codeOf(() => assertMayWithdraw(sold))).toBe('INVALID_STATE');
      expect(applyOfferChange(sold, { capacity: 150, salesCloseAt: later(30) }, now)).toMatchObject({ capacity: 150, salesCloseAt: later(30) });
      // The same price again is no change.
      expect(applyOfferChange(sold, { amount: 500, currency: 'usd' }, now).amount).toBe(500);
    }
    expect(codeOf(() => applyOfferChange(offer({ sold: 40, held: 10 }), { capacity: 49 }, now))).toBe('VALIDATION');
    expect(applyOfferChange(offer({ sold: 40, held: 10 }), { capacity: 50 }, now).capacity).toBe(50);
    expect(codeOf(() => applyOfferChange(offer({ sold: 1 }), { salesCloseAt: later(-5) }, now))).toBe('VALIDATION');
  });

  it('may be priced only while the Space is not over', () => {
    expect(codeOf(() => assertPriceable('scheduled'))).toBe('OK');
    expect(codeOf(() => assertPriceable('live'))).toBe('OK');
    expect(codeOf(() => assertPriceable('ended'))).toBe('SPACE_ENDED');
    expect(codeOf(() => assertPriceable('cancelled'))).toBe('SPACE_ENDED');
  });
});

describe('sales window', () => {
  it('is open, not open yet, sold out or closed', () => {
    expect(salesState(offer(), 'scheduled', now)).toBe('open');
    expect(salesState(offer(), 'live', now)).toBe('open');
    expect(salesState(offer({ salesOpenAt: later(1) }), 'scheduled', now)).toBe('not-open');
    expect(salesState(offer({ salesOpenAt: later(0) }), 'scheduled', now)).toBe('open');
    expect(salesState(offer({ salesCloseAt: later(0) }), 'scheduled', now)).toBe('closed');
    expect(salesState(offer({ sold: 99, held: 1 }), 'scheduled', now)).toBe('sold-out');
    expect(salesState(offer(), 'ended', now)).toBe('closed');
    expect(salesState(offer(), 'cancelled', now)).toBe('closed');
  });

  it('tells a buyer why not with a typed error', () => {
    expect(codeOf(() => assertOnSale(offer(), 'scheduled', now))).toBe('OK');
    expect(codeOf(() => assertOnSale(offer({ sold: 100 }), 'scheduled', now))).toBe('SOLD_OUT');
    expect(codeOf(() => assertOnSale(offer({ salesOpenAt: later(5) }), 'scheduled', now))).toBe('SALES_CLOSED');
    expect(codeOf(() => assertOnSale(offer(), 'ended', now))).toBe('SALES_CLOSED');
  });
});

describe('money', () => {
  it('takes the platform fee in basis points, rounded down, never half', () => {
    expect(platformFee(1000, 1000)).toBe(100);
    expect(platformFee(999, 1000)).toBe(99);
    expect(platformFee(50, 4999)).toBe(24);
    expect(platformFee(50, 0)).toBe(0);
    expect(platformFee(99_999_999, 4999)).toBeLessThan(99_999_999 / 2);
    expect(() => platformFee(1000, 5000)).toThrow(RangeError);
    expect(() => platformFee(1000, -1)).toThrow(RangeError);
  });

  it("holds a seat for Stripe's shortest checkout expiry, in whole seconds", () => {
    const at = new Date('2026-11-27T09:00:00.250Z');
    expect(holdExpiry(at).toISOString()).toBe('2026-11-27T09:31:01.000Z');
  });
});

describe('who needs a ticket', () => {
  it('is a listener of a ticketed Space without one; never the stage', () => {
    expect(needsTicket('host')).toBe(false);
    expect(needsTicket('cohost')).toBe(false);
    expect(needsTicket('speaker')).toBe(false);
    expect(needsTicket('listener')).toBe(true);
    expect(mayListen({ ticketed: false, role: 'listener', hasTicket: false })).toBe(true);
    expect(mayListen({ ticketed: true, role: 'listener', hasTicket: false })).toBe(false);
    expect(mayListen({ ticketed: true, role: 'listener', hasTicket: true })).toBe(true);
    expect(mayListen({ ticketed: true, role: 'cohost', hasTicket: false })).toBe(true);
  });
});
