/**
 * Listeners on the program stream (issue #12): a real server with SPACECRAFT_PROGRAM_MIX_FROM_LISTENERS=2,
 * the host and an accepted speaker publishing tones from real WebRTC peers. Below the threshold the
 * state names no program; once the audience reaches it, the state names the program producer, and a
 * listener consuming that one stream hears the host AND the speaker (both frequencies measured).
 */
import { readdirSync, readFileSync } from 'node:fs';
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
    await ada.comeOnStage(host);
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

  it('a mixer that dies for good takes the program out of the state: listeners go back to each voice', async () => {
    const host = await peer({ sessionToken: server.hostToken, origin: server.url });
    const created = await host.signalling.request('createSpace', { title: 'Program dies' });
    await host.load(created.routerRtpCapabilities);
    await host.publishTone(HOST_HZ);
    const bob = await peer();
    await bob.join(created.space.spaceId);
    const carol = await peer();
    const told = nextNotification(bob.signalling, 'spaceState', (s) => typeof s.programProducerId === 'string');
    await carol.join(created.space.spaceId);
    await told;

    // Its process killed again and again: after a few restarts the mixer gives up.
    const dropped = nextNotification(bob.signalling, 'spaceState', (s) => s.programProducerId === undefined);
    let gone = false;
    void dropped.then(() => (gone = true));
    for (let i = 0; i < 60 && !gone; i++) {
      for (const pid of mixerPids()) process.kill(pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const state = await dropped;
    expect(state.hostProducerId).toBeTruthy();
    expect(state.status).toBe('live');
  });
});

/** The GStreamer mixers this process started (from /proc: their parent is this process). */
function mixerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (match && match[1] === 'gst-launch-1.0' && Number(match[2]) === process.pid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
