/**
 * Refunds of a destination charge (`reverse_transfer`, `refund_application_fee`), whole or
 * partial, and the `charge.refunded` / `refund.created` events they cause.
 */
import { invalid, missing, noSuch, StubError, type Route, type StripeObject } from './core.ts';
import { bool, int, obj, str } from './form.ts';

export const refundRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/v1\/refunds$/,
    handle(ctx, params) {
      const intentId = str(params['payment_intent']);
      let chargeId = str(params['charge']);
      if (!intentId && !chargeId) throw missing('payment_intent');
      if (intentId) {
        const intent = ctx.state.paymentIntents.get(intentId);
        if (!intent) throw noSuch('payment_intent', intentId, 'payment_intent');
        chargeId = (intent['latest_charge'] as string | null) ?? undefined;
        if (!chargeId) throw new StubError(400, `This PaymentIntent (${intentId}) does not have a successful charge to refund.`, { code: 'charge_not_refundable' });
      }
      const charge = ctx.state.charges.get(chargeId!);
      if (!charge) throw noSuch('charge', chargeId!, 'charge');
      const left = (charge['amount'] as number) - (charge['amount_refunded'] as number);
      const amount = int(params['amount']) ?? left;
      if (left <= 0) throw new StubError(400, `Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
      if (amount <= 0 || amount > left) throw invalid('amount', `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`);
      const refund: StripeObject = {
        id: ctx.newId('re'),
        object: 'refund',
        amount,
        currency: charge['currency'],
        charge: charge.id,
        payment_intent: charge['payment_intent'],
        status: 'succeeded',
        reason: str(params['reason']) ?? null,
        metadata: obj(params['metadata']),
        created: ctx.now(),
        _reverse_transfer: bool(params['reverse_transfer']) ?? false,
        _refund_application_fee: bool(params['refund_application_fee']) ?? false,
      };
      ctx.state.refunds.set(refund.id, refund);
      const previous = { amount_refunded: charge['amount_refunded'], refunded: charge['refunded'] };
      charge['amount_refunded'] = (charge['amount_refunded'] as number) + amount;
      charge['refunded'] = charge['amount_refunded'] === charge['amount'];
      const shown = Object.fromEntries(Object.entries(refund).filter(([key]) => !key.startsWith('_'))) as StripeObject;
      ctx.emit('refund.created', shown);
      ctx.emit('charge.refunded', charge, { previous });
      return shown;
    },
  },
];
