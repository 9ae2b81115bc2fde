/**
 * The studio's ticketed Spaces (issue #9) through its server's ticket API: the host's payouts
 * (Stripe Connect) and each Space's price. Called from the studio's main process with the signed-in
 * session (electron/studio-account.ts); signed out, every call says so as a typed error.
 */
import { z } from 'zod';
import { PermissionError, ValidationError } from '../server/errors.ts';
import { connectPayoutsSchema, payoutStatusSchema, ticketsJsonSchema, type OfferBody } from '../server/http/ticket-api.ts';
import { callServer, type ApiCall, type Fetch } from './server-api.ts';
import type { SessionKeeper } from './studio-account.ts';

function segment(part: string): string {
  try {
    return encodeURIComponent(part);
  } catch {
    throw new ValidationError('That id cannot be part of an address.');
  }
}

export class StudioTickets {
  readonly #keeper: SessionKeeper;
  readonly #fetch: Fetch;

  constructor(keeper: SessionKeeper, fetchImpl: Fetch = fetch) {
    this.#keeper = keeper;
    this.#fetch = fetchImpl;
  }

  payoutStatus(serverUrl: string) {
    return this.#call(serverUrl, '/api/accounts/me/payouts', {}, payoutStatusSchema);
  }

  connectPayouts(serverUrl: string) {
    return this.#call(serverUrl, '/api/accounts/me/payouts', { method: 'POST', body: {} }, connectPayoutsSchema);
  }

  get(serverUrl: string, spaceId: string) {
    return this.#call(serverUrl, `/api/spaces/${segment(spaceId)}/tickets`, {}, ticketsJsonSchema);
  }

  set(serverUrl: string, input: OfferBody & { spaceId: string }) {
    const { spaceId, ...offer } = input;
    return this.#call(serverUrl, `/api/spaces/${segment(spaceId)}/tickets`, { method: 'PUT', body: offer }, ticketsJsonSchema);
  }

  withdraw(serverUrl: string, spaceId: string): Promise<null> {
    return this.#call(serverUrl, `/api/spaces/${segment(spaceId)}/tickets`, { method: 'DELETE' }, z.null());
  }

  #call<T>(serverUrl: string, route: string, call: ApiCall, answer: z.ZodType<T>): Promise<T> {
    const session = this.#keeper.getSession();
    if (!session || session.serverUrl !== serverUrl) throw new PermissionError('Sign in first.');
    return callServer(this.#fetch, serverUrl, route, { ...call, token: session.token }, answer);
  }
}
