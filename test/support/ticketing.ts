/**
 * Set-up for ticketing tests: a server talking to a Stripe stub, accounts made straight in the
 * database (with session tokens, no password hashing: a thousand buyers in a moment), a host whose
 * payouts are connected and onboarded, and a priced Space.
 */
import { expect } from 'vitest';
import { newSessionToken } from '../../server/accounts/session-token.ts';
import type { DatabaseConfig } from '../../server/config.ts';
import { newSpaceId } from '../../server/db/space-store.ts';
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
