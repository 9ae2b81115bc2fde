/**
 * The HLS overflow tier through a real server: the host and an accepted speaker publish tones from
 * real WebRTC peers; a listener asks for the overflow URL, and the playlist, the fMP4 init and the
 * segments come over plain HTTP with cache headers. The segments, decoded by ffmpeg, carry both
 * tones mixed (the program stream). Signed URLs: a tampered, expired, malformed or other Space's
 * token is refused before anything is looked up.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { HlsSigner } from '../../server/http/hls-signing.ts';
import { requireFfmpeg } from '../support/ffmpeg.ts';
import { requireCommand } from '../support/require-tool.ts';
import { toneDbfs } from '../support/rtp-tones.ts';
import { signIn, startTestServer, type TestServer } from '../support/server-fixture.ts';
import { readWav } from '../support/wav.ts';
import { WrtcStagePeer } from '../support/wrtc-stage-peer.ts';

const HOST_HZ = 600;
const SPEAKER_HZ = 1000;
const HEARD_DBFS = -35;
const SECRET = 'test-overflow-secret-0123456789abcdef';

let server: TestServer;
let dir: string;
const peers: WrtcStagePeer[] = [];

// One server for the file (its start, with the demo accounts, is most of the time); each test has its own Space.
beforeAll(async () => {
  requireFfmpeg();
  requireCommand('gst-launch-1.0', ['--version']);
  dir = mkdtempSync(join(tmpdir(), 'spacecraft-hls-test-'));
  server = await startTestServer({ SPACECRAFT_HOST_GRACE_MS: '0', SPACECRAFT_STATE_INTERVAL_MS: '50', SPACECRAFT_HLS_URL_SECRET: SECRET, SPACECRAFT_HLS_URL_TTL_SECONDS: '60' });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  // The host leaving ends its Space (no grace): its packaging stops.
  for (const peer of peers.splice(0)) peer.close();
});

async function peer(options: { sessionToken?: string; origin?: string } = {}): Promise<WrtcStagePeer> {
  const p = await WrtcStagePeer.connect(server.url, options);
  peers.push(p);
  return p;
}

/** A live Space: the host publishing HOST_HZ, and demo_ada accepted onto the stage publishing SPEAKER_HZ, unmuted. */
async function liveSpaceWithSpeaker(): Promise<string> {
  const host = await peer({ sessionToken: server.hostToken, origin: server.url });
  const created = await host.signalling.request('createSpace', { title: 'Overflow' });
  await host.load(created.routerRtpCapabilities);
  await host.publishTone(HOST_HZ);
  const ada = await peer({ sessionToken: await signIn(server.url, 'demo_ada', DEMO_PASSWORD) });
  await ada.join(created.space.spaceId);
  await ada.comeOnStage(host);
  await ada.publishTone(SPEAKER_HZ);
  await ada.signalling.request('setMuted', { muted: false });
  return created.space.spaceId;
}

type Overflow = { playlistUrl: string; expiresAt: string; behindSeconds: number };

async function overflowOf(spaceId: string): Promise<Overflow> {
  const response = await fetch(`${server.url}/api/spaces/${spaceId}/overflow`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Overflow;
}

const segmentsOf = (playlist: string) => playlist.split('\n').filter((line) => /^seg-\d+\.m4s$/.test(line));

describe('the HLS overflow tier', { timeout: 90_000 }, () => {
  it("serves the program (host and speaker mixed) as fMP4 HLS over plain HTTP with cache headers", async () => {
    const spaceId = await liveSpaceWithSpeaker();
    const overflow = await overflowOf(spaceId);
    expect(overflow.playlistUrl).toMatch(new RegExp(`^/hls/${spaceId}/\\d+\\.[A-Za-z0-9_-]{43}/index\\.m3u8$`));
    expect(overflow.behindSeconds).toBeGreaterThan(0);
    const base = `${server.url}${overflow.playlistUrl.slice(0, overflow.playlistUrl.lastIndexOf('/') + 1)}`;

    // Let a few segments be written.
    let playlist = '';
    await expect
      .poll(async () => {
        const response = await fetch(`${base}index.m3u8`);
        expect(response.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
        expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
        playlist = await response.text();
        return segmentsOf(playlist).length;
      }, { timeout: 20_000, interval: 500 })
      .toBeGreaterThanOrEqual(4);
    expect(playlist).toContain('#EXT-X-MAP:URI="init.mp4"');
    expect(playlist).not.toContain('#EXT-X-ENDLIST');

    const init = await fetch(`${base}init.mp4`);
    expect(init.headers.get('cache-control')).toBe('public, max-age=86400, immutable');
    const parts = [Buffer.from(await init.arrayBuffer())];
    // The last segments: the mix has settled by then.
    for (const name of segmentsOf(playlist).slice(-3)) {
      const segment = await fetch(`${base}${name}`);
      expect(segment.status).toBe(200);
      expect(segment.headers.get('content-type')).toBe('audio/mp4');
      parts.push(Buffer.from(await segment.arrayBuffer()));
    }
    const mp4 = join(dir, `${spaceId}.mp4`);
    const wavPath = join(dir, `${spaceId}.wav`);
    writeFileSync(mp4, Buffer.concat(parts));
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', mp4, '-ac', '1', '-c:a', 'pcm_s16le', wavPath]);
    const wav = readWav(readFileSync(wavPath));
    expect(wav.durationSeconds).toBeGreaterThan(2);
    const host = toneDbfs(wav.mono, wav.sampleRate, HOST_HZ);
    const speaker = toneDbfs(wav.mono, wav.sampleRate, SPEAKER_HZ);
    console.info(`overflow segments (${wav.durationSeconds.toFixed(1)} s): host ${host.toFixed(1)} dBFS, speaker ${speaker.toFixed(1)} dBFS`);
    expect(host).toBeGreaterThan(HEARD_DBFS);
    expect(speaker).toBeGreaterThan(HEARD_DBFS);
  });

  it('refuses tampered, expired, malformed and other Spaces\' tokens, odd file names, and Spaces not live', async () => {
    const spaceId = await liveSpaceWithSpeaker();
    const { playlistUrl } = await overflowOf(spaceId);
    const token = playlistUrl.split('/')[3]!;
    const status = async (path: string) => (await fetch(`${server.url}${path}`)).status;
    expect(await status(playlistUrl)).toBe(200);

    const [expiry, mac] = token.split('.') as [string, string];
    const flipped = `${mac.slice(0, 10)}${mac[10] === 'A' ? 'B' : 'A'}${mac.slice(11)}`;
    expect(await status(`/hls/${spaceId}/${expiry}.${flipped}/index.m3u8`)).toBe(403);
    // A later expiry with the old signature.
    expect(await status(`/hls/${spaceId}/${Number(expiry) + 3600}.${mac}/index.m3u8`)).toBe(403);
    // Signed with the right secret but expired.
    const signer = new HlsSigner(SECRET, 60);
    const old = signer.token(spaceId, Date.now() - 3_600_000).token;
    const expired = await fetch(`${server.url}/hls/${spaceId}/${old}/index.m3u8`);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
    // Signed with another secret.
    const forged = new HlsSigner('another-secret-0123456789abcdef0123456789', 60).token(spaceId).token;
    expect(await status(`/hls/${spaceId}/${forged}/index.m3u8`)).toBe(403);
    // Another Space's valid token does not open this one (nor the other way round).
    const otherToken = signer.token('some-other-space').token;
    expect(await status(`/hls/${spaceId}/${otherToken}/index.m3u8`)).toBe(403);
    expect(await status(`/hls/some-other-space/${token}/index.m3u8`)).toBe(403);
    for (const bad of ['open', '', '1.2', `${expiry}.${mac}x`, `${expiry}..${mac}`]) expect(await status(`/hls/${spaceId}/${encodeURIComponent(bad)}/index.m3u8`)).toBeOneOf([403, 404]);
    // Only the packager's own files, never a path out of its folder.
    for (const file of ['program.sdp', '..%2F..%2Fetc%2Fpasswd', 'seg-1.m4s.tmp', 'index.m3u8%00']) expect(await status(`/hls/${spaceId}/${token}/${file}`)).toBe(404);
    // A Space that is not live has no overflow.
    expect((await fetch(`${server.url}/api/spaces/no-such-space/overflow`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/spaces/${encodeURIComponent('../x')}/overflow`)).status).toBe(400);
  });

  it('stops packaging and removes the files when the Space ends', async () => {
    const spaceId = await liveSpaceWithSpeaker();
    const { playlistUrl } = await overflowOf(spaceId);
    expect((await fetch(`${server.url}${playlistUrl}`)).status).toBe(200);
    await peers[0]!.signalling.request('endSpace', {});
    await expect.poll(async () => (await fetch(`${server.url}${playlistUrl}`)).status, { timeout: 10_000 }).toBe(404);
    expect((await fetch(`${server.url}/api/spaces/${spaceId}/overflow`)).status).toBe(404);
  });
});
