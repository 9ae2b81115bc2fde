/**
 * The overflow listener in Chromium (issue #12): a real server, the host publishing a tone from a
 * real WebRTC peer, and the built listener page opened with `?overflow`: after the click it plays
 * the Space's program as HLS through hls.js (no WebRTC), says it is behind, and what it plays is
 * the host's tone (measured in the page with Web Audio on the <audio> element).
 */
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { cleanupsAfterEach } from '../support/e2e-lifecycle.ts';
import { requireFfmpeg } from '../support/ffmpeg.ts';
import { requireCommand } from '../support/require-tool.ts';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';
import { WrtcStagePeer } from '../support/wrtc-stage-peer.ts';

const HOST_HZ = 600;
const cleanups = cleanupsAfterEach();

/** In the page: the dominant frequency and RMS of what the overflow <audio> element plays, over `ms`. */
async function measureOverflowAudio(args: { ms: number; hz: number }): Promise<{ playing: boolean; hz: number; rmsDbfs: number; toneShare: number }> {
  const element = document.querySelector('audio.overflow-audio') as HTMLAudioElement | null;
  if (!element) throw new Error('no overflow audio element');
  const w = window as unknown as { __overflowProbe?: { analyser: AnalyserNode; context: AudioContext } };
  if (!w.__overflowProbe) {
    const context = new AudioContext({ sampleRate: 48000 });
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    context.createMediaElementSource(element).connect(analyser);
    w.__overflowProbe = { analyser, context };
  }
  const { analyser, context } = w.__overflowProbe;
  await context.resume();
  await new Promise((resolve) => setTimeout(resolve, args.ms));
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  const wave = new Float32Array(analyser.fftSize);
  analyser.getFloatFrequencyData(spectrum);
  analyser.getFloatTimeDomainData(wave);
  let best = 1;
  for (let i = 1; i < spectrum.length; i++) if (spectrum[i]! > spectrum[best]!) best = i;
  let sum = 0;
  for (const s of wave) sum += s * s;
  const rms = Math.sqrt(sum / wave.length);
  // Share of the power within ±3 bins of the tone.
  const bin = Math.round((args.hz * analyser.fftSize) / context.sampleRate);
  let total = 0;
  let tone = 0;
  for (let i = 1; i < spectrum.length; i++) {
    const p = 10 ** (spectrum[i]! / 10);
    total += p;
    if (Math.abs(i - bin) <= 3) tone += p;
  }
  return { playing: !element.paused && element.currentTime > 0, hz: (best * context.sampleRate) / analyser.fftSize, rmsDbfs: rms > 0 ? 20 * Math.log10(rms) : -100, toneShare: total > 0 ? tone / total : 0 };
}

describe('the overflow listener in Chromium', { timeout: 120_000 }, () => {
  it("plays the host's tone from the HLS overflow stream through hls.js and says it is behind", async () => {
    requireFfmpeg();
    requireCommand('gst-launch-1.0', ['--version']);
    const server: TestServer = await startTestServer({ SPACECRAFT_HOST_GRACE_MS: '0' });
    cleanups.push(() => server.close());
    const host = await WrtcStagePeer.connect(server.url, { sessionToken: server.hostToken, origin: server.url });
    cleanups.push(async () => host.close());
    const created = await host.signalling.request('createSpace', { title: 'Overflow in Chromium' });
    await host.load(created.routerRtpCapabilities);
    await host.publishTone(HOST_HZ);

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await (await browser.newContext()).newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    await page.goto(`${server.url}/s/${created.space.spaceId}?overflow`);
    await page.getByRole('button', { name: /Listen live/ }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 20_000 }).toMatch(/overflow stream: about \d+ s behind/);

    let heard = { playing: false, hz: 0, rmsDbfs: -100, toneShare: 0 };
    await expect
      .poll(async () => {
        heard = await page.evaluate(measureOverflowAudio, { ms: 500, hz: HOST_HZ });
        return heard.playing && Math.abs(heard.hz - HOST_HZ) < 15 && heard.rmsDbfs > -40;
      }, { timeout: 30_000, interval: 0 })
      .toBe(true);
    console.info(`overflow listener: ${heard.hz.toFixed(0)} Hz, RMS ${heard.rmsDbfs.toFixed(1)} dBFS, ${(heard.toneShare * 100).toFixed(0)} % of the power at the tone`);
    expect(heard.toneShare).toBeGreaterThan(0.5);
    // It came over HLS, not WebRTC: segments were fetched, and no signalling socket was opened.
    expect(requests.some((path) => /^\/hls\/[^/]+\/[^/]+\/seg-\d+\.m4s$/.test(path))).toBe(true);
    expect(requests).not.toContain('/ws');
  });
});
