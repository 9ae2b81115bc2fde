/**
 * Mouth-to-ear latency: tone-burst onsets in the studio's microphone stream vs
 * the same onsets in a listener's received stream, on one wall clock. A third
 * probe on the track the studio publishes splits the path in two.
 */
import { join } from 'node:path';
import type { BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { summarize } from '../support/percentiles.ts';
import { writeJitteredBursts } from './burst-wav.ts';
import { attachProbeIn, benchBrowser, createProbeIn, endSpace, goLive, list, listen, log, openListener, openStudio, readProbeIn, sleep, type Result } from './harness.ts';
import type { ProbeOptions, ProbeReport } from './onset-probe.ts';
import { readReceiveStats, type ReceiveStats } from './page-hooks.ts';
import { pairOnsets } from './pair-onsets.ts';

const COLLECT_MS = 15_000;
const MIN_PAIRS = 20;
/** Burst onsets: over -26 dBFS after 150 ms below it (the WAV's bursts peak at -4.4 dBFS). */
const BURSTS: ProbeOptions = { threshold: 0.05, quietMs: 150 };

function pairs(label: string, up: ProbeReport, down: ProbeReport, minimum: number): number[] {
  const { latencies, anchors, unmatched } = pairOnsets(up.onsets, down.onsets, { maxMs: 1000, toleranceMs: 20 });
  log(`${label}: ${up.onsets.length} → ${down.onsets.length} onsets, ${latencies.length} paired (${anchors} by their gap), ${unmatched} unmatched: ${list(latencies)}`);
  if (latencies.length < minimum) throw new Error(`${label}: only ${latencies.length} onsets paired (need ${minimum})`);
  return latencies;
}

function jitterBuffer(before: ReceiveStats, after: ReceiveStats): string {
  const emitted = after.emitted - before.emitted;
  const mean = ((after.jitterBufferDelayS - before.jitterBufferDelayS) / emitted) * 1000;
  const target = ((after.jitterBufferTargetDelayS - before.jitterBufferTargetDelayS) / emitted) * 1000;
  const concealed = ((after.concealed - before.concealed) / Math.max(1, after.samples - before.samples)) * 100;
  return `listener jitter buffer over the latency run (WebRTC stats): mean delay ${mean.toFixed(1)} ms, mean target ${target.toFixed(1)} ms, ${concealed.toFixed(2)}% of samples concealed.`;
}

export async function measureMouthToEar(studio: BrowserStudio, dir: string): Promise<Result> {
  const wav = join(dir, 'bursts.wav');
  writeJitteredBursts(wav, { hz: 1000, burstMs: 100, amplitude: 0.6 });
  const browser = await benchBrowser(wav);
  // Every probe is created before the audio flows: creating an AudioContext
  // mid-stream can stall the page and disturb what is measured.
  const host = await openStudio(browser, studio);
  await createProbeIn(host, 'mic', BURSTS);
  await createProbeIn(host, 'published', BURSTS);
  const link = await goLive(host, 'Latency bench');
  const { page: listener } = await openListener(browser, link);
  await createProbeIn(listener, 'ear', BURSTS);
  await attachProbeIn(listener, 'ear', 'next-src-object');
  await attachProbeIn(host, 'mic', 'microphone');
  await attachProbeIn(host, 'published', 'published');
  await listen(listener);
  await listener.getByRole('status').filter({ hasText: 'You are listening' }).waitFor({ timeout: 15_000 });
  const before = await listener.evaluate(readReceiveStats);

  log(`mouth-to-ear: collecting onsets for ${COLLECT_MS / 1000} s`);
  await sleep(COLLECT_MS);
  const mic = await readProbeIn(host, 'mic');
  await sleep(1000); // so that the last microphone onsets have reached the listener
  const published = await readProbeIn(host, 'published');
  const ear = await readProbeIn(listener, 'ear');
  const after = await listener.evaluate(readReceiveStats);
  log(`peaks (1 = full scale): microphone ${mic.peak.toFixed(2)}, published ${published.peak.toFixed(2)}, listener ${ear.peak.toFixed(2)}`);
  log(`clock maps, heartbeat − output timestamp (≈ −output latency): ${[mic, published, ear].map((r) => r.mapDifferenceMs.toFixed(1)).join(', ')} ms`);

  const total = pairs('mouth-to-ear', mic, ear, MIN_PAIRS);
  const mix = pairs('mic → published', mic, published, 1);
  const onward = pairs('published → ear', published, ear, 1);
  await endSpace(host);
  await browser.close();
  return {
    rows: [
      { metric: 'mouth-to-ear latency', summary: summarize(total), goal: { p95Below: 80 } },
      { metric: '  mic → published track', summary: summarize(mix) },
      { metric: '  published track → ear', summary: summarize(onward) },
    ],
    notes: [jitterBuffer(before, after)],
  };
}
