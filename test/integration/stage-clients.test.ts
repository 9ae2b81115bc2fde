/**
 * The client libraries the studio and the listener page use (LiveSession,
 * ListenerSession, MediaSession, StageReceiver), driven as the UI drives them,
 * against a real server, with real WebRTC underneath (libwebrtc in Node: the
 * same mediasoup-client handler as Chrome). Each voice is a tone of its own and
 * each stream is measured: host 440 Hz, speaker 1000 Hz, co-host 700 Hz.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListenerSession } from '../../renderer/listener/listener-session.ts';
import { MediaSession } from '../../renderer/lib/media-session.ts';
import { signallingUrl, type SignallingClient } from '../../renderer/lib/signalling-client.ts';
import { LiveSession, type LiveDeps } from '../../renderer/studio/features/stage/lib/live-session.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { KyselyStageRecords } from '../../server/db/space-store.ts';
import type { SpaceId } from '../../server/domain/space.ts';
import { signIn, startTestServer, type TestServer } from '../support/server-fixture.ts';
import { connectClient } from '../support/signalling.ts';
import { meterOf, toneTrack, type Meter, type Tone } from '../support/wrtc-stage-peer.ts';

const HOST_HZ = 440;
const SPEAKER_HZ = 1000;
const COHOST_HZ = 700;
const HEARD_DBFS = -30;
const SILENT_DBFS = -60;

let server: TestServer;
const closers: Array<() => void> = [];

beforeEach(async () => {
  server = await startTestServer({ SPACECRAFT_HOST_GRACE_MS: '0', SPACECRAFT_STATE_INTERVAL_MS: '50' });
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) close();
  await server.close();
});

/** Browser deps for Node: libwebrtc's handler named, streams as libwebrtc MediaStreams; `studio` sends the studio's Origin. */
function deps(studio: boolean) {
  return {
    connect: (url: string): Promise<SignallingClient> => {
      expect(url).toBe(signallingUrl(server.url));
      return connectClient(server.url, studio ? { origin: server.url } : {});
    },
    createMedia: (signalling: SignallingClient, caps: Record<string, unknown>) => MediaSession.create(signalling, caps, { handlerName: 'Chrome111' }),
    streamOf: (track: MediaStreamTrack) => new MediaStream([track]),
  };
}

function tone(hz: number): Tone {
  const t = toneTrack(hz);
  closers.push(() => t.stop());
  return t;
}

const meters = new Map<MediaStream, Meter>();
function meter(stream: MediaStream): Meter {
  let m = meters.get(stream);
  if (!m) {
    m = meterOf(stream.getAudioTracks()[0]!);
    meters.set(stream, m);
    closers.push(() => m!.stop());
  }
  return m;
}

/** The tone level of `hz` in the stream of `producerId`, polled until it satisfies `check`. */
async function expectTone(streams: () => ReadonlyArray<{ producerId: string; stream: MediaStream }>, producerId: string, hz: number, check: (db: number) => boolean): Promise<number> {
  let last = -150;
  await expect
    .poll(
      async () => {
        const entry = streams().find((s) => s.producerId === producerId);
        if (!entry) return false;
        last = (await meter(entry.stream).measure(400, hz)).toneDbfs;
        return check(last);
      },
      { timeout: 10_000, interval: 0 },
    )
    .toBe(true);
  return last;
}

async function goLive(): Promise<{ live: LiveSession; spaceId: string }> {
  const live = await LiveSession.start({ serverUrl: server.url, sessionToken: server.hostToken, title: 'Libraries', track: tone(HOST_HZ).track }, deps(true) as Partial<LiveDeps>);
  closers.push(() => void live.end().catch(() => undefined));
  return { live, spaceId: live.snapshot.space.spaceId };
}

async function listener(spaceId: string, handle?: string): Promise<ListenerSession> {
  const session = new ListenerSession(deps(false));
  closers.push(() => session.close());
  const sessionToken = handle ? await signIn(server.url, handle, DEMO_PASSWORD) : null;
  await session.join(server.url, spaceId, { sessionToken });
  return session;
}

describe('the stage through the client libraries, with real media', { timeout: 60_000 }, () => {
  it('a listener asks, the host accepts, the speaker publishes from the green room; everyone hears everyone; a host mute holds', async () => {
    const { live, spaceId } = await goLive();
    const ada = await listener(spaceId, 'demo_ada');
    const bob = await listener(spaceId);
    expect(ada.snapshot).toMatchObject({ signedIn: true, you: { role: 'listener', requestPending: false } });

    await ada.requestToSpeak();
    await expect.poll(() => live.snapshot.requests.map((r) => r.handle)).toEqual(['demo_ada']);
    await live.answer(live.snapshot.requests[0]!.peerId, true);
    await expect.poll(() => ada.snapshot.you?.role).toBe('speaker');
    await ada.joinStage(tone(SPEAKER_HZ).track);
    await ada.setMuted(false);
    const adaPeerId = ada.snapshot.you!.peerId;
    await expect.poll(() => live.snapshot.space.stage.find((m) => m.peerId === adaPeerId)?.producerId ?? null).not.toBeNull();
    const adaProducer = live.snapshot.space.stage.find((m) => m.peerId === adaPeerId)!.producerId!;
    const hostProducer = live.snapshot.space.hostProducerId!;

    // The listener hears both, each on its own stream; the speaker hears the host but never herself.
    const heardSpeaker = await expectTone(() => bob.snapshot.streams, adaProducer, SPEAKER_HZ, (db) => db > HEARD_DBFS);
    const heardHost = await expectTone(() => bob.snapshot.streams, hostProducer, HOST_HZ, (db) => db > HEARD_DBFS);
    await expectTone(() => ada.snapshot.streams, hostProducer, HOST_HZ, (db) => db > HEARD_DBFS);
    expect(ada.snapshot.streams.map((s) => s.producerId)).toEqual([hostProducer]);
    // The studio monitors the speaker.
    await expectTone(() => live.snapshot.streams, adaProducer, SPEAKER_HZ, (db) => db > HEARD_DBFS);
    console.info(`listener hears speaker ${heardSpeaker.toFixed(1)} dBFS at ${SPEAKER_HZ} Hz, host ${heardHost.toFixed(1)} dBFS at ${HOST_HZ} Hz`);

    await live.mute(adaPeerId, true);
    await expect(ada.setMuted(false)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const muted = await expectTone(() => bob.snapshot.streams, adaProducer, SPEAKER_HZ, (db) => db < SILENT_DBFS);
    await expectTone(() => bob.snapshot.streams, hostProducer, HOST_HZ, (db) => db > HEARD_DBFS);
    console.info(`after the host's mute and the speaker's refused unmute: speaker ${muted.toFixed(1)} dBFS`);

    // Moved back: the speaker's stream leaves every listener, and her microphone stops going out.
    await live.moveToListener(adaPeerId);
    await expect.poll(() => ada.snapshot.publishing).toBe(false);
    await expect.poll(() => bob.snapshot.streams.map((s) => s.producerId)).toEqual([hostProducer]);
  });

  it('a co-host studio joins with its own mix, heard by listeners, and hears the host', async () => {
    const { live, spaceId } = await goLive();
    const token = await signIn(server.url, 'demo_cyd', DEMO_PASSWORD);
    const me = await (await connectClient(server.url)).request('signIn', { sessionToken: token });
    await new KyselyStageRecords(server.database.db).saveRole(spaceId as SpaceId, me.account.id, 'cohost');
    const cohost = await LiveSession.join({ serverUrl: server.url, sessionToken: token, spaceId, track: tone(COHOST_HZ).track }, deps(true) as Partial<LiveDeps>);
    closers.push(() => void cohost.leaveStage().catch(() => undefined));
    expect(cohost.snapshot).toMatchObject({ role: 'cohost', muted: false });
    const bob = await listener(spaceId);
    await expect.poll(() => live.snapshot.space.stage.find((m) => m.role === 'cohost')?.producerId ?? null).not.toBeNull();
    const cohostProducer = live.snapshot.space.stage.find((m) => m.role === 'cohost')!.producerId!;
    const heard = await expectTone(() => bob.snapshot.streams, cohostProducer, COHOST_HZ, (db) => db > HEARD_DBFS);
    await expectTone(() => cohost.snapshot.streams, live.snapshot.space.hostProducerId!, HOST_HZ, (db) => db > HEARD_DBFS);
    console.info(`listener hears the co-host's mix at ${heard.toFixed(1)} dBFS (${COHOST_HZ} Hz)`);
    // A co-host may not end the Space.
    await expect(cohost.end()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('a removed listener is told why and cannot come back', async () => {
    const { live, spaceId } = await goLive();
    const bob = await listener(spaceId, 'demo_bob');
    await live.remove(bob.snapshot.you!.peerId);
    await expect.poll(() => bob.snapshot).toMatchObject({ phase: 'ended', endReason: 'removed', streams: [] });
    const again = new ListenerSession(deps(false));
    closers.push(() => again.close());
    await expect(again.join(server.url, spaceId, { sessionToken: await signIn(server.url, 'demo_bob', DEMO_PASSWORD) })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });
});
