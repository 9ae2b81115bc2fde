/**
 * The studio's scheduling and co-host invites, end to end through its IPC contract: the typed
 * `window.studio` API over the real dispatcher and services, the studio's main process calling a
 * real server's Space API with the signed-in session (PGlite in memory).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioApi, StudioError, type StudioApi } from '../../electron/contract.ts';
import { createDispatcher } from '../../electron/ipc/dispatcher.ts';
import { MemorySettingsStore } from '../../electron/settings/settings-store.ts';
import { createStudioServices } from '../../electron/studio-services.ts';
import { DEMO_CREATOR, DEMO_LISTENERS, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';

let server: TestServer;

/** A studio pointed at `url` (no Electron: the contract over the dispatcher, as the bridge serves it). */
function studio(url: string): { api: StudioApi; settings: MemorySettingsStore } {
  const settings = new MemorySettingsStore();
  const dispatch = createDispatcher(createStudioServices({ settings, supervisor: null, remote: { url } }).handlers, pino({ level: 'silent' }));
  return { api: createStudioApi({ invoke: (channel, input) => dispatch(channel, input), subscribe: () => () => undefined }), settings };
}

const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

async function refusal(call: Promise<unknown>): Promise<StudioError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StudioError);
  return error as StudioError;
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('the studio schedules Spaces and invites co-hosts', () => {
  it('schedules, lists, edits and cancels a Space for the signed-in host', async () => {
    const { api } = studio(server.url);
    await api.account.signIn({ handle: DEMO_CREATOR.handle, password: DEMO_PASSWORD });
    const scheduled = await api.spaces.schedule({ title: 'Album night', startsAt: inHours(48), timeZone: 'Europe/Berlin' });
    expect(scheduled).toMatchObject({ title: 'Album night', status: 'scheduled', timeZone: 'Europe/Berlin', link: `${server.url}/s/${scheduled.id}` });
    expect((await api.spaces.listUpcoming()).spaces.map((s) => s.id)).toContain(scheduled.id);

    const moved = await api.spaces.edit({ spaceId: scheduled.id, startsAt: inHours(72), title: 'Album night (moved)' });
    expect(moved.title).toBe('Album night (moved)');
    expect(new Date(moved.scheduledFor!).getTime()).toBeGreaterThan(new Date(scheduled.scheduledFor!).getTime());

    expect((await api.spaces.cancel({ spaceId: scheduled.id })).status).toBe('cancelled');
    expect((await api.spaces.listUpcoming()).spaces.map((s) => s.id)).not.toContain(scheduled.id);
    expect((await refusal(api.spaces.edit({ spaceId: scheduled.id, title: 'Back?' }))).code).toBe('INVALID_STATE');
  });

  it('refuses a start past 30 days or in the past with the server’s sentence, and nothing is stored', async () => {
    const { api } = studio(server.url);
    await api.account.signIn({ handle: DEMO_CREATOR.handle, password: DEMO_PASSWORD });
    const before = (await api.spaces.listUpcoming()).spaces.length;
    expect((await refusal(api.spaces.schedule({ title: 'Too far', startsAt: inHours(31 * 24), timeZone: 'UTC' }))).code).toBe('VALIDATION');
    expect((await refusal(api.spaces.schedule({ title: 'Too late', startsAt: inHours(-1), timeZone: 'UTC' }))).code).toBe('VALIDATION');
    expect((await refusal(api.spaces.schedule({ title: 'Nowhere', startsAt: inHours(2), timeZone: 'Mars/Olympus' }))).code).toBe('VALIDATION');
    expect((await api.spaces.listUpcoming()).spaces.length).toBe(before);
  });

  it('invites a co-host whose own studio accepts once; revoked and reused codes are refused', async () => {
    const host = studio(server.url);
    await host.api.account.signIn({ handle: DEMO_CREATOR.handle, password: DEMO_PASSWORD });
    const space = await host.api.spaces.schedule({ title: 'Duet', startsAt: inHours(5), timeZone: 'UTC' });
    const invite = await host.api.invites.create({ spaceId: space.id, handle: DEMO_LISTENERS[0]!.handle, expiresInMinutes: 60 });
    expect(invite.link).toContain(`#invite=${invite.code}`);
    expect((await host.api.invites.list({ spaceId: space.id })).invites).toMatchObject([{ handle: DEMO_LISTENERS[0]!.handle, status: 'pending' }]);

    const cohost = studio(server.url);
    await cohost.api.account.signIn({ handle: DEMO_LISTENERS[0]!.handle, password: DEMO_PASSWORD });
    // The co-host's studio reads no invites of someone else's Space.
    expect((await refusal(cohost.api.invites.list({ spaceId: space.id }))).code).toMatch(/PERMISSION_DENIED|NOT_FOUND/);
    expect(await cohost.api.invites.accept({ code: invite.code })).toEqual({ spaceId: space.id, role: 'cohost' });
    expect((await refusal(cohost.api.invites.accept({ code: invite.code }))).code).toMatch(/INVALID_STATE|NOT_FOUND/);
    expect((await host.api.invites.list({ spaceId: space.id })).invites[0]!.status).toBe('used');

    const second = await host.api.invites.create({ spaceId: space.id, handle: DEMO_LISTENERS[1]!.handle });
    await host.api.invites.revoke({ spaceId: space.id, inviteId: second.invite.id });
    const other = studio(server.url);
    await other.api.account.signIn({ handle: DEMO_LISTENERS[1]!.handle, password: DEMO_PASSWORD });
    expect((await refusal(other.api.invites.accept({ code: second.code }))).code).toMatch(/INVALID_STATE|NOT_FOUND|PERMISSION_DENIED/);
  });

  it('says "sign in first" when signed out, keeps the token out of the settings, and reports a server that is down', async () => {
    const { api, settings } = studio(server.url);
    expect((await refusal(api.spaces.listUpcoming())).code).toBe('PERMISSION_DENIED');
    await api.account.signIn({ handle: DEMO_CREATOR.handle, password: DEMO_PASSWORD });
    expect(JSON.stringify(await api.settings.get())).not.toContain(settings.getSession()!.token);
    // Input the contract refuses never reaches the server.
    expect((await refusal(api.spaces.schedule({ title: '', startsAt: 'soon', timeZone: 'UTC' }))).code).toBe('VALIDATION');

    const down = studio('http://127.0.0.1:9');
    down.settings.setSession({ serverUrl: 'http://127.0.0.1:9', token: 'x'.repeat(43) });
    expect((await refusal(down.api.spaces.listUpcoming())).code).toBe('UNAVAILABLE');
  });
});
