/**
 * HLS vs WebRTC latency as listeners hear it: a real server (in this process), the host publishing
 * 0.3 s tone bursts every 5 s from a libwebrtc peer in Node, and two listener pages in Chromium — one
 * listening live (WebRTC), one on the overflow (`?overflow`, hls.js). Each page finds the burst onsets
 * in what its <audio> element plays (Web Audio, polled every 5 ms) and stamps them with Date.now();
 * the host stamps each burst as its first frame goes to the encoder. Same machine, same clock.
 * Needs the built listener page (`npm run build`).
 */
import wrtc from '@roamhq/wrtc';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../support/chromium.ts';
import { startTestServer } from '../../support/server-fixture.ts';
import { WrtcStagePeer } from '../../support/wrtc-stage-peer.ts';
import { sleep } from '../capacity/proc.ts';

const RATE = 48000;
const FRAME = 480;
const PERIOD_MS = 5000;
const BURST_MS = 300;

export type PlayersResult = { webrtcMs: number[]; hlsMs: number[]; bursts: number };

/** A libwebrtc track: silence with a 1 kHz burst of BURST_MS every PERIOD_MS; `starts` gets each burst's Date.now(). */
function burstTrack(starts: number[]): { track: MediaStreamTrack; stop(): void } {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const begin = performance.now();
  const wallBegin = Date.now();
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  const framesPerPeriod = PERIOD_MS / 10;
  const burstFrames = BURST_MS / 10;
  const tick = () => {
    while (begin + n * 10 <= performance.now()) {
      const inPeriod = n % framesPerPeriod;
      const samples = new Int16Array(FRAME);
      if (inPeriod < burstFrames) {
        if (inPeriod === 0) starts.push(wallBegin + n * 10);
        for (let i = 0; i < FRAME; i++) samples[i] = Math.round(10000 * Math.sin((2 * Math.PI * 1000 * (n * FRAME + i)) / RATE));
      }
      source.onData({ samples, sampleRate: RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
      n++;
    }
    timer = setTimeout(tick, Math.max(0, begin + n * 10 - performance.now()));
  };
  tick();
  return { track: source.createTrack() as unknown as MediaStreamTrack, stop: () => clearTimeout(timer) };
}

/** In the page: watches `selector`'s audio for onsets until `ms` passed; returns their Date.now() stamps. */
async function watchOnsets(args: { selector: string; ms: number; element: boolean }): Promise<number[]> {
  const element = document.querySelector(args.selector) as HTMLAudioElement | null;
  if (!element) throw new Error(`no ${args.selector}`);
  const context = new AudioContext({ sampleRate: 48000 });
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 256;
  const source = args.element ? context.createMediaElementSource(element) : context.createMediaStreamSource(element.srcObject as MediaStream);
  source.connect(analyser);
  if (args.element) analyser.connect(context.destination);
  const wave = new Float32Array(analyser.fftSize);
  const onsets: number[] = [];
  let quietSince = Date.now();
  const end = Date.now() + args.ms;
  while (Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    analyser.getFloatTimeDomainData(wave);
    let sum = 0;
    for (const s of wave) sum += s * s;
    const db = 10 * Math.log10(sum / wave.length + 1e-12);
    if (db > -35) {
      if (Date.now() - quietSince > 1000) onsets.push(Date.now());
      quietSince = Number.POSITIVE_INFINITY;
    } else if (db < -50 && quietSince === Number.POSITIVE_INFINITY) quietSince = Date.now();
  }
  return onsets;
}

/** Each onset's delay after the last burst started before it (bursts are PERIOD_MS apart, latencies far below). */
function delays(onsets: number[], starts: number[]): number[] {
  return onsets.flatMap((t) => {
    const before = starts.filter((s) => s <= t).at(-1);
    return before !== undefined && t - before < PERIOD_MS ? [t - before] : [];
  });
}

export async function measurePlayers(options: { seconds: number; log: (line: string) => void }): Promise<PlayersResult> {
  const server = await startTestServer({ SPACECRAFT_HOST_GRACE_MS: '0' });
  const starts: number[] = [];
  const burst = burstTrack(starts);
  const host = await WrtcStagePeer.connect(server.url, { sessionToken: server.hostToken, origin: server.url });
  const browser = await launchChromium();
  try {
    const created = await host.signalling.request('createSpace', { title: 'Latency' });
    await host.load(created.routerRtpCapabilities);
    await host.publishTrack(burst.track);
    const open = async (query: string): Promise<Page> => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${server.url}/s/${created.space.spaceId}${query}`);
      await page.getByRole('button', { name: /Listen live/ }).click();
      return page;
    };
    const live = await open('');
    const overflow = await open('?overflow');
    await sleep(8000);
    const ms = options.seconds * 1000;
    const [webrtcOnsets, hlsOnsets] = await Promise.all([
      live.evaluate(watchOnsets, { selector: 'audio', ms, element: false }),
      overflow.evaluate(watchOnsets, { selector: 'audio.overflow-audio', ms, element: true }),
    ]);
    const result = { webrtcMs: delays(webrtcOnsets, starts), hlsMs: delays(hlsOnsets, starts), bursts: starts.length };
    options.log(`players: ${result.webrtcMs.length} WebRTC and ${result.hlsMs.length} HLS onsets matched`);
    return result;
  } finally {
    burst.stop();
    host.close();
    await browser.close();
    await server.close();
  }
}
