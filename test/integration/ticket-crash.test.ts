/**
 * The server killed (SIGKILL: nothing flushed, nothing ended) in the middle of a sale and in the
 * middle of a refund run, then started again on the same database, on both backends. Stripe (the
 * stub) keeps going and redelivers what was not acknowledged, as Stripe does. Afterwards:
 * - the sale: every paid checkout is exactly one ticket, none sold twice, never more than the
 *   capacity, and the seats of the losers stay sold out;
 * - the refund run: every ticket refunded, each charge refunded exactly once (the stub counts
 *   refunds per charge; a job that ran again reused its idempotency key);
 * - a seat hold: the server dies after the hold, its checkout expires at Stripe while it is down
 *   (no webhook reaches it), and the server started after the hold's expiry gives the seat back
 *   through the hold's durable expiry job.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { newSessionToken } from '../../server/accounts/session-token.ts';
import { loadConfig, type DatabaseConfig } from '../../server/config.ts';
import { Database } from '../../server/db/database.ts';
import { newSpaceId } from '../../server/db/space-store.ts';
import { checkoutJsonSchema } from '../../server/http/ticket-api.ts';
import type { RunningServer } from '../../server/server.ts';
import { useForkedServers, type ForkedServer } from '../support/forked-server.ts';
import { freePort } from '../support/free-port.ts';
import { api, databaseEnv, type Call } from '../support/http-api.ts';
import { StripeStub } from '../support/stripe-stub.ts';
import { runOutCheckout } from '../support/ticketing.ts';
import { BACKENDS, useTestDatabases } from '../support/test-databases.ts';

const databases = useTestDatabases();
const stubs: StripeStub[] = [];
afterEach(async () => {
  for (const stub of stubs.splice(0)) await stub.close();
});
// After the hook above: after-each hooks run last-registered first, so the servers die before their Stripe stub closes.
const servers = useForkedServers();

type Running = ForkedServer & { call: Call };

async function start(env: Record<string, string>): Promise<Running> {
  const server = await servers.start({ SPACECRAFT_DEMO_DATA: 'false', SPACECRAFT_HOST_MIN_FOLLOWERS: '0', SPACECRAFT_LOG_LEVEL: 'error', ...env });
  return { ...server, call: api({ url: server.url } as RunningServer) };
}

const kill = servers.crash;

async function until(predicate: () => Promise<boolean> | boolean, ms = 90_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A host and buyers with sessions and a scheduled Space, written before any server runs on the database. */
async function seed(config: DatabaseConfig, buyers: number) {
  const database = await Database.open(config, pino({ level: 'silent' }));
  try {
    const rows = await database.db
      .insertInto('accounts')
      .values(Array.from({ length: buyers + 1 }, (_, i) => ({ handle: i === 0 ? 'crash_host' : `crash_buyer_${i}`, display_name: `Person ${i}`, password_hash: 'x' })))
      .returning('id')
      .execute();
    const sessions = rows.map((row) => ({ id: row.id, ...newSessionToken() }));
    await database.db
      .insertInto('sessions')
      .values(sessions.map((s) => ({ token_hash: s.hash, account_id: s.id, expires_at: new Date(Date.now() + 86_400_000) })))
      .execute();
    const spaceId = newSpaceId();
    await database.db.insertInto('spaces').values({ id: spaceId, host_account_id: rows[0]!.id, title: 'Crash show', status: 'scheduled', scheduled_for: new Date(Date.now() + 2 * 3600_000), time_zone: 'UTC' }).execute();
    return { host: sessions[0]!, buyers: sessions.slice(1), spaceId };
  } finally {
    await database.close();
  }
}

/** Everything Stripe sent that the server did not acknowledge with a 2xx, delivered again (Stripe's retries), until all are. */
async function redeliverUnacknowledged(stub: StripeStub): Promise<void> {
  await stub.idle();
  for (;;) {
    const acked = new Set(stub.deliveries.filter((d) => d.status !== null && d.status >= 200 && d.status < 300).map((d) => d.eventId));
    const missing = stub.state.events.filter((e) => !acked.has(e.id));
    if (missing.length === 0) return;
    for (const event of missing) await stub.deliver(event);
    await stub.idle();
  }
}

async function world(backend: (typeof BACKENDS)[number], buyers: number, capacity: number) {
  const config = await databases.fresh(backend);
  const people = await seed(config, buyers);
  const stub = await StripeStub.start();
  stubs.push(stub);
  const port = await freePort();
  const env = { ...databaseEnv(config), ...stub.env(), SPACECRAFT_PORT: String(port) };
  const first = await start(env);
  stub.webhookUrl = `${first.url}/api/stripe/webhooks`;
  expect((await first.call('POST', '/api/accounts/me/payouts', { token: people.host.token, body: {} })).status).toBe(200);
  stub.finishOnboarding([...stub.state.accounts.keys()].at(-1)!);
  expect((await first.call('GET', '/api/accounts/me/payouts', { token: people.host.token })).body).toMatchObject({ chargesEnabled: true });
  const priced = await first.call('PUT', `/api/spaces/${people.spaceId}/tickets`, { token: people.host.token, body: { currency: 'usd', amount: 700, capacity } });
  expect(priced.status, JSON.stringify(priced.body)).toBe(200);
  return { ...people, stub, env, first };
}

describe.each(BACKENDS)('tickets across a server crash on %s', { timeout: 240_000 }, (backend) => {
  it('killed in the middle of a sale: no ticket lost, none sold twice, none oversold', async () => {
    const { stub, env, first, buyers, spaceId, host } = await world(backend, 24, 12);
    const answers = await Promise.all(buyers.map((b) => first.call('POST', `/api/spaces/${spaceId}/checkout`, { token: b.token, body: {} })));
    const won = answers.flatMap((a) => (a.status === 201 ? [checkoutJsonSchema.parse(a.body).sessionId] : []));
    expect(won).toHaveLength(12);
    expect(answers.filter((a) => a.status === 409 && a.body.error?.code === 'SOLD_OUT')).toHaveLength(12);

    // Buyers pay; Stripe's webhooks are on their way when the server dies.
    for (const sessionId of won) stub.payCheckout(sessionId);
    await until(() => stub.deliveries.length >= 3, 60_000, 5);
    await kill(first);
    await stub.idle();
    const refusedWhileDown = stub.deliveries.filter((d) => d.status === null || d.status >= 500).length;

    const second = await start(env);
    await redeliverUnacknowledged(stub);
    // Stripe delivers at least once: everything again, on the new server.
    for (const event of [...stub.state.events]) await stub.deliver(event);

    const sales = await second.call('GET', `/api/spaces/${spaceId}/sales`, { token: host.token });
    expect(sales.body, `deliveries refused while down: ${refusedWhileDown}`).toMatchObject({ sold: 12, held: 0, left: 0, gross: 12 * 700, refunded: 0 });
    const late = await second.call('POST', `/api/spaces/${spaceId}/checkout`, { token: buyers.at(-1)!.token, body: {} });
    expect(late.body.error?.code === 'SOLD_OUT' || late.body.error?.code === 'INVALID_STATE').toBe(true);
    await kill(second);
    const database = await Database.open(loadConfig({ ...env, SPACECRAFT_PORT: '0' }).database, pino({ level: 'silent' }));
    try {
      const tickets = await database.db.selectFrom('tickets').select(['checkout_session_id', 'status', 'account_id']).where('space_id', '=', spaceId).execute();
      expect(tickets).toHaveLength(12);
      expect(new Set(tickets.map((t) => t.checkout_session_id))).toEqual(new Set(won));
      expect(new Set(tickets.map((t) => t.account_id)).size).toBe(12);
      expect(tickets.every((t) => t.status === 'paid')).toBe(true);
      const offer = await database.db.selectFrom('ticket_offers').select(['sold', 'held', 'capacity']).where('space_id', '=', spaceId).executeTakeFirstOrThrow();
      expect(offer).toEqual({ sold: 12, held: 0, capacity: 12 });
    } finally {
      await database.close();
    }
  });

  it('killed after a seat hold and started after its expiry: the hold\'s job gives the seat back', async () => {
    const { stub, env, first, buyers, spaceId } = await world(backend, 2, 1);
    const answer = await first.call('POST', `/api/spaces/${spaceId}/checkout`, { token: buyers[0]!.token, body: {} });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const { sessionId } = checkoutJsonSchema.parse(answer.body);
    await kill(first);

    // While the server is down: Stripe ends the checkout (its webhook reaches no one), and the hold's expiry passes.
    stub.webhookUrl = null;
    stub.expireCheckout(sessionId);
    const database = await Database.open(loadConfig({ ...env, SPACECRAFT_PORT: '0' }).database, pino({ level: 'silent' }));
    try {
      expect(await database.db.selectFrom('seat_holds').select('status').where('checkout_session_id', '=', sessionId).executeTakeFirst()).toEqual({ status: 'held' });
      await runOutCheckout(database.db, sessionId);
    } finally {
      await database.close();
    }

    const second = await start(env);
    await until(async () => (await second.call('GET', `/api/spaces/${spaceId}/tickets`)).body['held'] === 0);
    expect((await second.call('GET', `/api/spaces/${spaceId}/tickets`)).body).toMatchObject({ sold: 0, held: 0, left: 1 });
    expect(stub.deliveries.filter((d) => d.type === 'checkout.session.expired')).toHaveLength(0);
    const again = await second.call('POST', `/api/spaces/${spaceId}/checkout`, { token: buyers[1]!.token, body: {} });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
  });

  it('killed in the middle of a refund run: every ticket refunded, each charge exactly once', async () => {
    const total = 30;
    const { stub, env, first, buyers, spaceId, host } = await world(backend, total, total);
    const answers = await Promise.all(buyers.map((b) => first.call('POST', `/api/spaces/${spaceId}/checkout`, { token: b.token, body: {} })));
    for (const answer of answers) stub.payCheckout(checkoutJsonSchema.parse(answer.body).sessionId);
    await redeliverUnacknowledged(stub);
    expect((await first.call('GET', `/api/spaces/${spaceId}/sales`, { token: host.token })).body).toMatchObject({ sold: total });

    // Cancel: refunds run as jobs; the server dies while they do.
    expect((await first.call('POST', `/api/spaces/${spaceId}/cancel`, { token: host.token })).status).toBe(200);
    await until(() => stub.state.refunds.size >= 3, 60_000, 2);
    await kill(first);
    const refundedAtKill = stub.state.refunds.size;
    expect(refundedAtKill).toBeLessThan(total);

    const second = await start(env);
    stub.webhookUrl = `${second.url}/api/stripe/webhooks`;
    await until(async () => (await second.call('GET', `/api/spaces/${spaceId}/sales`, { token: host.token })).body['refunded'] === total);
    await redeliverUnacknowledged(stub);
    const refunds = [...stub.state.refunds.values()];
    expect(refunds, `refunded before the kill: ${refundedAtKill}`).toHaveLength(total);
    const perCharge = new Map<unknown, number>();
    for (const refund of refunds) perCharge.set(refund['charge'], (perCharge.get(refund['charge']) ?? 0) + 1);
    expect([...perCharge.values()].every((n) => n === 1)).toBe(true);
    expect(perCharge.size).toBe(total);
    expect(refunds.every((r) => r['_reverse_transfer'] === true && r['_refund_application_fee'] === true)).toBe(true);
    // Every charge is refunded in full, never more.
    expect([...stub.state.charges.values()].every((c) => c['amount_refunded'] === c['amount'])).toBe(true);
    expect((await second.call('GET', `/api/spaces/${spaceId}/sales`, { token: host.token })).body).toMatchObject({ sold: 0, refunded: total, gross: 0 });
  });
});
