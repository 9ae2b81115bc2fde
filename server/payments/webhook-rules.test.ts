import { describe, expect, it } from 'vitest';
import { NO_FACTS, noSeatOutcome, ticketOutcome, type PaymentFacts, type TicketPaymentState } from './webhook-rules.ts';

type Kind = 'checkout-paid' | 'checkout-awaiting-payment' | 'checkout-payment-failed' | 'checkout-expired' | 'charge-refunded' | 'charge-disputed';

/** One ticket and a Space's seats, driven the way the webhook store drives them (facts for charge events before the checkout's). */
function simulate(events: Kind[], capacity = 1, taken = 0, cancelled = false) {
  let state: TicketPaymentState = 'held';
  let sold = taken;
  let held = 1;
  let checkoutSeen = false;
  const facts: PaymentFacts = { ...NO_FACTS };
  const refunds: string[] = [];
  for (const kind of events) {
    if ((kind === 'charge-refunded' || kind === 'charge-disputed') && !checkoutSeen) {
      if (kind === 'charge-refunded') facts.refunded = true;
      else facts.disputed = true;
      continue;
    }
    if (kind === 'checkout-paid') checkoutSeen = true;
    let outcome = ticketOutcome(state, { kind, fully: true }, facts, { refundAll: cancelled ? 'space-cancelled' : null, refundReturnsSeat: !cancelled });
    if (outcome.seat === 'retake') {
      if (sold + held < capacity) sold += 1;
      else outcome = noSeatOutcome();
    } else if (outcome.seat === 'sell') {
      held -= 1;
      sold += 1;
    } else if (outcome.seat === 'release') held -= 1;
    else if (outcome.seat === 'unsell') sold -= 1;
    if (outcome.refund) refunds.push(outcome.refund);
    // Our refund job would do this; the charge.refunded event then arrives.
    state = outcome.next;
    expect(held).toBeGreaterThanOrEqual(0);
    expect(sold + held).toBeLessThanOrEqual(capacity);
  }
  return { state, sold, held, refunds };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('what a payment event does to a ticket', () => {
  it('sells the held seat on a paid checkout; a second delivery changes nothing', () => {
    expect(simulate(['checkout-paid'])).toEqual({ state: 'paid', sold: 1, held: 0, refunds: [] });
    expect(simulate(['checkout-paid', 'checkout-paid'])).toEqual({ state: 'paid', sold: 1, held: 0, refunds: [] });
  });

  it('waits for an async payment: the seat stays held, then is sold or released', () => {
    expect(simulate(['checkout-awaiting-payment'])).toEqual({ state: 'awaiting-payment', sold: 0, held: 1, refunds: [] });
    expect(simulate(['checkout-awaiting-payment', 'checkout-paid'])).toEqual({ state: 'paid', sold: 1, held: 0, refunds: [] });
    expect(simulate(['checkout-awaiting-payment', 'checkout-payment-failed'])).toEqual({ state: 'released', sold: 0, held: 0, refunds: [] });
    // A late "awaiting" after the payment succeeded changes nothing.
    expect(simulate(['checkout-paid', 'checkout-awaiting-payment']).state).toBe('paid');
  });

  it('an expiry after the payment never releases the paid seat', () => {
    expect(simulate(['checkout-paid', 'checkout-expired'])).toEqual({ state: 'paid', sold: 1, held: 0, refunds: [] });
    expect(simulate(['checkout-paid', 'checkout-payment-failed'])).toEqual({ state: 'paid', sold: 1, held: 0, refunds: [] });
  });

  it('a payment after its hold was released takes a seat again, or is refunded when none is left', () => {
    expect(simulate(['checkout-expired', 'checkout-paid'], 1, 0)).toEqual({ state: 'paid', sold: 1, held: 0, refunds: [] });
    expect(simulate(['checkout-expired', 'checkout-paid'], 2, 2)).toEqual({ state: 'refund-pending', sold: 2, held: 0, refunds: ['sold-out-late'] });
  });

  it('a refund seen before the payment ends refunded, with the seat free', () => {
    expect(simulate(['charge-refunded', 'checkout-paid'])).toEqual({ state: 'refunded', sold: 0, held: 0, refunds: [] });
    expect(simulate(['checkout-paid', 'charge-refunded'])).toEqual({ state: 'refunded', sold: 0, held: 0, refunds: [] });
  });

  it('a dispute revokes access; seen first, the ticket ends disputed', () => {
    expect(ticketOutcome('paid', { kind: 'charge-disputed' }, NO_FACTS, { refundAll: null, refundReturnsSeat: true })).toEqual({ next: 'disputed', seat: 'none', refund: null, revokeAccess: true });
    expect(simulate(['charge-disputed', 'checkout-paid']).state).toBe('disputed');
    expect(simulate(['checkout-paid', 'charge-disputed']).state).toBe('disputed');
  });

  it('a payment for a cancelled Space is refunded at once', () => {
    expect(simulate(['checkout-paid'], 1, 0, true)).toEqual({ state: 'refund-pending', sold: 0, held: 0, refunds: ['space-cancelled'] });
  });

  it('ignores a partial refund (we never make one)', () => {
    expect(ticketOutcome('paid', { kind: 'charge-refunded', fully: false }, NO_FACTS, { refundAll: null, refundReturnsSeat: true }).next).toBe('paid');
  });

  it('in every order, with duplicates, never oversells, never releases a paid seat, and ends where the facts say', () => {
    const cases: Array<{ events: Kind[]; end: TicketPaymentState }> = [
      { events: ['checkout-paid', 'checkout-expired', 'checkout-paid'], end: 'paid' },
      { events: ['checkout-paid', 'charge-refunded', 'checkout-expired'], end: 'refunded' },
      { events: ['checkout-awaiting-payment', 'checkout-paid', 'checkout-expired'], end: 'paid' },
      { events: ['checkout-paid', 'charge-disputed', 'checkout-paid'], end: 'disputed' },
    ];
    for (const { events, end } of cases) {
      for (const order of permutations(events)) {
        const result = simulate(order, 1, 0);
        // Whatever the order: a refund, if any, is one; refunded/disputed facts win; a paid ticket holds exactly one seat.
        if (end === 'refunded') expect(result.state, order.join(' → ')).toBe('refunded');
        if (end === 'disputed') expect(result.state, order.join(' → ')).toBe('disputed');
        if (end === 'paid') expect(['paid'], order.join(' → ')).toContain(result.state);
        if (result.state === 'paid') expect(result.sold, order.join(' → ')).toBe(1);
        expect(result.refunds.length).toBeLessThanOrEqual(1);
      }
    }
  });
});
