/**
 * What a payment event does to one ticket, whatever order Stripe delivers events in. Pure: the
 * caller reads the ticket, applies the outcome and records the event id in one transaction.
 *
 * A ticket starts `held` (a checkout is open and a seat is held for it). Stripe may deliver late,
 * twice, or out of order, so every rule is written for any state:
 * - a paid checkout sells the held seat; if its hold was already released (an expiry seen first),
 *   it takes a seat again, and when none is left the payment is refunded (`sold-out-late`);
 * - an expiry or a failed async payment releases only a seat still held: never a paid one;
 * - a refund or a dispute seen before the payment itself is kept as a fact of the payment intent
 *   (`facts`), and the payment, when it arrives, ends refunded or disputed at once;
 * - a full refund ends any paid ticket refunded (its seat goes back on sale only for a buyer's own
 *   refund or one made outside Spacecraft, while the Space is to come); a dispute revokes access
 *   (the bank is giving the money back).
 */
import type { RefundReason } from '../domain/refund-policy.ts';
import type { PaymentEvent } from './webhook-events.ts';

export const TICKET_PAYMENT_STATES = ['held', 'awaiting-payment', 'paid', 'released', 'refund-pending', 'refunded', 'disputed'] as const;
export type TicketPaymentState = (typeof TICKET_PAYMENT_STATES)[number];

/** What happens to the Space's seat count. */
export type SeatChange =
  /** held → sold */
  | 'sell'
  /** held → free */
  | 'release'
  /** free → sold, only if a seat is left (else the outcome's `ifNoSeat` applies) */
  | 'retake'
  /** sold → free */
  | 'unsell'
  | 'none';

export type TicketOutcome = {
  next: TicketPaymentState;
  seat: SeatChange;
  /** A refund to start (a durable job) for this ticket. */
  refund: RefundReason | null;
  /** Ends any connection using the ticket. */
  revokeAccess: boolean;
};

/** What is already known of the ticket's payment intent from events that came before its checkout's. */
export type PaymentFacts = { refunded: boolean; disputed: boolean };
export const NO_FACTS: PaymentFacts = { refunded: false, disputed: false };

/** The Space and the ticket's refund, as far as these rules care. */
export type SpaceSale = {
  /** Set when a payment arriving now must be refunded at once (the Space was cancelled, or is over). */
  refundAll: RefundReason | null;
  /** Whether a finished refund puts the seat back on sale: a buyer's own refund, or one made outside Spacecraft, while the Space is still to come. */
  refundReturnsSeat: boolean;
};

const same = (state: TicketPaymentState): TicketOutcome => ({ next: state, seat: 'none', refund: null, revokeAccess: false });

type TicketEventKind = Extract<PaymentEvent['kind'], 'checkout-paid' | 'checkout-awaiting-payment' | 'checkout-payment-failed' | 'checkout-expired' | 'charge-refunded' | 'charge-disputed'>;

/**
 * The outcome of one event on one ticket. `fully` is for `charge-refunded` (a partial refund
 * changes nothing here; we never make one).
 */
export function ticketOutcome(state: TicketPaymentState, event: { kind: TicketEventKind; fully?: boolean }, facts: PaymentFacts, space: SpaceSale): TicketOutcome {
  switch (event.kind) {
    case 'checkout-paid': {
      const held = state === 'held' || state === 'awaiting-payment';
      if (!held && state !== 'released') return same(state);
      // Refunded or disputed before we heard of the payment: it never becomes a usable ticket.
      if (facts.refunded) return { next: 'refunded', seat: held ? 'release' : 'none', refund: null, revokeAccess: false };
      // A disputed payment keeps a held seat counted (never oversell while the bank decides) but grants nothing.
      if (facts.disputed) return { next: 'disputed', seat: held ? 'sell' : 'none', refund: null, revokeAccess: true };
      if (space.refundAll) return { next: 'refund-pending', seat: held ? 'release' : 'none', refund: space.refundAll, revokeAccess: false };
      return held ? { next: 'paid', seat: 'sell', refund: null, revokeAccess: false } : { next: 'paid', seat: 'retake', refund: null, revokeAccess: false };
    }
    case 'checkout-awaiting-payment':
      return state === 'held' ? { next: 'awaiting-payment', seat: 'none', refund: null, revokeAccess: false } : same(state);
    case 'checkout-payment-failed':
    case 'checkout-expired':
      return state === 'held' || state === 'awaiting-payment' ? { next: 'released', seat: 'release', refund: null, revokeAccess: false } : same(state);
    case 'charge-refunded':
      if (!event.fully) return same(state);
      if (state === 'paid' || state === 'refund-pending') return { next: 'refunded', seat: space.refundReturnsSeat ? 'unsell' : 'none', refund: null, revokeAccess: true };
      // A disputed ticket's seat stays counted (never oversell while the bank decides); it ends refunded.
      if (state === 'disputed') return { next: 'refunded', seat: 'none', refund: null, revokeAccess: false };
      return same(state);
    case 'charge-disputed':
      if (state === 'paid' || state === 'refund-pending') return { next: 'disputed', seat: 'none', refund: null, revokeAccess: true };
      return same(state);
  }
}

/** When a `retake` finds no seat left: the payment is refunded and the ticket ends so. */
export function noSeatOutcome(): TicketOutcome {
  return { next: 'refund-pending', seat: 'none', refund: 'sold-out-late', revokeAccess: false };
}

/** Whether this state lets its holder into the Space. */
export function grantsAccess(state: TicketPaymentState): boolean {
  return state === 'paid';
}
