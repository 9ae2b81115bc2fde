/**
 * The server against hostile and broken clients: who may connect, what one
 * connection may hold, floods, brute force, dead peers, and a join storm's
 * state traffic. Each attack is made for real over WebSockets against a real
 * server with real mediasoup workers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_LISTENERS, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { MAX_REQUESTS_IN_FLIGHT } from '../../server/signalling/session.ts';
import { openRaw, type RawClient, type Reply } from '../support/raw-client.ts';
import { signIn, startTestServer, type TestServer } from '../support/server-fixture.ts';

let server: TestServer | null = null;
const clients: RawClient[] = [];

async function serve(env: Record<string, string> = {}): Promise<TestServer> {
  server = await startTestServer(env);
  return server;
}

async function open(options: { origin?: string | null; autoPong?: boolean } = {}): Promise<RawClient> {
  const origin = options.origin === undefined ? server!.url : options.origin ?? undefined;
  const client = await openRaw(server!.url, { ...(origin ? { origin } : {}), autoPong: options.autoPong ?? true });
  clients.push(client);
  return client;
}

function ok(reply: Reply): Record<string, unknown> {
  expect(reply, JSON.stringify(reply.error)).toMatchObject({ ok: true });
  return reply.data as Record<string, unknown>;
}

const OPUS_RTP = {
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
  encodings: [{ ssrc: 1111 }],
  rtcp: { cname: 'host' },
};

/** Signs a connection in as the demo creator (who may host). */
async function asHost(client: RawClient): Promise<RawClient> {
  ok(await client.request('signIn', { sessionToken: server!.hostToken }));
  return client;
}

/** A live Space whose host publishes (the producer exists; no media needs to flow for these tests). */
async function publishingSpace(): Promise<{ host: RawClient; spaceId: string; producerId: string; hostKey: string }> {
  const host = await asHost(await open());
  const created = ok(await host.request('createSpace', { title: 'Attack surface' }));
  const transport = ok(await host.request('createTransport', { direction: 'send' }));
  const produced = ok(await host.request('produce', { transportId: transport['id'], kind: 'audio', rtpParameters: OPUS_RTP }));
  const space = created['space'] as { spaceId: string };
  return { host, spaceId: space.spaceId, producerId: produced['producerId'] as string, hostKey: created['hostKey'] as string };
}

async function listenerIn(spaceId: string): Promise<{ client: RawClient; caps: unknown }> {
  const client = await open({ origin: null });
  const joined = ok(await client.request('joinSpace', { spaceId }));
  return { client, caps: joined['routerRtpCapabilities'] };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close();
  server = null;
});

describe('who may connect', () => {
  it('refuses the upgrade from a page of another origin (403), before any WebSocket exists', async () => {
    await serve();
    await expect(openRaw(server!.url, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const health = (await (await fetch(`${server!.url}/health`)).json()) as { connections: number };
    expect(health.connections).toBe(0);
  });

  it("accepts the server's own origin, its loopback alias, and configured extra origins, which may host", async () => {
    await serve({ SPACECRAFT_ALLOWED_ORIGINS: 'https://studio.example, http://127.0.0.1:4401' });
    for (const origin of [server!.url, server!.url.replace('127.0.0.1', 'localhost'), 'app://studio', 'https://studio.example', 'http://127.0.0.1:4401']) {
      const client = await open({ origin });
      ok(await client.request('ping'));
    }
    const studio = await asHost(await open({ origin: 'https://studio.example' }));
    ok(await studio.request('createSpace', { title: 'From the studio' }));
    for (const origin of ['http://127.0.0.1:4402', 'null', 'file://', 'app://evil']) {
      await expect(openRaw(server!.url, { origin }), origin).rejects.toMatchObject({ status: 403 });
    }
  });

  it("lets a native client without an Origin listen, but not host, even signed in as the host's account", async () => {
    await serve();
    const { spaceId, hostKey } = await publishingSpace();
    const native = await asHost(await open({ origin: null }));
    expect(await native.request('createSpace', { title: 'Stolen' })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await native.request('resumeSpace', { spaceId, hostKey })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    ok(await native.request('joinSpace', { spaceId }));
  });
});

describe('what one connection may hold', () => {
  it('one receiving transport, no sending one for a listener, one consumer per producer', async () => {
    await serve();
    const { spaceId, producerId } = await publishingSpace();
    const { client, caps } = await listenerIn(spaceId);
    const recv = ok(await client.request('createTransport', { direction: 'recv' }));
    expect(await client.request('createTransport', { direction: 'recv' })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    expect(await client.request('createTransport', { direction: 'send' })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    ok(await client.request('consume', { transportId: recv['id'], producerId, rtpCapabilities: caps }));
    for (let i = 0; i < 3; i++) {
      expect(await client.request('consume', { transportId: recv['id'], producerId, rtpCapabilities: caps })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    }
  });

  it('one sending transport for the host', async () => {
    await serve();
    const { host } = await publishingSpace();
    expect(await host.request('createTransport', { direction: 'send' })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
  });

  it("cannot touch another connection's transport or consumer", async () => {
    await serve();
    const { spaceId, producerId } = await publishingSpace();
    const a = await listenerIn(spaceId);
    const b = await listenerIn(spaceId);
    const aTransport = ok(await a.client.request('createTransport', { direction: 'recv' }));
    const aConsumer = ok(await a.client.request('consume', { transportId: aTransport['id'], producerId, rtpCapabilities: a.caps }));
    const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') }] };
    expect(await b.client.request('connectTransport', { transportId: aTransport['id'], dtlsParameters })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await b.client.request('consume', { transportId: aTransport['id'], producerId, rtpCapabilities: b.caps })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await b.client.request('resumeConsumer', { consumerId: aConsumer['consumerId'] })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('floods and brute force', () => {
  it(`answers every request of a burst, refusing those past ${MAX_REQUESTS_IN_FLIGHT} in flight with RATE_LIMITED`, async () => {
    await serve();
    const client = await open();
    const replies = await Promise.all(Array.from({ length: 200 }, () => client.request('joinSpace', { spaceId: 'nope' })));
    const codes = replies.map((r) => r.error?.code);
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThan(0);
    expect(codes.filter((c) => c === 'NOT_FOUND').length).toBeGreaterThanOrEqual(MAX_REQUESTS_IN_FLIGHT);
    expect(codes.every((c) => c === 'RATE_LIMITED' || c === 'NOT_FOUND')).toBe(true);
    ok(await client.request('ping'));
  });

  it('refuses new connections from an address past its rate (429 at the upgrade)', async () => {
    await serve({ SPACECRAFT_IP_CONNECTIONS_PER_MINUTE: '5' });
    for (let i = 0; i < 5; i++) await open();
    await expect(openRaw(server!.url, { origin: server!.url })).rejects.toMatchObject({ status: 429 });
  });

  it('refuses joins from an address past its rate', async () => {
    await serve({ SPACECRAFT_IP_JOINS_PER_MINUTE: '3' });
    const { spaceId } = await publishingSpace();
    for (let i = 0; i < 3; i++) await listenerIn(spaceId);
    const late = await open({ origin: null });
    const refused = await late.request('joinSpace', { spaceId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect((refused.error!.details as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
  });

  it('locks signing in from an address after five wrong session tokens, even for the right one', async () => {
    await serve();
    const guesser = await open();
    for (let i = 0; i < 5; i++) {
      expect(await guesser.request('signIn', { sessionToken: `guess-${i}` })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    }
    expect(await guesser.request('signIn', { sessionToken: server!.hostToken })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(await guesser.request('createSpace', { title: 'Guess' })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect((await (await fetch(`${server!.url}/health`)).json()) as object).toMatchObject({ liveSpaces: 0 });
  });

  it('lets only a signed-in account with enough followers host, and says how many followers are missing', async () => {
    await serve();
    const guest = await open();
    expect(await guest.request('createSpace', { title: 'Anonymous' })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED', message: 'Sign in to host a Space.' } });
    const listener = await open();
    const token = await signIn(server!.url, DEMO_LISTENERS[0]!.handle, DEMO_PASSWORD);
    expect(ok(await listener.request('signIn', { sessionToken: token }))).toMatchObject({ mayHost: false, followersNeeded: 600 });
    expect(await listener.request('createSpace', { title: 'Too early' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_ELIGIBLE', message: 'Hosting needs 600 followers: you need 600 more.', details: { followersNeeded: 600, minFollowers: 600 } },
    });
    // One account per connection: signing in again as someone else is refused, and the first account stays.
    expect(await listener.request('signIn', { sessionToken: server!.hostToken })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(await listener.request('createSpace', { title: 'Borrowed' })).toMatchObject({ ok: false, error: { code: 'NOT_ELIGIBLE' } });
    expect((await (await fetch(`${server!.url}/health`)).json()) as object).toMatchObject({ liveSpaces: 0 });
  });

  it('caps the Spaces one account keeps live, and frees a place when one ends', async () => {
    await serve({ SPACECRAFT_LIVE_SPACES_PER_ACCOUNT: '2' });
    const hosts = [await asHost(await open()), await asHost(await open()), await asHost(await open())];
    ok(await hosts[0]!.request('createSpace', { title: 'One' }));
    ok(await hosts[1]!.request('createSpace', { title: 'Two' }));
    expect(await hosts[2]!.request('createSpace', { title: 'Three' })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    ok(await hosts[0]!.request('endSpace'));
    ok(await hosts[2]!.request('createSpace', { title: 'Three' }));
  });
});

describe('dead peers and a host that comes back', () => {
  it('drops a connection that stops answering pings, and keeps one that answers', async () => {
    await serve({ SPACECRAFT_HEARTBEAT_MS: '150' });
    const dead = await open({ autoPong: false });
    const alive = await open();
    expect(await dead.closed).toBe(1006);
    ok(await alive.request('ping'));
    await expect.poll(async () => ((await (await fetch(`${server!.url}/health`)).json()) as { connections: number }).connections, { timeout: 5000 }).toBe(1);
  });

  it('ends the Space with host-left once a half-open host misses its heartbeat and its grace runs out', async () => {
    await serve({ SPACECRAFT_HEARTBEAT_MS: '150', SPACECRAFT_HOST_GRACE_MS: '300', SPACECRAFT_STATE_INTERVAL_MS: '50' });
    const host = await asHost(await open({ autoPong: false }));
    const created = ok(await host.request('createSpace', { title: 'Half-open' }));
    const spaceId = (created['space'] as { spaceId: string }).spaceId;
    const { client: listener } = await listenerIn(spaceId);
    await expect.poll(() => listener.inbox.some((m) => m['notification'] === 'spaceState' && (m['data'] as { hostConnected: boolean }).hostConnected === false), { timeout: 5000 }).toBe(true);
    await expect.poll(() => listener.inbox.find((m) => m['notification'] === 'spaceEnded')?.['data'], { timeout: 5000 }).toEqual({ spaceId, reason: 'host-left' });
  });

  it('lets the host take the Space back on a new connection within the grace, with its key only', async () => {
    await serve({ SPACECRAFT_HOST_GRACE_MS: '1500', SPACECRAFT_STATE_INTERVAL_MS: '50' });
    const { host, spaceId, hostKey } = await publishingSpace();
    const { client: listener } = await listenerIn(spaceId);
    host.socket.terminate();
    await expect.poll(() => listener.inbox.some((m) => m['notification'] === 'spaceState' && (m['data'] as { hostConnected: boolean; hostProducerId: string | null }).hostConnected === false), { timeout: 5000 }).toBe(true);
    const thief = await open();
    expect(await thief.request('resumeSpace', { spaceId, hostKey: 'not-the-key' })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    const back = await open();
    const resumed = ok(await back.request('resumeSpace', { spaceId, hostKey }));
    expect(resumed['space']).toMatchObject({ spaceId, status: 'live', hostConnected: true, hostProducerId: null });
    const transport = ok(await back.request('createTransport', { direction: 'send' }));
    ok(await back.request('produce', { transportId: transport['id'], kind: 'audio', rtpParameters: OPUS_RTP }));
    // Well past the grace: still live, and the listener sees the host's new audio.
    await new Promise((resolve) => setTimeout(resolve, 1800));
    expect(listener.inbox.some((m) => m['notification'] === 'spaceEnded')).toBe(false);
    const last = [...listener.inbox].reverse().find((m) => m['notification'] === 'spaceState')!['data'] as { hostConnected: boolean; hostProducerId: string | null };
    expect(last).toMatchObject({ hostConnected: true });
    expect(last.hostProducerId).not.toBeNull();
    expect(await thief.request('resumeSpace', { spaceId, hostKey })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
  });
});

describe('a join storm', () => {
  it('sends state coalesced (at most one frame per interval), serialised once, and the count exact once joins settle', async () => {
    const intervalMs = 200;
    await serve({ SPACECRAFT_STATE_INTERVAL_MS: String(intervalMs) });
    const { host, spaceId } = await publishingSpace();
    const joiners = 60;
    const started = Date.now();
    const listeners = await Promise.all(Array.from({ length: joiners }, () => listenerIn(spaceId)));
    const joinedAfter = Date.now() - started;
    await expect.poll(() => {
      const states = host.inbox.filter((m) => m['notification'] === 'spaceState');
      return (states.at(-1)?.['data'] as { listenerCount: number } | undefined)?.listenerCount;
    }, { timeout: 5000 }).toBe(joiners);
    const elapsed = Date.now() - started;
    const hostFrames = host.inbox.filter((m) => m['notification'] === 'spaceState').length;
    // One frame per join would be 60 here (and 60 × 60 / 2 across listeners); coalesced it is bounded by time.
    expect(hostFrames).toBeLessThanOrEqual(Math.ceil(elapsed / intervalMs) + 2);
    expect(hostFrames).toBeLessThan(joiners / 2);
    const listenerFrames = listeners.reduce((sum, l) => sum + l.client.inbox.filter((m) => m['notification'] === 'spaceState').length, 0);
    expect(listenerFrames).toBeLessThanOrEqual(joiners * (Math.ceil(elapsed / intervalMs) + 2));
    expect(joinedAfter).toBeGreaterThan(0);
  });
});
