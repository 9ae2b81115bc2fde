/**
 * Who is signed in on the listener page. The session (token, expiry, account)
 * is kept in localStorage, never in a cookie or the URL, so it survives a
 * reload and no other site's request carries it. On start a kept session is
 * checked with the server and dropped when it is gone or expired.
 * Components subscribe to its snapshots (useSyncExternalStore).
 */
import { sessionSchema, type AccountApi, type AccountSession, type ListenerAccount, type SignInInput, type SignUpInput } from './account-api.ts';

export const SESSION_KEY = 'spacecraft.listener.session';

export type AccountSnapshot =
  | { status: 'checking'; account: ListenerAccount; token: string }
  | { status: 'guest'; account: null; token: null }
  | { status: 'signed-in'; account: ListenerAccount; token: string };

const GUEST: AccountSnapshot = { status: 'guest', account: null, token: null };

/** A stored session, when it is readable and not yet expired. */
function readSession(storage: Storage, now: Date): AccountSession | null {
  let raw: string | null;
  try {
    raw = storage.getItem(SESSION_KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  let parsed: ReturnType<typeof sessionSchema.safeParse>;
  try {
    parsed = sessionSchema.safeParse(JSON.parse(raw));
  } catch {
    parsed = sessionSchema.safeParse(null);
  }
  if (!parsed.success || !(Date.parse(parsed.data.expiresAt) > now.getTime())) {
    storage.removeItem(SESSION_KEY);
    return null;
  }
  return parsed.data;
}

export class AccountStore {
  readonly #api: AccountApi;
  readonly #storage: Storage;
  readonly #listeners = new Set<() => void>();
  #snapshot: AccountSnapshot;

  constructor(api: AccountApi, storage: Storage, now = new Date()) {
    this.#api = api;
    this.#storage = storage;
    const kept = readSession(storage, now);
    this.#snapshot = kept ? { status: 'checking', account: kept.account, token: kept.token } : GUEST;
  }

  get snapshot(): AccountSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Checks a kept session with the server: signed in if it still holds, a guest if the server refuses it. */
  async restore(): Promise<void> {
    const current = this.#snapshot;
    if (current.status !== 'checking') return;
    try {
      const account = await this.#api.me(current.token);
      if (this.#snapshot.token === current.token) this.#set({ status: 'signed-in', account, token: current.token });
    } catch (error) {
      if (this.#snapshot.token !== current.token) return;
      // Only a refusal ends the session; an unreachable server keeps it for later.
      if ((error as { code?: unknown }).code === 'PERMISSION_DENIED') this.#forget();
      else this.#set({ status: 'signed-in', account: current.account, token: current.token });
    }
  }

  async signIn(input: SignInInput): Promise<ListenerAccount> {
    return this.#keep(await this.#api.signIn(input));
  }

  async signUp(input: SignUpInput): Promise<ListenerAccount> {
    return this.#keep(await this.#api.signUp(input));
  }

  /** Forgets the session here at once, and ends it on the server when it can be reached. */
  async signOut(): Promise<void> {
    const token = this.#snapshot.token;
    this.#forget();
    if (token) await this.#api.signOut(token);
  }

  #keep(session: AccountSession): ListenerAccount {
    this.#storage.setItem(SESSION_KEY, JSON.stringify(session));
    this.#set({ status: 'signed-in', account: session.account, token: session.token });
    return session.account;
  }

  #forget(): void {
    this.#storage.removeItem(SESSION_KEY);
    this.#set(GUEST);
  }

  #set(snapshot: AccountSnapshot): void {
    this.#snapshot = snapshot;
    for (const listener of this.#listeners) listener();
  }
}
