/**
 * Seat holds end through their durable expiry job (issue #9), on a real server with the real
 * `stripe` SDK against the local stub, on both databases. Each hold's job is queued in the
 * transaction that makes the hold, due at its expiry plus the grace; the test makes it due now
 * (as if the time had passed) rather than waiting half an hour:
 * - a checkout that expired at Stripe with no webhook at all: the job releases the seat;
 * - the job and a late `checkout.session.expired` together: the seat is released once, the
 *   counters of the other holds stay right;
 * - a hold the webhook completed first: its job does nothing (it does not even ask Stripe);
 * - a hold an older version made (no job): the start-up catch-up queues its job, once.
 * The server killed after the hold and started after its expiry is in ticket-crash.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutJsonSchema, ticketsJsonSchema } from '../../server/http/ticket-api.ts';
import { HOLD_EXPIRY_GRACE_MS } from '../../server/payments/ticket-sales.ts';
import { connectHost, eventually, expiryJobOf, makeAccounts, makeSpace, priceSpace, runOutCheckout, startTicketWorld, type TicketWorld } from '../support/ticketing.ts';
import { BACKENDS, useTestDatabases } from '../support/test-databases.ts';

const databases = useTestDatabases();
const worlds: TicketWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

/** A priced Space of `capacity` seats and two buyers; Stripe's webhooks are recorded, not delivered, unless a test says so. */
async function world(backend: (typeof BACKENDS)[number], capacity: number) {
  const w = await startTicketWorld(await databases.fresh(backend));
  worlds.push(w);
  const [host, a, b] = await makeAccounts(w.server, 3);
  const spaceId = await makeSpace(w.server, host!.id);
  await connectHost(w, host!.token);
  await priceSpace(w, host!.token, spaceId, { currency: 'usd', amount: 500, capacity });
  const checkout = async (buyer: { token: string }) => {
    const answer = await w.call('POST', `/api/spaces/${spaceId}/checkout`, { token: buyer.token, body: {} });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return checkoutJsonSchema.parse(answer.body).sessionId;
  };
  const offer = async () => ticketsJsonSchema.parse((await w.call('GET', `/api/spaces/${spaceId}/tickets`)).body);
  const db = w.server.database.db;
  const records = w.server.tickets.sales.records;
  const jobDone = (holdId: string) => eventually(() => expiryJobOf(db, holdId), (job) => job?.state === 'completed');
  return { w, db, records, spaceId, a: a!, b: b!, checkout, offer, jobDone, webhookUrl: `${w.server.url}/api/stripe/webhooks` };
}

describe.each(BACKENDS)('seat hold expiry jobs on %s', { timeout: 120_000 }, (backend) => {
  it('releases a hold whose checkout expired at Stripe by its job, with no webhook at all', async () => {
    const { w, db, records, a, b, checkout, offer, jobDone } = await world(backend, 1);
    const sessionId = await checkout(a);
    const hold = (await records.holdBySession(sessionId))!;
    // Queued with the hold, due at its expiry plus the grace.
    expect(await expiryJobOf(db, hold.id)).toEqual({ state: 'created', startAfter: new Date(hold.expiresAt.getTime() + HOLD_EXPIRY_GRACE_MS) });
    expect(await offer()).toMatchObject({ held: 1, left: 0 });

    w.stub.expireCheckout(sessionId);
    await runOutCheckout(db, sessionId);
    expect(await eventually(() => records.holdBySession(sessionId), (h) => h?.status === 'released')).toMatchObject({ releaseReason: 'expired' });
    await jobDone(hold.id);
    expect(w.stub.deliveries).toHaveLength(0);
    expect(await offer()).toMatchObject({ sold: 0, held: 0, left: 1 });
    // The seat is on sale again.
    await checkout(b);
    expect(await offer()).toMatchObject({ held: 1, left: 0 });
  });

  it('the job and a late expiry webhook together release the seat once', async () => {
    const { w, db, records, a, b, checkout, offer, jobDone, webhookUrl } = await world(backend, 2);
    const sessionId = await checkout(a);
    await checkout(b);
    expect(await offer()).toMatchObject({ held: 2, left: 0 });
    w.stub.expireCheckout(sessionId);
    const expired = w.stub.state.events.find((e) => e.type === 'checkout.session.expired')!;

    // Both at once: the job (due now) and Stripe's webhook.
    const holdId = await runOutCheckout(db, sessionId);
    const [statuses] = await Promise.all([w.stub.deliver(expired, { url: webhookUrl }), jobDone(holdId)]);
    expect(statuses).toEqual([200]);
    // And the webhook again, later still.
    expect(await w.stub.deliver(expired, { url: webhookUrl })).toEqual([200]);
    expect(await records.holdBySession(sessionId)).toMatchObject({ status: 'released', releaseReason: 'expired' });
    // b's hold is still counted: one seat given back, not two.
    expect(await offer()).toMatchObject({ sold: 0, held: 1, left: 1 });
  });

  it('a hold the webhook completed first makes its job a no-op', async () => {
    const { w, db, records, a, checkout, offer, jobDone, webhookUrl } = await world(backend, 1);
    w.stub.webhookUrl = webhookUrl;
    const sessionId = await checkout(a);
    w.stub.payCheckout(sessionId);
    await w.stub.idle();
    expect(w.stub.deliveries.filter((d) => d.type === 'checkout.session.completed').map((d) => d.status)).toEqual([200]);
    expect(await offer()).toMatchObject({ sold: 1, held: 0 });

    const asked = () => w.stub.requests.filter((r) => r.method === 'GET' && r.path === `/v1/checkout/sessions/${sessionId}`).length;
    const before = asked();
    await jobDone(await runOutCheckout(db, sessionId));
    expect(asked()).toBe(before);
    expect(await records.holdBySession(sessionId)).toMatchObject({ status: 'completed' });
    expect(await offer()).toMatchObject({ sold: 1, held: 0, left: 0 });
    expect(await records.ticketsOf((await records.holdBySession(sessionId))!.spaceId)).toMatchObject([{ status: 'paid', checkoutSessionId: sessionId }]);
  });

  it('queues a job at start-up for a hold made before expiry jobs existed, and none for a hold that has one', async () => {
    const { w, db, records, spaceId, a, b, checkout } = await world(backend, 2);
    await checkout(a);
    // Held as an older version held seats: no expiry job.
    const { hold } = await records.holdSeat({ spaceId, accountId: b.id, expiresAt: new Date(Date.now() + 31 * 60_000) });
    expect(await expiryJobOf(db, hold.id)).toBeNull();
    expect(await w.server.tickets.sales.catchUpExpiryJobs()).toBe(1);
    expect(await expiryJobOf(db, hold.id)).toEqual({ state: 'created', startAfter: new Date(hold.expiresAt.getTime() + HOLD_EXPIRY_GRACE_MS) });
    expect(await w.server.tickets.sales.catchUpExpiryJobs()).toBe(0);
  });
});
