/**
 * The studio's scheduled Spaces and co-host invites, through its server's Space API, called from
 * the studio's main process with the signed-in session (electron/studio-account.ts). Signed out,
 * every call says so as a typed error.
 */
import { z } from 'zod';
import { PermissionError, ValidationError } from '../server/errors.ts';
import {
  acceptedInviteJsonSchema,
  createdInviteJsonSchema,
  inviteListJsonSchema,
  spaceJsonSchema,
  spaceListJsonSchema,
  type ScheduleBody,
} from '../server/http/space-api.ts';
import { callServer, type ApiCall, type Fetch } from './server-api.ts';
import type { SessionKeeper } from './studio-account.ts';

const path = (...parts: string[]) => `/api/${parts.map(segment).join('/')}`;

/** One path segment; text that has no UTF-8 form (a lone surrogate) is refused as invalid, not thrown as a URIError. */
function segment(part: string): string {
  try {
    return encodeURIComponent(part);
  } catch {
    throw new ValidationError('That id cannot be part of an address.');
  }
}

export class StudioSpaces {
  readonly #keeper: SessionKeeper;
  readonly #fetch: Fetch;

  constructor(keeper: SessionKeeper, fetchImpl: Fetch = fetch) {
    this.#keeper = keeper;
    this.#fetch = fetchImpl;
  }

  upcoming(serverUrl: string) {
    return this.#call(serverUrl, '/api/accounts/me/spaces', {}, spaceListJsonSchema);
  }

  schedule(serverUrl: string, input: ScheduleBody) {
    return this.#call(serverUrl, path('spaces'), { method: 'POST', body: input }, spaceJsonSchema);
  }

  edit(serverUrl: string, input: { spaceId: string; title?: string | undefined; startsAt?: string | undefined; timeZone?: string | undefined }) {
    const { spaceId, ...change } = input;
    return this.#call(serverUrl, path('spaces', spaceId), { method: 'PATCH', body: change }, spaceJsonSchema);
  }

  cancel(serverUrl: string, spaceId: string) {
    return this.#call(serverUrl, path('spaces', spaceId, 'cancel'), { method: 'POST' }, spaceJsonSchema);
  }

  invite(serverUrl: string, input: { spaceId: string; handle: string; expiresInMinutes?: number | undefined }) {
    const { spaceId, ...body } = input;
    return this.#call(serverUrl, path('spaces', spaceId, 'invites'), { method: 'POST', body }, createdInviteJsonSchema);
  }

  invites(serverUrl: string, spaceId: string) {
    return this.#call(serverUrl, path('spaces', spaceId, 'invites'), {}, inviteListJsonSchema);
  }

  async revokeInvite(serverUrl: string, input: { spaceId: string; inviteId: string }): Promise<null> {
    return this.#call(serverUrl, path('spaces', input.spaceId, 'invites', input.inviteId), { method: 'DELETE' }, z.null());
  }

  acceptInvite(serverUrl: string, code: string) {
    return this.#call(serverUrl, path('invites', 'accept'), { method: 'POST', body: { code } }, acceptedInviteJsonSchema);
  }

  #call<T>(serverUrl: string, route: string, call: ApiCall, answer: z.ZodType<T>): Promise<T> {
    const session = this.#keeper.getSession();
    if (!session || session.serverUrl !== serverUrl) throw new PermissionError('Sign in first.');
    return callServer(this.#fetch, serverUrl, route, { ...call, token: session.token }, answer);
  }
}
