/**
 * `node test/bench/latency-knobs.ts [--seconds 25]`: mouth-to-ear with the listener's receive-side knobs,
 * all listeners at once on the same Space, so each knob is compared within one run (issue #8 point 6):
 *   - default: the listener page as it ships;
 *   - jitterBufferTarget 0: every RTCRtpReceiver asked for the smallest jitter buffer
 *     (RTCRtpReceiver.jitterBufferTarget, ms, Chromium);
 *   - playoutDelayHint 0: the older, non-standard knob (seconds);
 * Each listener is its own browser context with the page's hooks (page-hooks.ts) and an init script that sets
 * its knob on each receiver as its track arrives. Prints p50/p95 per listener and the jitter buffer's mean
 * delay and target from WebRTC stats, with the machine's load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { summarize, type Summary } from '../support/percentiles.ts';
import { startTestStudio } from '../support/studio-fixture.ts';
import { writeJitteredBursts } from './burst-wav.ts';
import { attachProbeIn, benchBrowser, benchContext, cleanups, createProbeIn, endSpace, goLive, listen, log, openStudio, readProbeIn, sleep, waitForPrejoin } from './harness.ts';
import type { ProbeOptions } from './onset-probe.ts';
import { readReceiveStats, type ReceiveStats } from './page-hooks.ts';
import { pairOnsets } from './pair-onsets.ts';
import { runBench } from './run-bench.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '25' } } });
const COLLECT_MS = Number(values.seconds) * 1000;
const BURSTS: ProbeOptions = { threshold: 0.05, quietMs: 150 };

type Knob = 'default' | 'jitterBufferTarget 0' | 'playoutDelayHint 0';
const KNOBS: Knob[] = ['default', 'jitterBufferTarget 0', 'playoutDelayHint 0'];

/** Runs in the page before its scripts: sets the knob on every receiver as its track arrives. */
function installKnob(knob: Knob): void {
  if (knob === 'default') return;
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('track', (event: RTCTrackEvent) => {
        const receiver = event.receiver as RTCRtpReceiver & { jitterBufferTarget?: number | null; playoutDelayHint?: number | null };
        if (knob === 'jitterBufferTarget 0') receiver.jitterBufferTarget = 0;
        else receiver.playoutDelayHint = 0;
      });
    }
  };
}

function jitter(before: ReceiveStats, after: ReceiveStats): { meanMs: number; targetMs: number; concealedPct: number } {
  const emitted = Math.max(1, after.emitted - before.emitted);
  return {
    meanMs: ((after.jitterBufferDelayS - before.jitterBufferDelayS) / emitted) * 1000,
    targetMs: ((after.jitterBufferTargetDelayS - before.jitterBufferTargetDelayS) / emitted) * 1000,
    concealedPct: ((after.concealed - before.concealed) / Math.max(1, after.samples - before.samples)) * 100,
  };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-bench-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const studio = await startTestStudio();
  cleanups.push(() => studio.close());
  const wav = join(dir, 'bursts.wav');
  writeJitteredBursts(wav, { hz: 1000, burstMs: 100, amplitude: 0.6 });
  const browser = await benchBrowser(wav);
  const host = await openStudio(browser, studio);
  await createProbeIn(host, 'mic', BURSTS);
  const link = await goLive(host, 'Latency knobs');
  const listeners: Array<{ knob: Knob; page: Page; before?: ReceiveStats }> = [];
  for (const knob of KNOBS) {
    const context = await benchContext(browser);
    await context.addInitScript(installKnob, knob);
    const page = await context.newPage();
    await page.goto(link);
    await createProbeIn(page, 'ear', BURSTS);
    await attachProbeIn(page, 'ear', 'next-src-object');
    listeners.push({ knob, page });
  }
  await attachProbeIn(host, 'mic', 'microphone');
  for (const listener of listeners) {
    await waitForPrejoin(listener.page);
    await listen(listener.page);
    await listener.page.getByRole('status').filter({ hasText: 'You are listening' }).waitFor({ timeout: 15_000 });
  }
  for (const listener of listeners) listener.before = await listener.page.evaluate(readReceiveStats);
  log(`collecting onsets for ${COLLECT_MS / 1000} s with ${listeners.length} listeners`);
  await sleep(COLLECT_MS);
  const mic = await readProbeIn(host, 'mic');
  await sleep(1000);
  const rows: Array<{ knob: Knob; s: Summary; jb: ReturnType<typeof jitter> }> = [];
  for (const listener of listeners) {
    const ear = await readProbeIn(listener.page, 'ear');
    const after = await listener.page.evaluate(readReceiveStats);
    const { latencies, unmatched } = pairOnsets(mic.onsets, ear.onsets, { maxMs: 1000, toleranceMs: 20 });
    log(`${listener.knob}: ${latencies.length} paired, ${unmatched} unmatched`);
    if (latencies.length < 10) throw new Error(`${listener.knob}: only ${latencies.length} onsets paired`);
    rows.push({ knob: listener.knob, s: summarize(latencies), jb: jitter(listener.before!, after) });
  }
  await endSpace(host);
  const head = ['listener (same Space, same run)', 'n', 'p50 ms', 'p95 ms', 'min ms', 'max ms', 'jb mean ms', 'jb target ms', 'concealed %'];
  const body = rows.map(({ knob, s, jb }) => [knob, String(s.n), ...[s.p50, s.p95, s.min, s.max, jb.meanMs, jb.targetMs].map((v) => v.toFixed(1)), jb.concealedPct.toFixed(2)]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  console.log(all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n'));
  console.log(`\nmouth-to-ear as in npm run bench (studio mic stream → each listener's received stream). machine: ${availableParallelism()} CPUs; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`);
}

await runBench(main, 240_000, cleanups);
