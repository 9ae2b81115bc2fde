/**
 * A server that crashes mid-Space (SIGKILL: nothing is ended, nothing flushed) and starts again on
 * the same data folder brings its live Space back with its stage: the host takes it back by
 * signing in as the host's account (the old host key died with the process), a speaker's seat
 * comes back with their account, and nobody else can take the host's place. A host that does not
 * come back within the restore grace ends the Space with host-left, in memory and in the records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_LISTENERS, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { useForkedServers, type ForkedServer } from '../support/forked-server.ts';
import { freePort } from '../support/free-port.ts';
import { openRaw, type RawClient, type Reply } from '../support/raw-client.ts';
import { signIn } from '../support/server-fixture.ts';

const OPUS_RTP = {
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
  encodings: [{ ssrc: 1111 }],
  rtcp: { cname: 'host' },
};

const clients: RawClient[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.socket.terminate();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
// After the hook above: after-each hooks run last-registered first, so the servers are gone before their folders.
const servers = useForkedServers();

/** `server/main.ts` as a child on a data folder; resolves once it listens. */
function startServer(dataDir: string, port: number, env: Record<string, string> = {}): Promise<ForkedServer> {
  return servers.start({ SPACECRAFT_DATA_DIR: dataDir, SPACECRAFT_PORT: String(port), SPACECRAFT_DEMO_DATA: 'true', ...env });
}

const crash = servers.crash;

function ok(reply: Reply): Record<string, unknown> {
  expect(reply, JSON.stringify(reply.error)).toMatchObject({ ok: true });
  return reply.data as Record<string, unknown>;
}

async function connect(url: string, sessionToken: string | null, origin: string | null = url): Promise<RawClient> {
  const client = await openRaw(url, origin ? { origin } : {});
  clients.push(client);
  if (sessionToken) ok(await client.request('signIn', { sessionToken }));
  return client;
}

async function spaceInfo(url: string, spaceId: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${url}/api/spaces/${spaceId}`)).json()) as Record<string, unknown>;
}

describe('a server that crashes mid-Space', { timeout: 120_000 }, () => {
  it('comes back with the Space and its stage; the host takes it back by account, nobody else can', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-restart-'));
    dirs.push(dir);
    const port = await freePort();
    let server = await startServer(dir, port);
    const hostToken = await signIn(server.url, 'demo_creator', DEMO_PASSWORD);
    const ada = DEMO_LISTENERS[0]!;
    const adaToken = await signIn(server.url, ada.handle, DEMO_PASSWORD);

    const host = await connect(server.url, hostToken);
    const created = ok(await host.request('createSpace', { title: 'Survives a crash' }));
    const spaceId = (created['space'] as { spaceId: string }).spaceId;
    const send = ok(await host.request('createTransport', { direction: 'send' }));
    ok(await host.request('produce', { transportId: send['id'], kind: 'audio', rtpParameters: OPUS_RTP }));
    const speaker = await connect(server.url, adaToken, null);
    ok(await speaker.request('joinSpace', { spaceId }));
    ok(await speaker.request('requestToSpeak'));
    await expect.poll(() => speaker.inbox.some((m) => m['notification'] === 'yourRole')).toBe(true);
    const requestPeer = (speaker.inbox.find((m) => m['notification'] === 'yourRole')!['data'] as { peerId: string }).peerId;
    ok(await host.request('answerRequest', { peerId: requestPeer, accept: true }));
    await expect.poll(async () => ((await spaceInfo(server.url, spaceId))['stage'] as Array<{ handle: string; role: string }>)?.map((m) => `${m.handle}:${m.role}`)).toContain(`${ada.handle}:speaker`);

    await crash(server);
    server = await startServer(dir, port);

    const restored = await spaceInfo(server.url, spaceId);
    expect(restored).toMatchObject({ spaceId, title: 'Survives a crash', status: 'live', hostConnected: false });

    // Neither a guest, nor another signed-in account, nor a wrong key takes the host's place.
    const guest = await connect(server.url, null);
    expect(await guest.request('resumeSpace', { spaceId })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    const bob = await connect(server.url, await signIn(server.url, DEMO_LISTENERS[1]!.handle, DEMO_PASSWORD));
    expect(await bob.request('resumeSpace', { spaceId })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await bob.request('resumeSpace', { spaceId, hostKey: created['hostKey'] as string })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });

    // The host's account does (its session lives in the database, so its token still works).
    const back = await connect(server.url, hostToken);
    const resumed = ok(await back.request('resumeSpace', { spaceId }));
    expect(resumed['space']).toMatchObject({ spaceId, status: 'live', hostConnected: true });
    ok(await back.request('produce', { transportId: ok(await back.request('createTransport', { direction: 'send' }))['id'], kind: 'audio', rtpParameters: OPUS_RTP }));

    // The speaker joins again with her account and is on stage again.
    const again = await connect(server.url, adaToken, null);
    const joined = ok(await again.request('joinSpace', { spaceId }));
    expect((joined['space'] as { stage: Array<{ handle: string; role: string }> }).stage.map((m) => `${m.handle}:${m.role}`)).toEqual(expect.arrayContaining(['demo_creator:host', `${ada.handle}:speaker`]));
    expect(await spaceInfo(server.url, spaceId)).toMatchObject({ hostConnected: true, listenerCount: expect.any(Number) });
  });

  it('ends a restored Space with host-left when its host does not come back in time, in the records too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-restart-'));
    dirs.push(dir);
    const port = await freePort();
    let server = await startServer(dir, port);
    const host = await connect(server.url, await signIn(server.url, 'demo_creator', DEMO_PASSWORD));
    const spaceId = ((ok(await host.request('createSpace', { title: 'Left behind' }))['space']) as { spaceId: string }).spaceId;
    await crash(server);
    server = await startServer(dir, port, { SPACECRAFT_RESTORE_GRACE_MS: '300' });
    await expect.poll(async () => (await spaceInfo(server.url, spaceId))['status'], { timeout: 10_000 }).toBe('ended');
    // Another restart finds nothing to bring back: the end was stored.
    await crash(server);
    server = await startServer(dir, port);
    expect(await spaceInfo(server.url, spaceId)).toMatchObject({ status: 'ended' });
  });
});
