/**
 * The studio's account on its server: sign-up, sign-in and sign-out through the server's account
 * API, called from the studio's main process (no page origin involved), and the session kept by
 * the settings store across restarts. A session belongs to the server that issued it: pointed at
 * another server, the studio is signed out there.
 */
import { z } from 'zod';
import { ownProfileJsonSchema, sessionJsonSchema, type SignInBody, type SignUpBody } from '../server/http/account-api.ts';
import { SpacecraftError } from '../server/errors.ts';
import type { StudioAccount } from './contract.ts';
import { callServer, type Fetch } from './server-api.ts';

/** What the settings store keeps: the session token and the server it belongs to. */
export const storedSessionSchema = z.object({ serverUrl: z.string().max(2048), token: z.string().max(200) });
export type StoredSession = z.output<typeof storedSessionSchema>;

export interface SessionKeeper {
  getSession(): StoredSession | null;
  setSession(session: StoredSession | null): void;
}

export class StudioAccounts {
  readonly #keeper: SessionKeeper;
  readonly #fetch: Fetch;

  constructor(keeper: SessionKeeper, fetchImpl: Fetch = fetch) {
    this.#keeper = keeper;
    this.#fetch = fetchImpl;
  }

  /** The signed-in account on `serverUrl`, or null. An expired or revoked session is forgotten. */
  async current(serverUrl: string): Promise<StudioAccount | null> {
    const stored = this.#keeper.getSession();
    if (!stored || stored.serverUrl !== serverUrl) return null;
    try {
      return await this.#account(serverUrl, stored.token);
    } catch (error) {
      if (error instanceof SpacecraftError && (error.code === 'PERMISSION_DENIED' || error.code === 'NOT_FOUND')) {
        this.#keeper.setSession(null);
        return null;
      }
      throw error;
    }
  }

  async signIn(serverUrl: string, input: SignInBody): Promise<StudioAccount> {
    const session = await callServer(this.#fetch, serverUrl, '/api/accounts/sessions', { method: 'POST', body: input }, sessionJsonSchema);
    return this.#keep(serverUrl, session.token);
  }

  async signUp(serverUrl: string, input: SignUpBody): Promise<StudioAccount> {
    const session = await callServer(this.#fetch, serverUrl, '/api/accounts', { method: 'POST', body: input }, sessionJsonSchema);
    return this.#keep(serverUrl, session.token);
  }

  /** Ends the session on the server (when it can be reached) and forgets it here either way. */
  async signOut(serverUrl: string): Promise<null> {
    const stored = this.#keeper.getSession();
    this.#keeper.setSession(null);
    if (stored && stored.serverUrl === serverUrl) {
      await callServer(this.#fetch, serverUrl, '/api/accounts/sessions/current', { method: 'DELETE', token: stored.token }, z.null()).catch(() => null);
    }
    return null;
  }

  async #keep(serverUrl: string, token: string): Promise<StudioAccount> {
    const account = await this.#account(serverUrl, token);
    this.#keeper.setSession({ serverUrl, token });
    return account;
  }

  async #account(serverUrl: string, token: string): Promise<StudioAccount> {
    const me = await callServer(this.#fetch, serverUrl, '/api/accounts/me', { token }, ownProfileJsonSchema);
    return { id: me.id, handle: me.handle, displayName: me.displayName, followers: me.followers, mayHost: me.mayHost, followersNeeded: me.followersNeeded, sessionToken: token };
  }
}
