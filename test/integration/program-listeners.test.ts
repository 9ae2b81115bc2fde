/**
 * Listeners on the program stream (issue #12): a real server with SPACECRAFT_PROGRAM_MIX_FROM_LISTENERS=2,
 * the host and an accepted speaker publishing tones from real WebRTC peers. Below the threshold the
 * state names no program; once the audience reaches it, the state names the program producer, and a
 * listener consuming that one stream hears the host AND the speaker (both frequencies measured).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { requireCommand } from '../support/require-tool.ts';
import { signIn, startTestServer, type TestServer } from '../support/server-fixture.ts';
import { nextNotification } from '../support/signalling.ts';
import { WrtcStagePeer } from '../support/wrtc-stage-peer.ts';

const HOST_HZ = 600;
const SPEAKER_HZ = 1000;
/** The two tones mixed at −12 dBFS peak each: each well above this in the program. */
const HEARD_DBFS = -30;

let server: TestServer;
const peers: WrtcStagePeer[] = [];

beforeAll(async () => {
  requireCommand('gst-launch-1.0', ['--version']);
  server = await startTestServer({ SPACECRAFT_HOST_GRACE_MS: '0', SPACECRAFT_STATE_INTERVAL_MS: '50', SPACECRAFT_PROGRAM_MIX_FROM_LISTENERS: '2' });
});

afterAll(async () => server?.close());

afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
});

async function peer(options: { sessionToken?: string; origin?: string } = {}): Promise<WrtcStagePeer> {
  const p = await WrtcStagePeer.connect(server.url, options);
  peers.push(p);
  return p;
}

describe('listeners on the program stream', { timeout: 90_000 }, () => {
  it('past the threshold, the state names the program, and its one stream carries the host and the speaker', async () => {
    const host = await peer({ sessionToken: server.hostToken, origin: server.url });
    const created = await host.signalling.request('createSpace', { title: 'Program' });
    const spaceId = created.space.spaceId;
    await host.load(created.routerRtpCapabilities);
    const hostProducerId = await host.publishTone(HOST_HZ);

    // demo_ada joins (1 listener: below the threshold) and is brought on stage.
    const ada = await peer({ sessionToken: await signIn(server.url, 'demo_ada', DEMO_PASSWORD) });
    const adaJoined = await ada.join(spaceId);
    expect(adaJoined.space.programProducerId).toBeUndefined();
    const asked = nextNotification(host.signalling, 'stageRequests', (r) => r.requests.length === 1);
    await ada.signalling.request('requestToSpeak', {});
    const { requests } = await asked;
    const seated = nextNotification(ada.signalling, 'yourRole', (r) => r.role === 'speaker');
    await host.signalling.request('answerRequest', { peerId: requests[0]!.peerId, accept: true });
    await seated;
    const speakerProducerId = await ada.publishTone(SPEAKER_HZ);
    await ada.signalling.request('setMuted', { muted: false });

    // The second listener reaches the threshold: the program starts and everyone is told.
    const bob = await peer();
    const told = nextNotification(bob.signalling, 'spaceState', (s) => typeof s.programProducerId === 'string');
    await bob.join(spaceId);
    const state = await told;
    const programId = state.programProducerId!;
    expect([hostProducerId, speakerProducerId]).not.toContain(programId);

    const meter = await bob.listen(programId);
    await expect.poll(async () => (await meter.measure(500, SPEAKER_HZ)).toneDbfs, { timeout: 20_000, interval: 0 }).toBeGreaterThan(HEARD_DBFS);
    const speaker = await meter.measure(1000, SPEAKER_HZ);
    const hostTone = await meter.measure(1000, HOST_HZ);
    console.info(`program stream at a listener: host ${hostTone.toneDbfs.toFixed(1)} dBFS, speaker ${speaker.toneDbfs.toFixed(1)} dBFS, RMS ${speaker.rmsDbfs.toFixed(1)} dBFS`);
    expect(hostTone.toneDbfs).toBeGreaterThan(HEARD_DBFS);
    expect(speaker.toneDbfs).toBeGreaterThan(HEARD_DBFS);
  });
});
