/**
 * A Space's life over real signalling, driven by the renderer's own
 * SignallingClient (Node's WebSocket): roles, counts, notifications, ends.
 */
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignallingClient } from '../../renderer/lib/signalling-client.ts';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';
import { connectClient, nextNotification } from '../support/signalling.ts';

let server: TestServer;
const clients: SignallingClient[] = [];
const workers: types.Worker[] = [];
const onWorker = (worker: types.Worker) => workers.push(worker);

/** A listener (no Origin, like a native client) or, with `host`, the studio (an allowed page origin). */
async function client(as: 'listener' | 'host' = 'listener'): Promise<SignallingClient> {
  const c = await connectClient(server.url, as === 'host' ? { origin: server.url } : {});
  clients.push(c);
  return c;
}

beforeEach(async () => {
  mediasoup.observer.on('newworker', onWorker);
  server = await startTestServer({ SPACECRAFT_HOST_GRACE_MS: '0' });
});

afterEach(async () => {
  mediasoup.observer.off('newworker', onWorker);
  for (const c of clients.splice(0)) c.close();
  workers.length = 0;
  await server.close();
});

async function liveSpace() {
  const host = await client('host');
  await host.request('signIn', { sessionToken: server.hostToken });
  const created = await host.request('createSpace', { title: 'Integration' });
  return { host, spaceId: created.space.spaceId, created };
}

describe('a Space over signalling', () => {
  it('starts with a listener link and the router capabilities', async () => {
    const { created } = await liveSpace();
    expect(created.listenerPath).toBe(`/s/${created.space.spaceId}`);
    expect(created.space).toEqual({ spaceId: created.space.spaceId, title: 'Integration', status: 'live', listenerCount: 0, hostConnected: true, hostMuted: false, hostProducerId: null, stage: [expect.objectContaining({ role: 'host', handle: 'demo_creator', producerId: null, muted: false })] });
    expect(created.hostKey.length).toBeGreaterThanOrEqual(32);
    expect(JSON.stringify(created.routerRtpCapabilities)).toContain('audio/opus');
  });

  it('counts listeners as they join and leave, and tells the host', async () => {
    const { host, spaceId } = await liveSpace();
    const a = await client();
    const two = nextNotification(host, 'spaceState', (s) => s.listenerCount === 2);
    await a.request('joinSpace', { spaceId });
    const b = await client();
    const joined = await b.request('joinSpace', { spaceId });
    expect(joined.space.listenerCount).toBe(2);
    await two;
    const one = nextNotification(host, 'spaceState', (s) => s.listenerCount === 1);
    b.close();
    await one;
    const info = await (await fetch(`${server.url}/api/spaces/${spaceId}`)).json();
    expect(info).toMatchObject({ listenerCount: 1, status: 'live' });
    expect(JSON.stringify(info.routerRtpCapabilities)).toContain('audio/opus');
  });

  it('lets only the host mute and end; listeners get typed refusals', async () => {
    const { host, spaceId } = await liveSpace();
    const listener = await client();
    await listener.request('joinSpace', { spaceId });
    await expect(listener.request('setMuted', { muted: true })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(listener.request('endSpace', {})).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    // A listener may not even open a sending transport, let alone produce on one.
    await expect(listener.request('createTransport', { direction: 'send' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const recv = await listener.request('createTransport', { direction: 'recv' });
    await expect(
      listener.request('produce', { transportId: recv.id, kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }] } }),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(listener.request('joinSpace', { spaceId })).rejects.toMatchObject({ code: 'INVALID_STATE' });

    const muted = nextNotification(listener, 'spaceState', (s) => s.hostMuted);
    await host.request('setMuted', { muted: true });
    await muted;
  });

  it('ends for everyone when the host ends it, and the link then says it ended', async () => {
    const { host, spaceId } = await liveSpace();
    const listener = await client();
    await listener.request('joinSpace', { spaceId });
    const ended = nextNotification(listener, 'spaceEnded');
    await host.request('endSpace', {});
    expect(await ended).toEqual({ spaceId, reason: 'host-ended' });
    expect(await (await fetch(`${server.url}/api/spaces/${spaceId}`)).json()).toMatchObject({ status: 'ended', listenerCount: 0, routerRtpCapabilities: null });
    const late = await client();
    await expect(late.request('joinSpace', { spaceId })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'This Space has ended.' });
  });

  it('ends when the host disconnects', async () => {
    const { host, spaceId } = await liveSpace();
    const listener = await client();
    await listener.request('joinSpace', { spaceId });
    const ended = nextNotification(listener, 'spaceEnded');
    host.close();
    expect(await ended).toEqual({ spaceId, reason: 'host-left' });
  });

  it('ends cleanly when its media worker dies, and the server replaces the worker', async () => {
    const { spaceId } = await liveSpace();
    const listener = await client();
    await listener.request('joinSpace', { spaceId });
    const ended = nextNotification(listener, 'spaceEnded');
    expect(workers).toHaveLength(1);
    process.kill(workers[0]!.pid, 'SIGKILL');
    expect(await ended).toEqual({ spaceId, reason: 'media-failure' });
    await expect.poll(() => workers.length, { timeout: 5000 }).toBe(2);
    // The server carries on: a new Space starts on the replacement worker.
    const again = await liveSpace();
    expect(again.created.space.status).toBe('live');
    expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ status: 'ok', workers: 1 });
  });

  it('tells everyone when the server shuts down', async () => {
    const { host, spaceId } = await liveSpace();
    const ended = nextNotification(host, 'spaceEnded');
    await server.close();
    expect(await ended).toEqual({ spaceId, reason: 'server-shutdown' });
    server = await startTestServer();
  });
});
