/**
 * The Stripe stub against the real `stripe` SDK: what the SDK sends is understood, answers are
 * Stripe-shaped (the SDK's typed errors come out), idempotency keys replay, and events arrive
 * signed so that the SDK's own `webhooks.constructEvent` accepts them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { StripeStub } from './stripe-stub.ts';

const stubs: StripeStub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function setUp(webhookUrl: string | null = null) {
  const stub = await StripeStub.start({ webhookUrl });
  stubs.push(stub);
  const url = new URL(stub.url);
  const stripe = new Stripe(stub.secretKey, { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0 });
  return { stub, stripe };
}

async function onboarded(stub: StripeStub, stripe: Stripe) {
  const account = await stripe.accounts.create({ type: 'express', capabilities: { transfers: { requested: true } } });
  stub.finishOnboarding(account.id);
  return account.id;
}

const checkoutParams = (destination: string): Stripe.Checkout.SessionCreateParams => ({
  mode: 'payment',
  line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Ticket: Show' } } }],
  payment_intent_data: { application_fee_amount: 50, transfer_data: { destination }, metadata: { space: 's1' } },
  metadata: { space: 's1', hold: 'h1' },
  expires_at: Math.floor(Date.now() / 1000) + 31 * 60,
  success_url: 'http://127.0.0.1/s/s1?checkout={CHECKOUT_SESSION_ID}',
  cancel_url: 'http://127.0.0.1/s/s1',
});

describe('Stripe stub', () => {
  it('creates an Express account, an onboarding link, and enables charges once onboarding ends', async () => {
    const { stub, stripe } = await setUp();
    const account = await stripe.accounts.create({ type: 'express', capabilities: { card_payments: { requested: true } }, metadata: { spacecraft_account: 'a1' } });
    expect(account).toMatchObject({ object: 'account', type: 'express', charges_enabled: false, metadata: { spacecraft_account: 'a1' } });
    expect(account.requirements?.currently_due).toContain('external_account');
    const link = await stripe.accountLinks.create({ account: account.id, refresh_url: 'http://127.0.0.1/r', return_url: 'http://127.0.0.1/done', type: 'account_onboarding' });
    expect(link.url).toMatch(new RegExp(`^${stub.url}/onboard/`));
    // The hosted page's button finishes onboarding and goes back to return_url.
    const finish = await fetch(link.url, { method: 'POST', redirect: 'manual' });
    expect(finish.status).toBe(303);
    expect(finish.headers.get('location')).toBe('http://127.0.0.1/done');
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({ charges_enabled: true, payouts_enabled: true, requirements: { currently_due: [] } });
    expect(stub.state.events.map((e) => e.type)).toEqual(['account.updated']);
    expect(stub.state.events[0]!.account).toBe(account.id);
  });

  it("answers Stripe's errors, which the SDK throws as its typed errors", async () => {
    const { stub, stripe } = await setUp();
    await expect(stripe.accounts.retrieve('acct_nothere')).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404, code: 'resource_missing' });
    const account = await stripe.accounts.create({ type: 'express' });
    // Onboarding not finished: no destination charges yet.
    await expect(stripe.checkout.sessions.create(checkoutParams(account.id))).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'account_invalid' });
    await expect(stripe.checkout.sessions.create({ ...checkoutParams(account.id), expires_at: Math.floor(Date.now() / 1000) + 60 })).rejects.toMatchObject({ param: 'expires_at' });
    const wrongKey = new Stripe('sk_test_wrongwrongwrong', { host: '127.0.0.1', port: new URL(stub.url).port, protocol: 'http', maxNetworkRetries: 0 });
    await expect(wrongKey.accounts.create({ type: 'express' })).rejects.toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
    stub.failNext('POST', /^\/v1\/accounts$/, { status: 500 });
    await expect(stripe.accounts.create({ type: 'express' })).rejects.toMatchObject({ type: 'StripeAPIError', statusCode: 500 });
    expect((await stripe.accounts.create({ type: 'express' })).object).toBe('account');
  });

  it('replays an idempotent request and refuses a key reused with other parameters', async () => {
    const { stub, stripe } = await setUp();
    const destination = await onboarded(stub, stripe);
    const params = checkoutParams(destination);
    const first = await stripe.checkout.sessions.create(params, { idempotencyKey: 'checkout-h1' });
    const again = await stripe.checkout.sessions.create(params, { idempotencyKey: 'checkout-h1' });
    expect(again.id).toBe(first.id);
    expect(stub.sessions()).toHaveLength(1);
    await expect(stripe.checkout.sessions.create({ ...params, cancel_url: 'http://127.0.0.1/other' }, { idempotencyKey: 'checkout-h1' })).rejects.toMatchObject({ type: 'StripeIdempotencyError' });
    const logged = stub.requests.find((r) => r.path === '/v1/checkout/sessions')!;
    expect(logged.idempotencyKey).toBe('checkout-h1');
    expect(logged.params).toMatchObject({ payment_intent_data: { application_fee_amount: '50', transfer_data: { destination } }, line_items: [{ quantity: '1', price_data: { unit_amount: '500', currency: 'usd' } }] });
  });

  it('pays, expires and refunds checkouts, and delivers each event signed for the SDK to verify', async () => {
    const received: Stripe.Event[] = [];
    let verifier: Stripe | null = null;
    const endpoint = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        try {
          received.push(verifier!.webhooks.constructEvent(Buffer.concat(chunks), String(request.headers['stripe-signature']), stubs[0]!.webhookSecret));
          response.writeHead(200).end();
        } catch {
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    try {
      const { stub, stripe } = await setUp(`http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hook`);
      verifier = stripe;
      const destination = await onboarded(stub, stripe);
      const paid = await stripe.checkout.sessions.create(checkoutParams(destination));
      expect(paid).toMatchObject({ status: 'open', payment_status: 'unpaid', amount_total: 500, url: `${stub.url}/pay/${paid.id}` });
      const page = await fetch(paid.url!, { method: 'POST', redirect: 'manual' });
      expect(page.headers.get('location')).toBe(`http://127.0.0.1/s/s1?checkout=${paid.id}`);
      const done = await stripe.checkout.sessions.retrieve(paid.id);
      expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', payment_intent: expect.stringMatching(/^pi_/) });

      const lapsed = await stripe.checkout.sessions.create(checkoutParams(destination));
      expect((await stripe.checkout.sessions.expire(lapsed.id)).status).toBe('expired');
      await expect(stripe.checkout.sessions.expire(lapsed.id)).rejects.toMatchObject({ type: 'StripeInvalidRequestError' });

      const refund = await stripe.refunds.create({ payment_intent: done.payment_intent as string, reverse_transfer: true, refund_application_fee: true }, { idempotencyKey: 'refund-t1' });
      expect(refund).toMatchObject({ object: 'refund', amount: 500, status: 'succeeded' });
      expect((await stripe.refunds.create({ payment_intent: done.payment_intent as string, reverse_transfer: true, refund_application_fee: true }, { idempotencyKey: 'refund-t1' })).id).toBe(refund.id);
      await expect(stripe.refunds.create({ payment_intent: done.payment_intent as string })).rejects.toMatchObject({ code: 'charge_already_refunded' });
      expect(stub.requests.find((r) => r.path === '/v1/refunds')!.params).toMatchObject({ reverse_transfer: 'true', refund_application_fee: 'true' });

      await stub.idle();
      expect(received.map((e) => e.type)).toEqual(['account.updated', 'checkout.session.completed', 'checkout.session.expired', 'refund.created', 'charge.refunded']);
      const completed = received[1] as Stripe.CheckoutSessionCompletedEvent;
      expect(completed.data.object).toMatchObject({ id: paid.id, payment_status: 'paid', metadata: { space: 's1', hold: 'h1' } });
      // A redelivery is the same event, signed afresh; a forged signature is refused by the SDK.
      expect(await stub.deliver(stub.state.events[1]!, { times: 2 })).toEqual([200, 200]);
      expect(received.slice(-2).map((e) => e.id)).toEqual([completed.id, completed.id]);
      const forged = await fetch(stub.webhookUrl!, { method: 'POST', headers: { 'stripe-signature': stub.signature('{}', { secret: 'whsec_forgedforgedforged' }) }, body: JSON.stringify(stub.state.events[1]) });
      expect(forged.status).toBe(400);
    } finally {
      endpoint.closeAllConnections();
      endpoint.close();
    }
  });

  it('completes a delayed payment later, or fails it', async () => {
    const { stub, stripe } = await setUp();
    const destination = await onboarded(stub, stripe);
    const slow = await stripe.checkout.sessions.create(checkoutParams(destination));
    stub.payCheckout(slow.id, { paid: false });
    expect(await stripe.checkout.sessions.retrieve(slow.id)).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    stub.settleDelayedPayment(slow.id, true);
    expect((await stripe.checkout.sessions.retrieve(slow.id)).payment_status).toBe('paid');
    const failing = await stripe.checkout.sessions.create(checkoutParams(destination));
    stub.payCheckout(failing.id, { paid: false });
    stub.settleDelayedPayment(failing.id, false);
    expect(stub.state.events.map((e) => e.type).slice(-4)).toEqual(['checkout.session.completed', 'checkout.session.async_payment_succeeded', 'checkout.session.completed', 'checkout.session.async_payment_failed']);
  });
});
