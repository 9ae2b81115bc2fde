/**
 * The stage with real media: a real server (real mediasoup worker, real
 * signalling, demo accounts), and real WebRTC peers in Node (libwebrtc) that
 * publish a tone and decode what they receive. Each test measures the audio.
 */
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import type { SpaceState } from '../../server/signalling/protocol.ts';
import { signIn, startTestServer, type TestServer } from '../support/server-fixture.ts';
import { nextNotification } from '../support/signalling.ts';
import { WrtcStagePeer } from '../support/wrtc-stage-peer.ts';

const TONE_HZ = 600;
/** A −12 dBFS-peak sine is about −15 dBFS RMS; anything above this is clearly the tone. */
const HEARD_DBFS = -30;
/** Below this the tone is gone (a paused producer sends nothing). */
const SILENT_DBFS = -60;

let server: TestServer;
const peers: WrtcStagePeer[] = [];
const producers = new Map<string, types.Producer>();
const transports = new Map<string, types.Transport>();
const onWorker = (worker: types.Worker) =>
  worker.observer.on('newrouter', (router) =>
    router.observer.on('newtransport', (transport) => {
      transports.set(transport.id, transport);
      transport.observer.on('newproducer', (producer) => producers.set(producer.id, producer));
    }),
  );

beforeEach(async () => {
  mediasoup.observer.on('newworker', onWorker);
  server = await startTestServer({ SPACECRAFT_HOST_GRACE_MS: '0', SPACECRAFT_STATE_INTERVAL_MS: '50' });
});

afterEach(async () => {
  mediasoup.observer.off('newworker', onWorker);
  for (const peer of peers.splice(0)) peer.close();
  producers.clear();
  transports.clear();
  await server.close();
});

async function peer(options: { as?: string; studio?: boolean } = {}): Promise<WrtcStagePeer> {
  const sessionToken = options.as === 'host' ? server.hostToken : options.as ? await signIn(server.url, options.as, DEMO_PASSWORD) : undefined;
  const p = await WrtcStagePeer.connect(server.url, { ...(sessionToken ? { sessionToken } : {}), ...(options.studio ? { origin: server.url } : {}) });
  peers.push(p);
  return p;
}

function stageMember(state: SpaceState, handle: string) {
  return state.stage.find((member) => member.handle === handle);
}

/** A live Space, and demo_ada accepted onto the stage, publishing a tone, unmuted. */
async function speakerOnStage() {
  const host = await peer({ as: 'host', studio: true });
  const created = await host.signalling.request('createSpace', { title: 'Stage test' });
  const spaceId = created.space.spaceId;
  await host.load(created.routerRtpCapabilities);
  const ada = await peer({ as: 'demo_ada' });
  await ada.join(spaceId);
  const { request, role: me } = await ada.comeOnStage(host);
  expect(request).toMatchObject({ handle: 'demo_ada' });
  const producerId = await ada.publishTone(TONE_HZ);
  // On stage muted: the producer is paused on the server until the speaker unmutes.
  expect(producers.get(producerId)?.paused).toBe(true);
  await ada.signalling.request('setMuted', { muted: false });
  expect(producers.get(producerId)?.paused).toBe(false);
  return { host, ada, spaceId, producerId, adaPeerId: me.peerId };
}

describe('the stage with real audio', () => {
  it("an accepted speaker's microphone reaches a listener, who finds it in the stage state", async () => {
    const { spaceId, producerId } = await speakerOnStage();
    const bob = await peer();
    const joined = await bob.join(spaceId);
    expect(stageMember(joined.space, 'demo_ada')).toMatchObject({ role: 'speaker', producerId, muted: false, mutedByHost: false });
    const meter = await bob.listen(producerId);
    await expect.poll(async () => (await meter.measure(500, TONE_HZ)).toneDbfs, { timeout: 10_000, interval: 0 }).toBeGreaterThan(HEARD_DBFS);
    const heard = await meter.measure(1000, TONE_HZ);
    console.info(`speaker → listener: tone ${heard.toneDbfs.toFixed(1)} dBFS, RMS ${heard.rmsDbfs.toFixed(1)} dBFS over ${heard.frames} frames`);
    expect(heard.toneDbfs).toBeGreaterThan(HEARD_DBFS);
    // The tone is what is heard: nearly all the energy is at its frequency.
    expect(heard.rmsDbfs - heard.toneDbfs).toBeLessThan(1);
  });

  it("a host mute pauses the speaker's producer on the server and silences it; the speaker's own unmute is refused", async () => {
    const { host, ada, spaceId, producerId, adaPeerId } = await speakerOnStage();
    const bob = await peer();
    await bob.join(spaceId);
    const meter = await bob.listen(producerId);
    await expect.poll(async () => (await meter.measure(500, TONE_HZ)).toneDbfs, { timeout: 10_000, interval: 0 }).toBeGreaterThan(HEARD_DBFS);

    const seen = nextNotification(bob.signalling, 'spaceState', (s) => stageMember(s, 'demo_ada')?.mutedByHost === true);
    await host.signalling.request('muteSpeaker', { peerId: adaPeerId, muted: true });
    expect(producers.get(producerId)?.paused).toBe(true);
    expect((await producers.get(producerId)!.dump()).paused).toBe(true);
    expect(stageMember(await seen, 'demo_ada')).toMatchObject({ muted: true, mutedByHost: true });
    await expect.poll(async () => (await meter.measure(500, TONE_HZ)).toneDbfs, { timeout: 10_000, interval: 0 }).toBeLessThan(SILENT_DBFS);

    await expect(ada.signalling.request('setMuted', { muted: false })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect((await producers.get(producerId)!.dump()).paused).toBe(true);
    const after = await meter.measure(1000, TONE_HZ);
    console.info(`after a host mute and the speaker's refused unmute: tone ${after.toneDbfs.toFixed(1)} dBFS`);
    expect(after.toneDbfs).toBeLessThan(SILENT_DBFS);

    // Lifted, the speaker unmutes and is heard again.
    await host.signalling.request('muteSpeaker', { peerId: adaPeerId, muted: false });
    await ada.signalling.request('setMuted', { muted: false });
    await expect.poll(async () => (await meter.measure(500, TONE_HZ)).toneDbfs, { timeout: 10_000, interval: 0 }).toBeGreaterThan(HEARD_DBFS);
  });

  it('a speaker who disconnects leaves no producer and no transport behind, and leaves the stage', async () => {
    const { host, ada, producerId, adaPeerId } = await speakerOnStage();
    const gone = nextNotification(host.signalling, 'spaceState', (s) => !stageMember(s, 'demo_ada'));
    ada.close();
    await gone;
    await expect.poll(() => producers.get(producerId)?.closed, { timeout: 5000 }).toBe(true);
    const adas = [...transports.values()].filter((t) => t.appData['peerId'] === adaPeerId);
    expect(adas.map((t) => t.appData['direction'])).toEqual(['send']);
    expect(adas.every((t) => t.closed)).toBe(true);
    expect([...producers.values()].filter((p) => !p.closed)).toEqual([]);
  });

  it('a speaker moved back to listener stops being heard: the producer closes and they cannot publish again', async () => {
    const { host, ada, producerId, adaPeerId } = await speakerOnStage();
    const back = nextNotification(ada.signalling, 'yourRole', (r) => r.role === 'listener');
    await host.signalling.request('moveToListener', { peerId: adaPeerId });
    await back;
    expect(producers.get(producerId)?.closed).toBe(true);
    await expect(ada.signalling.request('createTransport', { direction: 'send' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('a removed account is told, its connection leaves the Space, and it cannot rejoin on a new connection', async () => {
    const { host, spaceId } = await speakerOnStage();
    const bob = await peer({ as: 'demo_bob' });
    const { you } = await bob.join(spaceId);
    expect(you).toMatchObject({ role: 'listener', requestPending: false });
    const told = nextNotification(bob.signalling, 'spaceEnded');
    await host.signalling.request('removeFromSpace', { peerId: you.peerId });
    expect(await told).toEqual({ spaceId, reason: 'removed' });
    await expect(bob.signalling.request('consume', { transportId: 'x', producerId: 'y', rtpCapabilities: {} })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    const again = await peer({ as: 'demo_bob' });
    await expect(again.join(spaceId)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('says who is speaking (the audio level observer): the speaker while the tone plays, nobody once the host mutes them', async () => {
    const { host, spaceId, producerId, adaPeerId } = await speakerOnStage();
    const bob = await peer();
    await bob.join(spaceId);
    // The host's studio publishes nothing here: the only loud producer is the speaker's.
    expect(await nextNotification(bob.signalling, 'speaking', (s) => s.producerIds.includes(producerId))).toEqual({ producerIds: [producerId] });
    const quiet = nextNotification(bob.signalling, 'speaking', (s) => s.producerIds.length === 0);
    await host.signalling.request('muteSpeaker', { peerId: adaPeerId, muted: true });
    expect(await quiet).toEqual({ producerIds: [] });
  });

  it('brings reactions from signed-in listeners to the host, counted, and refuses a guest', async () => {
    const { host, spaceId } = await speakerOnStage();
    const bob = await peer({ as: 'demo_bob' });
    await bob.join(spaceId);
    const guest = await peer();
    await guest.join(spaceId);
    const batch = nextNotification(host.signalling, 'reactions');
    await bob.signalling.request('react', { emoji: '🔥' });
    await bob.signalling.request('react', { emoji: '🔥' });
    await bob.signalling.request('react', { emoji: '👏' });
    await expect(guest.signalling.request('react', { emoji: '🔥' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(await batch).toEqual({ counts: [{ emoji: '🔥', count: 2 }, { emoji: '👏', count: 1 }] });
  });
});
