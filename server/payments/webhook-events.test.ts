import { describe, expect, it } from 'vitest';
import { codeOfCall } from '../../test/support/error-codes.ts';
import { readPaymentEvent } from './webhook-events.ts';

const event = (type: string, object: Record<string, unknown>) => ({ id: 'evt_1', object: 'event', type, created: 1_800_000_000, livemode: false, api_version: '2026-10-28.endive', data: { object } });
const session = (payment_status: string) => ({ id: 'cs_test_1', object: 'checkout.session', payment_status, payment_intent: 'pi_1', amount_total: 1500, currency: 'eur' });

describe('Stripe events as Spacecraft reads them', () => {
  it('reads a completed checkout as paid, or as awaiting an async payment', () => {
    expect(readPaymentEvent(event('checkout.session.completed', session('paid')))).toEqual({
      eventId: 'evt_1',
      type: 'checkout.session.completed',
      created: new Date(1_800_000_000_000),
      livemode: false,
      kind: 'checkout-paid',
      sessionId: 'cs_test_1',
      paymentIntentId: 'pi_1',
      amountTotal: 1500,
      currency: 'eur',
    });
    expect(readPaymentEvent(event('checkout.session.completed', session('unpaid')))).toMatchObject({ kind: 'checkout-awaiting-payment', sessionId: 'cs_test_1' });
    expect(readPaymentEvent(event('checkout.session.async_payment_succeeded', session('paid')))).toMatchObject({ kind: 'checkout-paid' });
    expect(readPaymentEvent(event('checkout.session.async_payment_failed', session('unpaid')))).toMatchObject({ kind: 'checkout-payment-failed', sessionId: 'cs_test_1' });
    expect(readPaymentEvent(event('checkout.session.expired', session('unpaid')))).toMatchObject({ kind: 'checkout-expired', sessionId: 'cs_test_1' });
  });

  it('reads refunds, disputes (expanded or not) and account updates', () => {
    expect(readPaymentEvent(event('charge.refunded', { id: 'ch_1', payment_intent: 'pi_1', refunded: true, amount_refunded: 1500 }))).toMatchObject({
      kind: 'charge-refunded',
      chargeId: 'ch_1',
      paymentIntentId: 'pi_1',
      fully: true,
      amountRefunded: 1500,
    });
    expect(readPaymentEvent(event('charge.dispute.created', { id: 'dp_1', charge: { id: 'ch_1' }, payment_intent: 'pi_1' }))).toMatchObject({
      kind: 'charge-disputed',
      chargeId: 'ch_1',
      paymentIntentId: 'pi_1',
      disputeId: 'dp_1',
    });
    expect(
      readPaymentEvent(event('account.updated', { id: 'acct_1', charges_enabled: false, payouts_enabled: false, details_submitted: true, requirements: { currently_due: ['external_account'], disabled_reason: 'requirements.past_due' } })),
    ).toMatchObject({ kind: 'account-updated', accountId: 'acct_1', chargesEnabled: false, currentlyDue: ['external_account'], disabledReason: 'requirements.past_due' });
  });

  it('ignores types it does not handle', () => {
    expect(readPaymentEvent(event('customer.created', { id: 'cus_1' }))).toMatchObject({ kind: 'ignored', type: 'customer.created' });
  });

  it('refuses an event it cannot read with a typed error, never half-applied', () => {
    for (const bad of [
      null,
      'evt',
      {},
      { ...event('checkout.session.completed', session('paid')), id: 'nope' },
      { ...event('checkout.session.completed', session('paid')), object: 'charge' },
      event('checkout.session.completed', { ...session('paid'), payment_status: 'maybe' }),
      event('checkout.session.completed', { ...session('paid'), id: 'pi_1' }),
      event('charge.refunded', { id: 'ch_1', refunded: 'yes', amount_refunded: 1 }),
      event('charge.dispute.created', { id: 'dp_1' }),
      event('account.updated', { id: 'acct_1' }),
    ]) {
      expect(codeOfCall(() => readPaymentEvent(bad))).toBe('VALIDATION');
    }
  });
});
