/**
 * Checkout Sessions (create, retrieve, expire) with destination charges, and the hosted payment
 * page a browser is sent to. Paying creates the PaymentIntent and its Charge the way Stripe does,
 * and emits `checkout.session.completed` (then `…async_payment_succeeded/failed` for a delayed payment).
 */
import { escapeHtml, invalid, missing, noSuch, StubError, type PageRoute, type Route, type StripeObject, type StubContext } from './core.ts';
import { int, obj, str, type FormValue } from './form.ts';

/** Stripe's bounds on `expires_at`: 30 minutes to 24 hours after creation. */
const MIN_EXPIRY_S = 30 * 60;
const MAX_EXPIRY_S = 24 * 3600;

export function session(ctx: StubContext, id: string): StripeObject {
  const found = ctx.state.sessions.get(id);
  if (!found) throw noSuch('checkout.session', id, 'session');
  return found;
}

function lineItemTotal(items: FormValue | undefined): { amount: number; currency: string; name: string } {
  if (!Array.isArray(items) || items.length === 0) throw missing('line_items');
  let amount = 0;
  let currency = '';
  let name = '';
  items.forEach((item, i) => {
    const line = obj(item);
    const price = obj(line['price_data']);
    const unit = int(price['unit_amount']);
    const quantity = int(line['quantity']) ?? 1;
    const cur = str(price['currency']);
    if (unit === undefined || unit < 0) throw invalid(`line_items[${i}][price_data][unit_amount]`, 'unit_amount must be a non-negative integer.');
    if (!cur || !/^[a-z]{3}$/.test(cur)) throw invalid(`line_items[${i}][price_data][currency]`, 'Invalid currency.');
    if (currency && cur !== currency) throw invalid('line_items', 'All line items must share one currency.');
    currency = cur;
    name ||= str(obj(price['product_data'])['name']) ?? 'Item';
    amount += unit * quantity;
  });
  return { amount, currency, name };
}

export const checkoutRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/v1\/checkout\/sessions$/,
    handle(ctx, params) {
      if (str(params['mode']) !== 'payment') throw invalid('mode', 'This stub supports mode=payment only.');
      const successUrl = str(params['success_url']);
      if (!successUrl) throw missing('success_url');
      const { amount, currency, name } = lineItemTotal(params['line_items']);
      const now = ctx.now();
      const expiresAt = int(params['expires_at']) ?? now + MAX_EXPIRY_S;
      if (expiresAt < now + MIN_EXPIRY_S - 5 || expiresAt > now + MAX_EXPIRY_S) {
        throw invalid('expires_at', 'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.');
      }
      const intent = obj(params['payment_intent_data']);
      const destination = str(obj(intent['transfer_data'])['destination']);
      const fee = int(intent['application_fee_amount']);
      if (destination) {
        const acct = ctx.state.accounts.get(destination);
        if (!acct) throw noSuch('account', destination, 'payment_intent_data[transfer_data][destination]');
        if (acct['charges_enabled'] !== true) throw new StubError(400, `The destination account ${destination} cannot take charges yet: its onboarding is not finished.`, { code: 'account_invalid', param: 'payment_intent_data[transfer_data][destination]' });
      }
      if (fee !== undefined && (fee < 0 || fee > amount)) throw invalid('payment_intent_data[application_fee_amount]', 'The application fee must be between 0 and the amount.');
      if (fee !== undefined && !destination) throw invalid('payment_intent_data[application_fee_amount]', 'An application fee needs a destination (transfer_data) or a connected account.');
      const id = ctx.newId('cs_test');
      const created: StripeObject = {
        id,
        object: 'checkout.session',
        mode: 'payment',
        status: 'open',
        payment_status: 'unpaid',
        amount_total: amount,
        amount_subtotal: amount,
        currency,
        created: now,
        expires_at: expiresAt,
        livemode: false,
        url: `${ctx.baseUrl}/pay/${id}`,
        success_url: successUrl,
        cancel_url: str(params['cancel_url']) ?? null,
        client_reference_id: str(params['client_reference_id']) ?? null,
        customer_email: str(params['customer_email']) ?? null,
        metadata: obj(params['metadata']),
        payment_intent: null,
        // Kept for the stub's own use (Stripe shows these on the PaymentIntent).
        _product: name,
        _payment_intent_data: { application_fee_amount: fee ?? null, transfer_data: destination ? { destination } : null, metadata: obj(intent['metadata']) },
      };
      ctx.state.sessions.set(id, created);
      return publicSession(created);
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/checkout\/sessions\/(cs_test_[A-Za-z0-9]+)$/,
    handle: (ctx, _params, match) => publicSession(session(ctx, match[1]!)),
  },
  {
    method: 'POST',
    path: /^\/v1\/checkout\/sessions\/(cs_test_[A-Za-z0-9]+)\/expire$/,
    handle(ctx, _params, match) {
      const found = session(ctx, match[1]!);
      if (found['status'] !== 'open') throw new StubError(400, `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(found['status'])}".`);
      return publicSession(expireSession(ctx, found.id));
    },
  },
];

/** The session as the API shows it (without the stub's own fields). */
export function publicSession(found: StripeObject): StripeObject {
  return Object.fromEntries(Object.entries(found).filter(([key]) => !key.startsWith('_'))) as StripeObject;
}

export function expireSession(ctx: StubContext, id: string): StripeObject {
  const found = session(ctx, id);
  if (found['status'] !== 'open') return found;
  found['status'] = 'expired';
  ctx.emit('checkout.session.expired', publicSession(found));
  return found;
}

/**
 * The buyer pays: a PaymentIntent (and its Charge) is created with the session's destination and
 * fee, and `checkout.session.completed` goes out. `paid: false` is a delayed method (a bank debit):
 * the session completes unpaid and `settleDelayedPayment` finishes it later.
 */
export function paySession(ctx: StubContext, id: string, options: { paid?: boolean } = {}): StripeObject {
  const found = session(ctx, id);
  if (found['status'] !== 'open') throw new StubError(400, `This Checkout Session is ${String(found['status'])}.`);
  const paid = options.paid ?? true;
  const data = found['_payment_intent_data'] as { application_fee_amount: number | null; transfer_data: { destination: string } | null; metadata: Record<string, unknown> };
  const intentId = ctx.newId('pi');
  const chargeId = ctx.newId('ch');
  ctx.state.paymentIntents.set(intentId, {
    id: intentId,
    object: 'payment_intent',
    amount: found['amount_total'],
    currency: found['currency'],
    status: paid ? 'succeeded' : 'processing',
    latest_charge: paid ? chargeId : null,
    application_fee_amount: data.application_fee_amount,
    transfer_data: data.transfer_data,
    metadata: data.metadata,
    created: ctx.now(),
  });
  if (paid) addCharge(ctx, intentId, chargeId);
  Object.assign(found, { status: 'complete', payment_status: paid ? 'paid' : 'unpaid', payment_intent: intentId });
  ctx.emit('checkout.session.completed', publicSession(found));
  return found;
}

function addCharge(ctx: StubContext, intentId: string, chargeId: string): void {
  const intent = ctx.state.paymentIntents.get(intentId)!;
  ctx.state.charges.set(chargeId, {
    id: chargeId,
    object: 'charge',
    amount: intent['amount'],
    amount_refunded: 0,
    currency: intent['currency'],
    payment_intent: intentId,
    paid: true,
    refunded: false,
    disputed: false,
    status: 'succeeded',
    application_fee_amount: intent['application_fee_amount'],
    transfer_data: intent['transfer_data'],
    metadata: intent['metadata'],
    created: ctx.now(),
  });
}

/** A delayed payment settles: `checkout.session.async_payment_succeeded` or `…_failed`. */
export function settleDelayedPayment(ctx: StubContext, id: string, succeeded: boolean): StripeObject {
  const found = session(ctx, id);
  const intentId = found['payment_intent'] as string | null;
  if (found['status'] !== 'complete' || found['payment_status'] !== 'unpaid' || !intentId) throw new StubError(400, 'This Checkout Session has no delayed payment to settle.');
  const intent = ctx.state.paymentIntents.get(intentId)!;
  if (succeeded) {
    const chargeId = ctx.newId('ch');
    Object.assign(intent, { status: 'succeeded', latest_charge: chargeId });
    addCharge(ctx, intentId, chargeId);
    found['payment_status'] = 'paid';
  } else {
    Object.assign(intent, { status: 'requires_payment_method' });
  }
  ctx.emit(succeeded ? 'checkout.session.async_payment_succeeded' : 'checkout.session.async_payment_failed', publicSession(found));
  return found;
}

const formatted = (amount: number, currency: string) => (currency === 'jpy' ? `${amount}` : (amount / 100).toFixed(2)) + ` ${currency.toUpperCase()}`;

/** The hosted Checkout page: what is bought, a Pay button (→ success_url) and a cancel link. */
export const checkoutPages: PageRoute[] = [
  {
    method: 'GET',
    path: /^\/pay\/(cs_test_[A-Za-z0-9]+)$/,
    handle(ctx, match) {
      const found = session(ctx, match[1]!);
      const cancel = found['cancel_url'] ? `<a href="${escapeHtml(String(found['cancel_url']))}">Cancel</a>` : '';
      const body =
        found['status'] === 'open'
          ? `<form method="post"><button type="submit" id="pay">Pay ${escapeHtml(formatted(found['amount_total'] as number, found['currency'] as string))}</button></form>${cancel}`
          : `<p id="state">This checkout is ${escapeHtml(String(found['status']))}.</p>`;
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!doctype html><title>Checkout (Stripe stub)</title><h1>${escapeHtml(String(found['_product']))}</h1>${body}` };
    },
  },
  {
    method: 'POST',
    path: /^\/pay\/(cs_test_[A-Za-z0-9]+)$/,
    handle(ctx, match) {
      const found = paySession(ctx, match[1]!);
      const location = String(found['success_url']).replace('{CHECKOUT_SESSION_ID}', found.id);
      return { status: 303, headers: { location } };
    },
  },
];
