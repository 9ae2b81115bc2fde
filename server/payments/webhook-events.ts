/**
 * Stripe webhook events as Spacecraft reads them: a verified Stripe event (already checked by
 * `stripe.webhooks.constructEvent`) becomes one small `PaymentEvent`, or `ignored`. Only the fields
 * we use are read, each through a schema: a signed event of a newer API version, or one missing a
 * field we rely on, is refused with a typed error rather than half-applied.
 *
 * Pure (zod only): no database, no network.
 */
import { z } from 'zod';
import { describeIssues, ValidationError } from '../errors.ts';

/** Every event type this server subscribes to (the endpoint's `enabled_events`). */
export const HANDLED_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'charge.refunded',
  'charge.dispute.created',
  'account.updated',
] as const;
export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];

type Common = { eventId: string; type: string; created: Date; livemode: boolean };

export type PaymentEvent = Common &
  (
    | { kind: 'checkout-paid'; sessionId: string; paymentIntentId: string | null; amountTotal: number | null; currency: string | null }
    | { kind: 'checkout-awaiting-payment'; sessionId: string; paymentIntentId: string | null }
    | { kind: 'checkout-payment-failed'; sessionId: string }
    | { kind: 'checkout-expired'; sessionId: string }
    | { kind: 'charge-refunded'; chargeId: string; paymentIntentId: string | null; fully: boolean; amountRefunded: number }
    | { kind: 'charge-disputed'; chargeId: string; paymentIntentId: string | null; disputeId: string }
    | { kind: 'account-updated'; accountId: string; chargesEnabled: boolean; payoutsEnabled: boolean; detailsSubmitted: boolean; currentlyDue: string[]; disabledReason: string | null }
    | { kind: 'ignored' }
  );
export type PaymentEventKind = PaymentEvent['kind'];

const id = (prefix: string) => z.string().min(prefix.length + 1).max(255).startsWith(prefix);
/** An expandable reference: the id, or the object with its id. */
const ref = (prefix: string) => z.union([id(prefix), z.object({ id: id(prefix) }).transform((o) => o.id)]);

const envelope = z.object({
  id: id('evt_'),
  object: z.literal('event'),
  type: z.string().min(1).max(255),
  created: z.number().int().nonnegative(),
  livemode: z.boolean().default(false),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const checkoutSession = z.object({
  id: id('cs_'),
  payment_status: z.enum(['paid', 'unpaid', 'no_payment_required']),
  payment_intent: ref('pi_').nullable().default(null),
  amount_total: z.number().int().nonnegative().nullable().default(null),
  currency: z.string().min(3).max(3).nullable().default(null),
});
const sessionOnly = z.object({ id: id('cs_') });
const charge = z.object({
  id: id('ch_'),
  payment_intent: ref('pi_').nullable().default(null),
  refunded: z.boolean(),
  amount_refunded: z.number().int().nonnegative(),
});
const dispute = z.object({
  id: id('dp_'),
  charge: ref('ch_'),
  payment_intent: ref('pi_').nullable().default(null),
});
const account = z.object({
  id: id('acct_'),
  charges_enabled: z.boolean(),
  payouts_enabled: z.boolean(),
  details_submitted: z.boolean(),
  requirements: z
    .object({
      currently_due: z.array(z.string().max(255)).max(200).nullable().default([]),
      disabled_reason: z.string().max(255).nullable().default(null),
    })
    .nullable()
    .default(null),
});

function read<T>(schema: z.ZodType<T>, value: unknown, type: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(`That ${type} event cannot be read.`, describeIssues(parsed.error.issues));
  return parsed.data;
}

/** The event (a verified Stripe event, as parsed JSON) as Spacecraft reads it. Throws VALIDATION. */
export function readPaymentEvent(raw: unknown): PaymentEvent {
  const event = read(envelope, raw, 'Stripe');
  const common: Common = { eventId: event.id, type: event.type, created: new Date(event.created * 1000), livemode: event.livemode };
  const object = event.data.object;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = read(checkoutSession, object, event.type);
      // `completed` with `unpaid`: a delayed method (bank debit…) still has to succeed; the seat stays held.
      if (session.payment_status === 'unpaid') return { ...common, kind: 'checkout-awaiting-payment', sessionId: session.id, paymentIntentId: session.payment_intent };
      return { ...common, kind: 'checkout-paid', sessionId: session.id, paymentIntentId: session.payment_intent, amountTotal: session.amount_total, currency: session.currency };
    }
    case 'checkout.session.async_payment_failed':
      return { ...common, kind: 'checkout-payment-failed', sessionId: read(sessionOnly, object, event.type).id };
    case 'checkout.session.expired':
      return { ...common, kind: 'checkout-expired', sessionId: read(sessionOnly, object, event.type).id };
    case 'charge.refunded': {
      const c = read(charge, object, event.type);
      return { ...common, kind: 'charge-refunded', chargeId: c.id, paymentIntentId: c.payment_intent, fully: c.refunded, amountRefunded: c.amount_refunded };
    }
    case 'charge.dispute.created': {
      const d = read(dispute, object, event.type);
      return { ...common, kind: 'charge-disputed', chargeId: d.charge, paymentIntentId: d.payment_intent, disputeId: d.id };
    }
    case 'account.updated': {
      const a = read(account, object, event.type);
      return {
        ...common,
        kind: 'account-updated',
        accountId: a.id,
        chargesEnabled: a.charges_enabled,
        payoutsEnabled: a.payouts_enabled,
        detailsSubmitted: a.details_submitted,
        currentlyDue: a.requirements?.currently_due ?? [],
        disabledReason: a.requirements?.disabled_reason ?? null,
      };
    }
    default:
      return { ...common, kind: 'ignored' };
  }
}
