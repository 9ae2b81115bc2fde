/**
 * The listener page's account client against a real server (in-memory
 * database): sign-up, sign-in, a kept session checked on reload, sign-out, and
 * the server's refusals as typed errors with their field problems.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/server.ts';
import { startTestServer } from '../support/server-fixture.ts';
import { AccountApi, fieldProblems } from '../../renderer/listener/account/account-api.ts';
import { AccountStore, SESSION_KEY } from '../../renderer/listener/account/account-store.ts';

/** localStorage as the browser has it, in memory. */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
}

let server: RunningServer;
let api: AccountApi;
beforeAll(async () => {
  server = await startTestServer({ SPACECRAFT_ACCOUNT_ATTEMPTS_PER_IP: '1000' });
  api = new AccountApi(server.url);
});
afterAll(() => server?.close());

describe('the listener page account store', () => {
  it('signs up, keeps the session across a reload, and forgets it on sign-out (the server ends it too)', async () => {
    const storage = new MemoryStorage();
    const store = new AccountStore(api, storage);
    expect(store.snapshot.status).toBe('guest');
    const account = await store.signUp({ handle: 'Ada_Page', displayName: 'Ada', password: 'a-long-password' });
    expect(account).toMatchObject({ handle: 'ada_page', displayName: 'Ada' });
    expect(store.snapshot).toMatchObject({ status: 'signed-in', account: { handle: 'ada_page' } });
    const token = store.snapshot.token!;

    // A reload: a new store over the same storage checks the kept session with the server.
    const reloaded = new AccountStore(api, storage);
    expect(reloaded.snapshot.status).toBe('checking');
    await reloaded.restore();
    expect(reloaded.snapshot).toMatchObject({ status: 'signed-in', token, account: { handle: 'ada_page' } });

    await reloaded.signOut();
    expect(reloaded.snapshot.status).toBe('guest');
    expect(storage.getItem(SESSION_KEY)).toBeNull();
    await expect(api.me(token)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('drops a kept session the server no longer knows, and one that has expired', async () => {
    const storage = new MemoryStorage();
    const session = await api.signUp({ handle: 'bob_page', displayName: 'Bob', password: 'bob-password-1' });
    storage.setItem(SESSION_KEY, JSON.stringify(session));
    await api.signOut(session.token);
    const store = new AccountStore(api, storage);
    await store.restore();
    expect(store.snapshot.status).toBe('guest');
    expect(storage.getItem(SESSION_KEY)).toBeNull();

    storage.setItem(SESSION_KEY, JSON.stringify({ ...session, expiresAt: '2000-01-01T00:00:00.000Z' }));
    expect(new AccountStore(api, storage).snapshot.status).toBe('guest');
    storage.setItem(SESSION_KEY, '{not json');
    expect(new AccountStore(api, storage).snapshot.status).toBe('guest');
  });

  it('signs in with a handle in any case, and refuses a wrong password with the server’s sentence', async () => {
    await api.signUp({ handle: 'cyd_page', displayName: 'Cyd', password: 'cyd-password-1' });
    const store = new AccountStore(api, new MemoryStorage());
    await expect(store.signIn({ handle: 'cyd_page', password: 'wrong-password' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/\w+ \w+/) });
    expect(store.snapshot.status).toBe('guest');
    await store.signIn({ handle: ' CYD_page ', password: 'cyd-password-1' });
    expect(store.snapshot).toMatchObject({ status: 'signed-in', account: { handle: 'cyd_page', displayName: 'Cyd' } });
  });

  it('names each wrong sign-up field, and a taken handle', async () => {
    const bad = await api.signUp({ handle: 'x', displayName: '', password: 'short' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'VALIDATION' });
    expect(Object.keys(fieldProblems(bad)).sort()).toEqual(['displayName', 'handle', 'password']);
    expect(fieldProblems(bad)['password']).toMatch(/at least 10 characters/);

    await api.signUp({ handle: 'dee_page', displayName: 'Dee', password: 'dee-password-1' });
    const taken = await api.signUp({ handle: 'dee_page', displayName: 'Dee 2', password: 'dee-password-2' }).catch((e: unknown) => e);
    expect(taken).toMatchObject({ code: 'INVALID_STATE' });
    expect(fieldProblems(taken)).toEqual({ handle: 'The handle @dee_page is taken.' });
  });

  it('says the server cannot be reached when nothing answers, and keeps a kept session for later', async () => {
    const offline = new AccountApi('http://127.0.0.1:9');
    await expect(offline.signIn({ handle: 'ada_page', password: 'x' })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('cannot be reached') });
    const storage = new MemoryStorage();
    storage.setItem(SESSION_KEY, JSON.stringify({ token: 't0k3n', expiresAt: new Date(Date.now() + 60_000).toISOString(), account: { id: 'a', handle: 'ada_page', displayName: 'Ada' } }));
    const store = new AccountStore(offline, storage);
    await store.restore();
    expect(store.snapshot).toMatchObject({ status: 'signed-in', token: 't0k3n' });
    expect(storage.getItem(SESSION_KEY)).not.toBeNull();
  });
});
