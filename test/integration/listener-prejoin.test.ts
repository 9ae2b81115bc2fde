/**
 * The listener page's pre-join (ListenerSession.prejoin) against a real server
 * with real WebRTC (libwebrtc in Node under mediasoup-client's Chrome handler):
 * before the click everything is done — joined, a consumer on a connected
 * transport, paused on the server, so nothing is heard — and the click sends
 * `resumeConsumer` and `startListening` only, after which the host's 440 Hz
 * tone is heard; the server counts the page as a listener only from the click.
 * A page that idles past the bound lets go of its connection (the server
 * closes its transport and consumer) and is prepared again
 * when it gets attention; a click after that again only resumes.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ListenerSession, type ListenerDeps } from '../../renderer/listener/listener-session.ts';
import { MediaSession } from '../../renderer/lib/media-session.ts';
import type { SignallingClient } from '../../renderer/lib/signalling-client.ts';
import { LiveSession, type LiveDeps } from '../../renderer/studio/features/stage/lib/live-session.ts';
import { MediaLedger } from '../support/media-ledger.ts';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';
import { connectClient } from '../support/signalling.ts';
import { meterOf, toneTrack } from '../support/wrtc-stage-peer.ts';

const HOST_HZ = 440;
const HEARD_DBFS = -30;

const ledger = new MediaLedger();
let server: TestServer;
const closers: Array<() => void> = [];

beforeAll(() => {
  ledger.start();
  return () => ledger.stop();
});

beforeEach(async () => {
  server = await startTestServer({ SPACECRAFT_HOST_GRACE_MS: '0', SPACECRAFT_STATE_INTERVAL_MS: '50' });
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) close();
  await server.close();
});

/** Node's stand-ins for the browser's, recording every request the listener's connections send. */
function nodeDeps(studio: boolean, sent: string[] = []) {
  return {
    connect: async (): Promise<SignallingClient> => {
      const client = await connectClient(server.url, studio ? { origin: server.url } : {});
      const request = client.request.bind(client);
      client.request = ((method: string, data: unknown) => {
        sent.push(method);
        return request(method as never, data as never);
      }) as SignallingClient['request'];
      return client;
    },
    createMedia: (signalling: SignallingClient, caps: Record<string, unknown>) => MediaSession.create(signalling, caps, { handlerName: 'Chrome111' }),
    streamOf: (track: MediaStreamTrack) => new MediaStream([track]),
    heartbeatMs: 0,
  };
}

async function goLive(): Promise<string> {
  const tone = toneTrack(HOST_HZ);
  closers.push(() => tone.stop());
  const live = await LiveSession.start({ serverUrl: server.url, sessionToken: server.hostToken, title: 'Pre-join', track: tone.track }, nodeDeps(true) as Partial<LiveDeps>);
  closers.push(() => void live.end().catch(() => undefined));
  return live.snapshot.space.spaceId;
}

const listenerCount = async (spaceId: string): Promise<number> => {
  const response = await fetch(new URL(`/api/spaces/${spaceId}`, server.url));
  return ((await response.json()) as { listenerCount: number }).listenerCount;
};

/** Consumers alive on the server (the host consumes nobody, so these are the listener's). */
async function serverConsumers(): Promise<string[]> {
  const census = await ledger.census();
  return census.routers.flatMap((r) => r.transports.flatMap((t) => t.consumerIds));
}

/** The host's tone level in the listener's stream (after `ms` of listening). */
async function toneLevel(session: ListenerSession, ms = 500): Promise<number> {
  const stream = session.snapshot.stream;
  if (!stream) return -200;
  const meter = meterOf(stream.getAudioTracks()[0]!);
  try {
    return (await meter.measure(ms, HOST_HZ)).toneDbfs;
  } finally {
    meter.stop();
  }
}

describe('a listener page that pre-joins', { timeout: 60_000 }, () => {
  it('is joined with a paused consumer on a connected transport before the click, hears nothing, and the click only resumes: then it hears the host', async () => {
    const spaceId = await goLive();
    const sent: string[] = [];
    let iceConnected = false;
    const session = new ListenerSession({
      ...nodeDeps(false, sent),
      createMedia: async (signalling, caps) => {
        const media = await MediaSession.create(signalling, caps, { handlerName: 'Chrome111' });
        media.onConnectionState((direction, state) => {
          if (direction === 'recv' && state === 'connected') iceConnected = true;
        });
        return media;
      },
    });
    closers.push(() => session.close());
    session.prejoin(server.url, spaceId);
    await expect.poll(() => iceConnected, { timeout: 15_000 }).toBe(true);
    expect(sent).toEqual(['joinSpace', 'createTransport', 'consume', 'connectTransport']);
    expect(session.prejoined).toBe(true);
    expect(await serverConsumers()).toHaveLength(1);
    // A page view is not a listener: counted only once it plays.
    expect(await listenerCount(spaceId)).toBe(0);
    // Paused on the server: nothing arrives.
    expect(await toneLevel(session)).toBeLessThan(-60);

    sent.length = 0;
    await session.join(server.url, spaceId);
    expect(sent.sort()).toEqual(['resumeConsumer', 'startListening']);
    expect(session.snapshot.phase).toBe('listening');
    await expect.poll(() => toneLevel(session, 400), { timeout: 10_000, interval: 0 }).toBeGreaterThan(HEARD_DBFS);
    expect(await listenerCount(spaceId)).toBe(1);

    // Another page pre-joins and goes without playing: the count neither rose nor falls.
    const visitor = new ListenerSession(nodeDeps(false));
    closers.push(() => visitor.close());
    visitor.prejoin(server.url, spaceId);
    await expect.poll(() => serverConsumers(), { timeout: 15_000 }).toHaveLength(2);
    expect(await listenerCount(spaceId)).toBe(1);
    visitor.close();
    await expect.poll(() => serverConsumers(), { timeout: 10_000 }).toHaveLength(1);
    expect(await listenerCount(spaceId)).toBe(1);
  });

  it('idling past the bound releases its transport and consumer; attention prepares it again, and the click then only resumes', async () => {
    const spaceId = await goLive();
    const sent: string[] = [];
    let attention: (() => void) | null = null;
    const deps: Partial<ListenerDeps> = {
      ...nodeDeps(false, sent),
      prejoinIdleMs: 1500,
      onAttention: (listener) => {
        attention = listener;
        return () => (attention = null);
      },
    };
    const session = new ListenerSession(deps);
    closers.push(() => session.close());
    session.prejoin(server.url, spaceId);
    await expect.poll(() => serverConsumers(), { timeout: 15_000 }).toHaveLength(1);

    // Nobody clicks: the bound passes and everything the page held on the server goes.
    await expect.poll(() => attention !== null, { timeout: 15_000 }).toBe(true);
    expect(session.prejoined).toBe(false);
    await expect.poll(() => serverConsumers(), { timeout: 10_000 }).toEqual([]);
    expect(await listenerCount(spaceId)).toBe(0);
    // Only the host's sending transport is left.
    expect((await ledger.census()).routers.flatMap((r) => r.transports)).toHaveLength(1);

    // The visitor comes back to the page: it pre-joins again.
    sent.length = 0;
    attention!();
    expect(attention).toBeNull();
    await expect.poll(() => serverConsumers(), { timeout: 15_000 }).toHaveLength(1);
    await expect.poll(() => session.prejoined).toBe(true);
    expect(sent).toEqual(['joinSpace', 'createTransport', 'consume', 'connectTransport']);

    sent.length = 0;
    await session.join(server.url, spaceId);
    expect(sent.sort()).toEqual(['resumeConsumer', 'startListening']);
    await expect.poll(() => toneLevel(session, 400), { timeout: 10_000, interval: 0 }).toBeGreaterThan(HEARD_DBFS);
    expect(await listenerCount(spaceId)).toBe(1);
  });
});
