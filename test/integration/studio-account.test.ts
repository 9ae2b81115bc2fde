/**
 * The studio's account path (electron/studio-account.ts through the studio's services) against a
 * real server with the demo accounts: a sign-in or sign-up is kept by the settings store (a `conf`
 * file) across a restart of the studio; a session the server no longer knows is forgotten; a session
 * is only ever sent to the server that issued it; refusals arrive as the server's typed errors with a
 * sentence; a server that cannot be reached is UNAVAILABLE and signs nobody out; the settings the
 * renderer reads never hold the token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { confSettingsStore, type KeyValueSettingsStore } from '../../electron/settings/settings-store.ts';
import { StudioAccounts } from '../../electron/studio-account.ts';
import { createStudioServices } from '../../electron/studio-services.ts';
import { Database } from '../../server/db/database.ts';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { SpacecraftError } from '../../server/errors.ts';
import { freePort } from '../support/free-port.ts';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';

const demo = { handle: DEMO_CREATOR.handle, password: DEMO_PASSWORD };
let server: TestServer;
const folders: string[] = [];

/** A settings store over a new `conf` folder; `reopen()` is the same folder read by a new store, as after a restart. */
function settingsFolder(): { store: KeyValueSettingsStore; reopen(): KeyValueSettingsStore } {
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-account-'));
  folders.push(dir);
  return { store: confSettingsStore(dir), reopen: () => confSettingsStore(dir) };
}

/** What a call threw, for asserting on its code and message. */
async function refusal(call: Promise<unknown>): Promise<SpacecraftError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpacecraftError);
  return error as SpacecraftError;
}

async function me(token: string): Promise<number> {
  return (await fetch(`${server.url}/api/accounts/me`, { headers: { authorization: `Bearer ${token}` } })).status;
}

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the studio's account", { timeout: 60_000 }, () => {
  it('keeps a sign-in across a restart of the studio (a new store on the same folder)', async () => {
    const settings = settingsFolder();
    const account = await new StudioAccounts(settings.store).signIn(server.url, demo);
    expect(account).toMatchObject({ handle: DEMO_CREATOR.handle, displayName: DEMO_CREATOR.displayName, mayHost: true, followersNeeded: 0 });
    expect(account.followers).toBeGreaterThanOrEqual(server.config.accounts.hostMinFollowers);
    expect(await me(account.sessionToken)).toBe(200);

    const restarted = new StudioAccounts(settings.reopen());
    expect(await restarted.current(server.url)).toEqual(account);
  });

  it('keeps a sign-up the same way; a new account still needs followers to host', async () => {
    const settings = settingsFolder();
    const handle = `new_${Date.now().toString(36)}`;
    const account = await new StudioAccounts(settings.store).signUp(server.url, { handle, displayName: 'New Host', password: 'a-long-password' });
    expect(account).toMatchObject({ handle, displayName: 'New Host', followers: 0, mayHost: false, followersNeeded: server.config.accounts.hostMinFollowers });
    expect(await new StudioAccounts(settings.reopen()).current(server.url)).toEqual(account);
  });

  it('forgets a session the server no longer knows (signed out elsewhere), also after a restart', async () => {
    const settings = settingsFolder();
    const accounts = new StudioAccounts(settings.store);
    const { sessionToken } = await accounts.signIn(server.url, demo);
    const revoked = await fetch(`${server.url}/api/accounts/sessions/current`, { method: 'DELETE', headers: { authorization: `Bearer ${sessionToken}` } });
    expect(revoked.status).toBe(204);

    expect(await accounts.current(server.url)).toBeNull();
    expect(settings.store.getSession()).toBeNull();
    expect(settings.reopen().getSession()).toBeNull();
  });

  it('forgets a session that expired on the server while the studio was away', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spacecraft-account-server-'));
    folders.push(dataDir);
    const env = { SPACECRAFT_DATA_DIR: dataDir, SPACECRAFT_PORT: String(await freePort()) };
    const first = await startTestServer(env);
    const settings = settingsFolder();
    const accounts = new StudioAccounts(settings.store);
    await accounts.signIn(first.url, demo);
    await first.close();
    // Time passes beyond the session's end (its expiry moved into the past in the server's own database).
    const database = await Database.open({ kind: 'pglite', dataDir }, pino({ level: 'silent' }));
    await database.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 60_000) }).execute();
    await database.close();

    const again = await startTestServer(env);
    try {
      expect(again.url).toBe(first.url);
      expect(await accounts.current(again.url)).toBeNull();
      expect(settings.reopen().getSession()).toBeNull();
    } finally {
      await again.close();
    }
  });

  it('signs out on the server as well as here', async () => {
    const settings = settingsFolder();
    const accounts = new StudioAccounts(settings.store);
    const { sessionToken } = await accounts.signIn(server.url, demo);
    expect(await accounts.signOut(server.url)).toBeNull();
    expect(await me(sessionToken)).toBe(403);
    expect(settings.reopen().getSession()).toBeNull();
    expect(await accounts.current(server.url)).toBeNull();
  });

  it('never sends a session to another server: pointed elsewhere, the studio is signed out there', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const other = createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const settings = settingsFolder();
      const accounts = new StudioAccounts(settings.store);
      const account = await accounts.signIn(server.url, demo);
      expect(await accounts.current(otherUrl)).toBeNull();
      expect(await accounts.signOut(otherUrl)).toBeNull();
      expect(seen).toEqual([]);
      // Signing out "there" forgets the session here; the issuing server still knows it until it ends.
      expect(settings.store.getSession()).toBeNull();
      expect(await me(account.sessionToken)).toBe(200);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('refuses a wrong password with a sentence, and keeps nothing', async () => {
    const settings = settingsFolder();
    const error = await refusal(new StudioAccounts(settings.store).signIn(server.url, { handle: DEMO_CREATOR.handle, password: 'not-the-password' }));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toBe('That handle and password do not match an account.');
    expect(settings.store.getSession()).toBeNull();
  });

  it("refuses a bad sign-up with the server's list of problems", async () => {
    const settings = settingsFolder();
    const error = await refusal(new StudioAccounts(settings.store).signUp(server.url, { handle: 'x', displayName: 'X', password: 'short' }));
    expect(error.code).toBe('VALIDATION');
    expect(error.details).toEqual(expect.arrayContaining([expect.stringMatching(/^handle:/), expect.stringMatching(/^password:/)]));
    const taken = await refusal(new StudioAccounts(settings.store).signUp(server.url, { handle: DEMO_CREATOR.handle, displayName: 'Impostor', password: 'a-long-password' }));
    expect(taken).toMatchObject({ code: 'INVALID_STATE', message: `The handle @${DEMO_CREATOR.handle} is taken.` });
    expect(settings.store.getSession()).toBeNull();
  });

  it('says UNAVAILABLE when the server is down, and keeps the session for when it is back', async () => {
    const down = await startTestServer();
    const settings = settingsFolder();
    const accounts = new StudioAccounts(settings.store);
    await accounts.signIn(down.url, demo);
    await down.close();

    const error = await refusal(accounts.current(down.url));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: 'The server cannot be reached right now.' });
    expect(settings.store.getSession()).toMatchObject({ serverUrl: down.url });
    expect((await refusal(accounts.signIn(down.url, demo))).code).toBe('UNAVAILABLE');
  });

  it('never puts the session token in the settings the renderer reads', async () => {
    const settings = settingsFolder();
    const services = createStudioServices({ settings: settings.store, supervisor: null, remote: { url: server.url } });
    const account = await services.handlers['studio:account:signIn'](demo);
    const read = JSON.stringify(await services.handlers['studio:settings:get'](undefined));
    const written = JSON.stringify(await services.handlers['studio:settings:update']({ spaceTitle: 'Token check' }));
    expect(read).not.toContain(account.sessionToken);
    expect(written).not.toContain(account.sessionToken);
    expect(JSON.parse(written)).toMatchObject({ spaceTitle: 'Token check' });
    // It is kept, beside the settings.
    expect(await services.handlers['studio:account:get'](undefined)).toEqual(account);
  });
});
