/**
 * Set-up for ticketing tests: a server talking to a Stripe stub, accounts made straight in the
 * database (with session tokens, no password hashing: a thousand buyers in a moment), a host whose
 * payouts are connected and onboarded, and a priced Space.
 */
import { sql } from 'kysely';
import { expect } from 'vitest';
import { newSessionToken } from '../../server/accounts/session-token.ts';
import type { DatabaseConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/database.ts';
import { newSpaceId } from '../../server/db/space-store.ts';
import { JobQueue } from '../../server/jobs/job-queue.ts';
import { HOLD_EXPIRY_QUEUE } from '../../server/payments/ticket-sales.ts';
import type { RunningServer } from '../../server/server.ts';
import { api, databaseEnv, type Call } from './http-api.ts';
import { startTestServer, type TestServer } from './server-fixture.ts';
import { StripeStub } from './stripe-stub.ts';

export type TicketWorld = { server: TestServer; stub: StripeStub; call: Call; close(): Promise<void> };

/** A server on `database` with Stripe pointed at a fresh stub (`stripe: false`: no keys at all). */
export async function startTicketWorld(database: DatabaseConfig, options: { stripe?: boolean; env?: Record<string, string> } = {}): Promise<TicketWorld> {
  const stub = await StripeStub.start();
  let server: TestServer;
  try {
    server = await startTestServer({ ...databaseEnv(database), SPACECRAFT_DEMO_DATA: 'false', SPACECRAFT_HOST_MIN_FOLLOWERS: '0', ...(options.stripe === false ? {} : stub.env()), ...options.env });
  } catch (error) {
    await stub.close();
    throw error;
  }
  return {
    server,
    stub,
    call: api(server),
    close: async () => {
      await server.close();
      await stub.close();
    },
  };
}

/** Accounts with live session tokens, inserted directly. */
export async function makeAccounts(server: RunningServer, count: number, prefix = 'buyer'): Promise<Array<{ id: string; token: string }>> {
  const db = server.database.db;
  const rows = await db
    .insertInto('accounts')
    .values(Array.from({ length: count }, (_, i) => ({ handle: `${prefix}_${i}`.slice(0, 20), display_name: `${prefix} ${i}`, password_hash: 'x' })))
    .returning('id')
    .execute();
  const sessions = rows.map((row) => ({ row, session: newSessionToken() }));
  await db
    .insertInto('sessions')
    .values(sessions.map(({ row, session }) => ({ token_hash: session.hash, account_id: row.id, expires_at: new Date(Date.now() + 86_400_000) })))
    .execute();
  return sessions.map(({ row, session }) => ({ id: row.id, token: session.token }));
}

/** A scheduled Space of `hostId`, stored directly. */
export async function makeSpace(server: RunningServer, hostId: string, title = 'Paid show'): Promise<string> {
  const id = newSpaceId();
  await server.database.db
    .insertInto('spaces')
    .values({ id, host_account_id: hostId, title, status: 'scheduled', scheduled_for: new Date(Date.now() + 2 * 3600_000), time_zone: 'UTC' })
    .execute();
  return id;
}

/** The host connects payouts and the stub finishes onboarding (charges enabled). Returns the Stripe account id. */
export async function connectHost(world: TicketWorld, token: string): Promise<string> {
  const connected = await world.call('POST', '/api/accounts/me/payouts', { token, body: {} });
  expect(connected.status, JSON.stringify(connected.body)).toBe(200);
  const acct = [...world.stub.state.accounts.keys()].at(-1)!;
  world.stub.finishOnboarding(acct);
  const status = await world.call('GET', '/api/accounts/me/payouts', { token });
  expect(status.body).toMatchObject({ connected: true, chargesEnabled: true });
  return acct;
}

export async function priceSpace(world: TicketWorld, token: string, spaceId: string, offer: Record<string, unknown>): Promise<void> {
  const priced = await world.call('PUT', `/api/spaces/${spaceId}/tickets`, { token, body: offer });
  expect(priced.status, JSON.stringify(priced.body)).toBe(200);
}

/**
 * As if the checkout's hold ran out long ago (the server down meanwhile, or simply time passing):
 * the hold's expiry is an hour back and its expiry job (keyed by the hold) is due now. Returns the
 * hold's id. Fails when the hold has no expiry job.
 */
export async function runOutCheckout(db: Db, sessionId: string): Promise<string> {
  const hold = await db.selectFrom('seat_holds').select('id').where('checkout_session_id', '=', sessionId).executeTakeFirstOrThrow();
  await db.updateTable('seat_holds').set({ expires_at: new Date(Date.now() - 3600_000) }).where('id', '=', hold.id).execute();
  const moved = await sql`update pgboss.job set start_after = now() where name = ${HOLD_EXPIRY_QUEUE} and id = ${JobQueue.idOf(HOLD_EXPIRY_QUEUE, hold.id)}::uuid`.execute(db);
  expect(Number(moved.numAffectedRows), `the expiry job of hold ${hold.id}`).toBe(1);
  return hold.id;
}

/** The hold's expiry job as the queue has it (null: there is none). */
export async function expiryJobOf(db: Db, holdId: string): Promise<{ state: string; startAfter: Date } | null> {
  const { rows } = await sql<{ state: string; start_after: Date }>`select state, start_after from pgboss.job where name = ${HOLD_EXPIRY_QUEUE} and id = ${JobQueue.idOf(HOLD_EXPIRY_QUEUE, holdId)}::uuid`.execute(db);
  return rows[0] ? { state: rows[0].state, startAfter: new Date(rows[0].start_after) } : null;
}

/** Resolves with `read()`'s value once `ok` holds for it (polling); fails after `ms`. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${ms} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
