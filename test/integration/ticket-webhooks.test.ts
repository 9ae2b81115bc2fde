/**
 * Stripe webhooks, refunds and the sales dashboard on a real server, the real `stripe` SDK against
 * the local stub (events signed by the SDK's own generateTestHeaderString), on both databases:
 * unsigned, forged, stale and tampered events refused with typed 400s; every event delivered
 * twice and applied once; the host's live sales figures; a cancel refunding every ticket exactly
 * once (reverse_transfer, refund_application_fee, one idempotency key per ticket); a move keeping
 * every ticket with a buyer's refund within the window.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutJsonSchema } from '../../server/http/ticket-api.ts';
import { connectHost, makeAccounts, makeSpace, priceSpace, startTicketWorld, type TicketWorld } from '../support/ticketing.ts';
import { BACKENDS, useTestDatabases } from '../support/test-databases.ts';

const databases = useTestDatabases();
const worlds: TicketWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

async function world(backend: (typeof BACKENDS)[number]) {
  const w = await startTicketWorld(await databases.fresh(backend));
  worlds.push(w);
  w.stub.webhookUrl = `${w.server.url}/api/stripe/webhooks`;
  return w;
}

async function until(predicate: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A host with payouts, a priced Space, and `buyers` who each paid (webhooks delivered twice each). */
async function soldSpace(w: TicketWorld, buyerCount: number) {
  const [host, ...buyers] = await makeAccounts(w.server, buyerCount + 1);
  const spaceId = await makeSpace(w.server, host!.id);
  await connectHost(w, host!.token);
  await priceSpace(w, host!.token, spaceId, { currency: 'usd', amount: 500, capacity: 10 });
  for (const buyer of buyers) {
    const checkout = await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: buyer.token, body: {} });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    w.stub.payCheckout(checkoutJsonSchema.parse(checkout.body).sessionId);
  }
  await w.stub.idle();
  // Stripe delivers at least once: every event again.
  for (const event of [...w.stub.state.events]) await w.stub.deliver(event);
  return { host: host!, buyers, spaceId };
}

const post = (w: TicketWorld, body: string, headers: Record<string, string>) => fetch(`${w.server.url}/api/stripe/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe.each(BACKENDS)('Stripe webhooks and refunds on %s', (backend) => {
  it('refuses unsigned, forged, stale and tampered events with typed 400s, and applies a signed one once', async () => {
    const w = await world(backend);
    const { spaceId } = await soldSpace(w, 1);
    const event = w.stub.state.events.find((e) => e.type === 'checkout.session.completed')!;
    const payload = JSON.stringify(event);
    const refused = async (response: Response) => ({ status: response.status, error: ((await response.json()) as { error: { code: string; details: string[] } }).error });

    expect(await refused(await post(w, payload, {}))).toMatchObject({ status: 400, error: { code: 'VALIDATION', details: ['unsigned'] } });
    expect(await refused(await post(w, payload, { 'stripe-signature': w.stub.signature(payload, { secret: 'whsec_someoneelse000000000000' }) }))).toMatchObject({ status: 400, error: { details: ['forged'] } });
    expect(await refused(await post(w, payload, { 'stripe-signature': 't=1,v1=deadbeef' }))).toMatchObject({ status: 400, error: { details: ['forged'] } });
    const old = Math.floor(Date.now() / 1000) - 3600;
    expect(await refused(await post(w, payload, { 'stripe-signature': w.stub.signature(payload, { timestamp: old }) }))).toMatchObject({ status: 400, error: { details: ['stale'] } });
    const tampered = payload.replace('"livemode":false', '"livemode":true');
    expect(tampered).not.toBe(payload);
    expect(await refused(await post(w, tampered, { 'stripe-signature': w.stub.signature(payload) }))).toMatchObject({ status: 400, error: { details: ['forged'] } });
    expect((await post(w, 'x'.repeat(600 * 1024), { 'stripe-signature': w.stub.signature('x') })).status).toBe(413);

    // The real one (already applied by its first delivery): a duplicate, nothing changes.
    const ok = await post(w, payload, { 'stripe-signature': w.stub.signature(payload) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ received: true, result: 'duplicate' });
    // A signed event we do not handle is acknowledged (Stripe stops sending it).
    const other = JSON.stringify({ ...event, id: 'evt_other_type', type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer' } } });
    expect(await (await post(w, other, { 'stripe-signature': w.stub.signature(other) })).json()).toEqual({ received: true, result: 'processed' });
    expect(await w.server.tickets.sales.records.ticketsOf(spaceId)).toHaveLength(1);
  });

  it('shows the host live sales, then a cancel refunds every ticket exactly once (reverse transfer, fee refunded)', async () => {
    const w = await world(backend);
    const { host, buyers, spaceId } = await soldSpace(w, 4);
    // Every event was delivered twice; each applied once.
    const events = await w.server.database.db.selectFrom('stripe_events').select(['id', 'processed_at']).execute();
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.processed_at !== null)).toBe(true);

    const sales = await w.call('GET', `/api/spaces/${spaceId}/sales`, { token: host.token });
    expect(sales.status).toBe(200);
    expect(sales.body).toMatchObject({ ticketed: true, currency: 'usd', capacity: 10, sold: 4, held: 0, left: 6, gross: 2000, platformFee: 200, hostNet: 1800, refunded: 0 });
    expect((sales.body['series'] as Array<{ total: number }>).at(-1)!.total).toBe(4);
    expect((await w.call('GET', `/api/spaces/${spaceId}/sales`, { token: buyers[0]!.token })).body.error?.code).toBe('PERMISSION_DENIED');
    expect((await w.call('GET', `/api/spaces/${spaceId}/sales`)).body.error?.code).toBe('PERMISSION_DENIED');

    const cancelled = await w.call('POST', `/api/spaces/${spaceId}/cancel`, { token: host.token });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await until(async () => (await w.server.tickets.sales.records.ticketsOf(spaceId)).every((t) => t.status === 'refunded'));
    await w.stub.idle();
    const refunds = [...w.stub.state.refunds.values()];
    expect(refunds).toHaveLength(4);
    expect(new Set(refunds.map((r) => r['charge'])).size).toBe(4);
    expect(refunds.every((r) => r['_reverse_transfer'] === true && r['_refund_application_fee'] === true && r['amount'] === 500)).toBe(true);
    const asked = w.stub.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
    expect(new Set(asked.map((r) => r.idempotencyKey)).size).toBe(4);
    expect(asked.every((r) => /^spacecraft-refund-/.test(r.idempotencyKey ?? ''))).toBe(true);
    const after = await w.call('GET', `/api/spaces/${spaceId}/sales`, { token: host.token });
    expect(after.body).toMatchObject({ sold: 0, refunded: 4, gross: 0, platformFee: 0, hostNet: 0, refundedAmount: 2000 });
    // The charge.refunded events Stripe sent back changed nothing more.
    expect(await w.server.database.db.selectFrom('ticket_refunds').select('status').execute()).toEqual(Array.from({ length: 4 }, () => ({ status: 'succeeded' })));
  });

  it('keeps every ticket when the Space moves; a buyer may ask for a refund within the window, once', async () => {
    const w = await world(backend);
    const { host, buyers, spaceId } = await soldSpace(w, 2);
    const before = await w.call('GET', `/api/spaces/${spaceId}/refund`, { token: buyers[0]!.token });
    expect(before.body).toMatchObject({ mayAsk: false, rescheduledAt: null });
    expect((await w.call('POST', `/api/spaces/${spaceId}/refund`, { token: buyers[0]!.token })).body.error?.code).toBe('INVALID_STATE');

    const moved = await w.call('PATCH', `/api/spaces/${spaceId}`, { token: host.token, body: { startsAt: new Date(Date.now() + 26 * 3600_000).toISOString() } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await until(async () => (await w.call('GET', `/api/spaces/${spaceId}/refund`, { token: buyers[0]!.token })).body['mayAsk'] === true);
    const state = await w.call('GET', `/api/spaces/${spaceId}/refund`, { token: buyers[0]!.token });
    expect(state.body).toMatchObject({ ticketStatus: 'paid', mayAsk: true, deadline: expect.any(String) });
    expect((await w.server.tickets.sales.records.ticketsOf(spaceId)).map((t) => t.status)).toEqual(['paid', 'paid']);

    const asked = await Promise.all([1, 2, 3].map(() => w.call('POST', `/api/spaces/${spaceId}/refund`, { token: buyers[0]!.token })));
    expect(asked.filter((a) => a.status === 202).length).toBeGreaterThanOrEqual(1);
    await until(async () => (await w.server.tickets.sales.records.ticketsOf(spaceId)).some((t) => t.status === 'refunded'));
    await w.stub.idle();
    expect(w.stub.state.refunds.size).toBe(1);
    // The other buyer keeps their ticket; the refunded seat is for sale again.
    expect((await w.server.tickets.sales.records.ticketsOf(spaceId)).map((t) => t.status).sort()).toEqual(['paid', 'refunded']);
    expect((await w.call('GET', `/api/spaces/${spaceId}/sales`, { token: host.token })).body).toMatchObject({ sold: 1, refunded: 1, left: 9 });
    expect((await w.call('PUT', `/api/spaces/${spaceId}/planned-length`, { token: buyers[1]!.token, body: { minutes: 90 } })).body.error?.code).toBe('PERMISSION_DENIED');
    expect((await w.call('PUT', `/api/spaces/${spaceId}/planned-length`, { token: host.token, body: { minutes: 0 } })).body.error?.code).toBe('VALIDATION');
    expect((await w.call('PUT', `/api/spaces/${spaceId}/planned-length`, { token: host.token, body: { minutes: 90 } })).status).toBe(200);
  });
});
