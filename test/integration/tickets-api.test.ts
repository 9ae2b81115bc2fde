/**
 * Ticket sales over HTTP on a real server and the real `stripe` SDK against the local stub, on both
 * database backends: payouts (Express account, onboarding, what Stripe still needs), pricing by
 * the rules, checkouts as destination charges with the platform fee and idempotency keys, the
 * seat race through the whole stack (1,000 buyers, 100 seats), failed and expired checkouts giving
 * their seat back, no Stripe at all, and hostile input at every route.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutJsonSchema, payoutStatusSchema, ticketsJsonSchema } from '../../server/http/ticket-api.ts';
import { expectHarmless } from '../support/http-api.ts';
import { connectHost, eventually, makeAccounts, makeSpace, priceSpace, runOutCheckout, startTicketWorld, type TicketWorld } from '../support/ticketing.ts';
import { BACKENDS, useTestDatabases } from '../support/test-databases.ts';

const databases = useTestDatabases();
const worlds: TicketWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

async function world(backend: (typeof BACKENDS)[number], options: Parameters<typeof startTicketWorld>[1] = {}) {
  const w = await startTicketWorld(await databases.fresh(backend), options);
  worlds.push(w);
  return w;
}

const USD_5 = { currency: 'usd', amount: 500, capacity: 100 };

/** Maps every item through `run`, at most `limit` at once, answers in the items' order. */
async function inFlight<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

describe.each(BACKENDS)('tickets over HTTP on %s', (backend) => {
  it('connects payouts, prices a Space, sells a ticket as a destination charge with the platform fee', async () => {
    const w = await world(backend);
    const [host, buyer] = await makeAccounts(w.server, 2);
    const spaceId = await makeSpace(w.server, host!.id);

    // Before onboarding: connected, but Stripe still needs things and charges are off.
    const started = await w.call('POST', '/api/accounts/me/payouts', { token: host!.token, body: {} });
    expect(started.status).toBe(200);
    expect(started.body['url']).toMatch(new RegExp(`^${w.stub.url}/onboard/`));
    const before = payoutStatusSchema.parse((await w.call('GET', '/api/accounts/me/payouts', { token: host!.token })).body);
    expect(before).toMatchObject({ available: true, connected: true, chargesEnabled: false });
    expect(before.requirementsDue).toContain('external_account');
    // A second set-up reuses the account (a new onboarding link only).
    expect((await w.call('POST', '/api/accounts/me/payouts', { token: host!.token, body: {} })).status).toBe(200);
    expect(w.stub.state.accounts.size).toBe(1);

    await priceSpace(w, host!.token, spaceId, USD_5);
    // Priced, but the host cannot take charges yet: the page says so and a checkout is refused.
    const unpaid = ticketsJsonSchema.parse((await w.call('GET', `/api/spaces/${spaceId}/tickets`)).body);
    expect(unpaid).toMatchObject({ ticketed: true, sales: 'payments-unavailable', price: '5.00 USD', left: 100 });
    const early = await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: buyer!.token, body: {} });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'SALES_CLOSED', message: expect.stringMatching(/payouts/) });

    const acct = [...w.stub.state.accounts.keys()][0]!;
    w.stub.finishOnboarding(acct);
    expect((await w.call('GET', '/api/accounts/me/payouts', { token: host!.token })).body).toMatchObject({ chargesEnabled: true, payoutsEnabled: true, requirementsDue: [] });
    expect(ticketsJsonSchema.parse((await w.call('GET', `/api/spaces/${spaceId}/tickets`)).body)).toMatchObject({ sales: 'open' });

    const checkout = await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: buyer!.token, body: {} });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    const { url, sessionId } = checkoutJsonSchema.parse(checkout.body);
    expect(url).toBe(`${w.stub.url}/pay/${sessionId}`);
    const created = w.stub.requests.find((r) => r.path === '/v1/checkout/sessions' && r.method === 'POST')!;
    expect(created.params).toMatchObject({
      mode: 'payment',
      payment_intent_data: { application_fee_amount: '50', transfer_data: { destination: acct }, metadata: { space: spaceId, account: buyer!.id } },
      line_items: [{ quantity: '1', price_data: { currency: 'usd', unit_amount: '500' } }],
      metadata: { space: spaceId, account: buyer!.id },
      success_url: `${w.server.url}/s/${spaceId}?checkout={CHECKOUT_SESSION_ID}`,
    });
    expect(created.idempotencyKey).toMatch(/^checkout-/);
    // Asking again while it is open gives the same checkout, not a second seat.
    const again = await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: buyer!.token, body: {} });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ sessionId, reused: true });
    expect(ticketsJsonSchema.parse((await w.call('GET', `/api/spaces/${spaceId}/tickets`, { token: buyer!.token })).body)).toMatchObject({ held: 1, left: 99, mine: { ticket: null, checkout: { url, status: 'held' } } });

    // Price changes are refused while a checkout runs; the count may grow.
    expect((await w.call('PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: { amount: 900 } })).body.error?.code).toBe('INVALID_STATE');
    expect((await w.call('PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: { capacity: 150 } })).status).toBe(200);

    w.stub.payCheckout(sessionId);
    const confirmed = await w.call('POST', `/api/spaces/${spaceId}/checkout/${sessionId}/confirm`, { token: buyer!.token });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(ticketsJsonSchema.parse(confirmed.body)).toMatchObject({ sold: 1, held: 0, mine: { ticket: 'paid', checkout: null } });
    // Confirming twice (or the webhook after it) changes nothing.
    expect(ticketsJsonSchema.parse((await w.call('POST', `/api/spaces/${spaceId}/checkout/${sessionId}/confirm`, { token: buyer!.token })).body)).toMatchObject({ sold: 1 });
    const tickets = await w.server.tickets.sales.records.ticketsOf(spaceId);
    expect(tickets).toMatchObject([{ accountId: buyer!.id, status: 'paid', amount: 500, platformFee: 50, paymentIntentId: expect.stringMatching(/^pi_/) }]);
    const own = await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: buyer!.token, body: {} });
    expect(own.body.error).toMatchObject({ code: 'INVALID_STATE', message: 'You already have a ticket for this Space.' });
    expect((await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: host!.token, body: {} })).body.error?.message).toMatch(/host/);
    expect((await w.call('DELETE', `/api/spaces/${spaceId}/tickets`, { token: host!.token })).body.error?.code).toBe('INVALID_STATE');
  });

  it('1,000 buyers racing for 100 seats through HTTP and Stripe: exactly 100 checkouts and 100 paid tickets, the rest told it is sold out', async () => {
    const w = await world(backend, { env: { SPACECRAFT_LOG_LEVEL: 'silent' } });
    const [host] = await makeAccounts(w.server, 1, 'host');
    const buyers = await makeAccounts(w.server, 1000);
    const spaceId = await makeSpace(w.server, host!.id);
    await connectHost(w, host!.token);
    await priceSpace(w, host!.token, spaceId, USD_5);

    // All 1,000 race at once, at most 200 connections open at a time: past the listen backlog a loaded machine resets
    // connections (ECONNRESET) before the server ever sees them. (The store test races 1,000 at once inside one process.)
    const answers = await inFlight(buyers, 200, (b) => w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: b.token, body: {} }));
    const won = answers.filter((a) => a.status === 201);
    const lost = answers.filter((a) => a.status !== 201);
    expect(won).toHaveLength(100);
    expect(lost.every((a) => a.status === 409 && a.body.error?.code === 'SOLD_OUT' && /sold out/i.test(a.body.error.message))).toBe(true);
    expect(w.stub.sessions()).toHaveLength(100);

    for (const answer of won) w.stub.payCheckout(checkoutJsonSchema.parse(answer.body).sessionId);
    const winners = buyers.filter((_, i) => answers[i]!.status === 201);
    await inFlight(winners, 50, (b) => w.call('POST', `/api/spaces/${spaceId}/checkout/${checkoutJsonSchema.parse(won[winners.indexOf(b)]!.body).sessionId}/confirm`, { token: b.token }));
    const offer = ticketsJsonSchema.parse((await w.call('GET', `/api/spaces/${spaceId}/tickets`)).body);
    expect(offer).toMatchObject({ sold: 100, held: 0, left: 0, sales: 'sold-out' });
    expect((await w.server.tickets.sales.records.ticketsOf(spaceId)).filter((t) => t.status === 'paid')).toHaveLength(100);
  }, 300_000); // a thousand accounts and requests through HTTP and the stub: minutes on a loaded machine

  it('gives the seat back when Stripe fails the checkout, when it expires, and when its expiry job finds it ran out', async () => {
    const w = await world(backend);
    const [host, a, b] = await makeAccounts(w.server, 3);
    const spaceId = await makeSpace(w.server, host!.id);
    await connectHost(w, host!.token);
    await priceSpace(w, host!.token, spaceId, { ...USD_5, capacity: 1 });

    w.stub.failNext('POST', /^\/v1\/checkout\/sessions$/, { status: 400, message: 'stub refusal' });
    const failed = await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: a!.token, body: {} });
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({ code: 'PAYMENT_FAILED' });
    expect(failed.body.error?.message).not.toContain('stub refusal');
    expect(ticketsJsonSchema.parse((await w.call('GET', `/api/spaces/${spaceId}/tickets`)).body)).toMatchObject({ held: 0, left: 1 });

    const first = checkoutJsonSchema.parse((await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: a!.token, body: {} })).body);
    const soldOut = await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: b!.token, body: {} });
    expect(soldOut.body.error?.code).toBe('SOLD_OUT');
    w.stub.expireCheckout(first.sessionId);
    expect(ticketsJsonSchema.parse((await w.call('POST', `/api/spaces/${spaceId}/checkout/${first.sessionId}/confirm`, { token: a!.token })).body)).toMatchObject({ held: 0, mine: { checkout: null } });

    const second = checkoutJsonSchema.parse((await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: b!.token, body: {} })).body);
    // The hold ran out long ago (as if the server had been down): its expiry job asks Stripe, which still has it open, and ends it.
    await runOutCheckout(w.server.database.db, second.sessionId);
    await eventually(() => w.server.tickets.sales.records.holdBySession(second.sessionId), (hold) => hold?.status === 'released');
    expect(w.stub.state.sessions.get(second.sessionId)!['status']).toBe('expired');
    expect(ticketsJsonSchema.parse((await w.call('GET', `/api/spaces/${spaceId}/tickets`)).body)).toMatchObject({ held: 0, left: 1 });

    // Paid at the last second, its expiry job before any webhook: the job makes the ticket.
    const third = checkoutJsonSchema.parse((await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: a!.token, body: {} })).body);
    w.stub.payCheckout(third.sessionId);
    await runOutCheckout(w.server.database.db, third.sessionId);
    await eventually(() => w.server.tickets.sales.records.holdBySession(third.sessionId), (hold) => hold?.status === 'completed');
    expect(ticketsJsonSchema.parse((await w.call('GET', `/api/spaces/${spaceId}/tickets`, { token: a!.token })).body)).toMatchObject({ sold: 1, held: 0, mine: { ticket: 'paid' } });
  });
});

describe('tickets on a server without Stripe keys', () => {
  it('keeps free Spaces free and answers every ticketing call that Stripe must be connected', async () => {
    const w = await world('pglite', { stripe: false });
    const [host, buyer] = await makeAccounts(w.server, 2);
    const spaceId = await makeSpace(w.server, host!.id);
    expect((await w.call('GET', `/api/spaces/${spaceId}/tickets`)).body).toEqual({ ticketed: false, paymentsAvailable: false });
    expect((await w.call('GET', '/api/accounts/me/payouts', { token: host!.token })).body).toMatchObject({ available: false, connected: false });
    for (const [method, path, token] of [
      ['POST', '/api/accounts/me/payouts', host!.token],
      ['PUT', `/api/spaces/${spaceId}/tickets`, host!.token],
      ['POST', `/api/spaces/${spaceId}/checkout`, buyer!.token],
    ] as const) {
      const answer = await w.call(method, path, { token, body: method === 'PUT' ? USD_5 : {} });
      expect(answer.status, path).toBe(503);
      expect(answer.body.error).toEqual({ code: 'PAYMENTS_UNAVAILABLE', message: 'Ticket sales need Stripe to be connected on this server.' });
    }
    expect(w.stub.requests).toHaveLength(0);
  });
});

describe('hostile callers of the ticket routes', () => {
  it('get typed refusals and change nothing', async () => {
    const w = await world('pglite');
    const [host, other] = await makeAccounts(w.server, 2);
    const spaceId = await makeSpace(w.server, host!.id);
    await connectHost(w, host!.token);
    await priceSpace(w, host!.token, spaceId, USD_5);
    const snapshot = async () => ({
      offer: await w.server.tickets.sales.records.offer(spaceId),
      holds: await w.server.database.db.selectFrom('seat_holds').selectAll().execute(),
      sessions: w.stub.sessions().length,
    });
    const before = await snapshot();
    const bad: Array<[string, string, { body?: unknown; rawBody?: string; token?: string }]> = [
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: other!.token, body: { amount: 700 } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { body: { amount: 700 } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: 'x'.repeat(43), body: { amount: 700 } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: { amount: 49 } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: { amount: 5.5 } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: { amount: '500' } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: { currency: '__proto__' } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: { capacity: -1 } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: { salesCloseAt: '2000-01-01T00:00:00Z' } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: { salesOpenAt: 'tomorrow' } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: { amount: 700, extra: true } }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, rawBody: '{"amount":' }],
      ['PUT', `/api/spaces/${spaceId}/tickets`, { token: host!.token, body: [1, 2] }],
      ['PUT', '/api/spaces/..%2F..%2Fetc/tickets', { token: host!.token, body: { amount: 700 } }],
      ['PUT', `/api/spaces/${'a'.repeat(65)}/tickets`, { token: host!.token, body: { amount: 700 } }],
      ['DELETE', `/api/spaces/${spaceId}/tickets`, { token: other!.token }],
      ['POST', `/api/spaces/${spaceId}/checkout`, { body: {} }],
      ['POST', `/api/spaces/${spaceId}/checkout`, { token: other!.token, body: { amount: 1 } }],
      ['POST', `/api/spaces/${spaceId}/checkout`, { token: other!.token, rawBody: 'x'.repeat(70_000) }],
      ['POST', '/api/spaces/nosuchspace/checkout', { token: other!.token, body: {} }],
      ['POST', `/api/spaces/${spaceId}/checkout/cs_test_nothere/confirm`, { token: other!.token }],
      ['POST', `/api/spaces/${spaceId}/checkout/not-a-session/confirm`, { token: other!.token }],
      ['POST', '/api/accounts/me/payouts', { body: {} }],
      ['POST', '/api/accounts/me/payouts', { token: host!.token, body: { returnUrl: 'https://evil.example' } }],
      ['GET', '/api/accounts/me/payouts', {}],
      ['GET', '/api/spaces/%00/tickets', {}],
    ];
    for (const [method, path, options] of bad) {
      const answer = await w.call(method, path, options);
      expect(answer.status, `${method} ${path} ${JSON.stringify(options.body)}`).toBeGreaterThanOrEqual(400);
      await expectHarmless(answer, before, snapshot);
    }
    // Someone else's checkout cannot be confirmed (or probed) by another account.
    const mine = checkoutJsonSchema.parse((await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: other!.token, body: {} })).body);
    const stranger = (await makeAccounts(w.server, 1, 'stranger'))[0]!;
    expect((await w.call('POST', `/api/spaces/${spaceId}/checkout/${mine.sessionId}/confirm`, { token: stranger.token })).body.error?.code).toBe('NOT_FOUND');
    // A flood of checkouts from one account is limited.
    const flood = await Promise.all(Array.from({ length: 15 }, () => w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: stranger.token, body: {} })));
    expect(flood.some((a) => a.body.error?.code === 'RATE_LIMITED')).toBe(true);
    expect(w.stub.sessions()).toHaveLength(2);
  });
});
