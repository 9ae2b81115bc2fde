/**
 * `npm run bench`: the studio in browser mode on loopback, Chromium's fake
 * microphone, real listeners. Measures mouth-to-ear latency and listener join
 * time and prints a table. Exits non-zero, with a reason, if it cannot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { launchChromium } from '../support/chromium.ts';
import { summarize, type Summary } from '../support/percentiles.ts';
import { startTestStudio } from '../support/studio-fixture.ts';
import { writeToneSequence } from '../support/tones.ts';
import { writeJitteredBursts } from './burst-wav.ts';
import { attachProbe, createProbe, readProbe, WORKLET_SOURCE, type ProbeOptions, type ProbeReport, type ProbeSource } from './onset-probe.ts';
import { installPageHooks, readReceiveStats, type ReceiveStats } from './page-hooks.ts';
import { pairOnsets } from './pair-onsets.ts';

const DEADLINE_MS = 170_000;
const COLLECT_MS = 15_000;
const JOINS = 20;
const MIN_SAMPLES = 20;
/** Burst onsets: over -26 dBFS after 150 ms below it (the WAV's bursts peak at -4.4 dBFS). */
const BURST_PROBE: ProbeOptions = { threshold: 0.05, quietMs: 150 };
/** First audio: anything over -40 dBFS (the WAV's tones peak at -6 dBFS). */
const FIRST_AUDIO_PROBE: ProbeOptions = { threshold: 0.01, quietMs: 50 };

type Row = { metric: string; summary: Summary; goal?: { p95Below: number } };
type Result = { rows: Row[]; notes: string[] };

const cleanups: Array<() => Promise<void> | void> = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const ms = (values: number[]) => values.map((v) => v.toFixed(1)).join(' ');

async function benchBrowser(fakeAudioFile: string): Promise<Browser> {
  const browser = await launchChromium({ fakeAudioFile });
  cleanups.push(() => browser.close());
  return browser;
}

async function benchContext(browser: Browser): Promise<BrowserContext> {
  // bypassCSP: the probe's worklet comes from a Blob URL (see onset-probe.ts).
  const context = await browser.newContext({ bypassCSP: true });
  await context.addInitScript(installPageHooks);
  return context;
}

async function probe(page: Page, name: string, source: ProbeSource, options: ProbeOptions): Promise<void> {
  await page.evaluate(createProbe, { ...options, name, workletSource: WORKLET_SOURCE });
  await page.evaluate(attachProbe, { name, source });
}

const read = (page: Page, name: string): Promise<ProbeReport> => page.evaluate(readProbe, name);

/** Opens the studio, waits for the server and the microphone, goes live; returns the page and the listener link. */
async function goLive(browser: Browser, studio: BrowserStudio, title: string): Promise<{ host: Page; link: string }> {
  const host = await (await benchContext(browser)).newPage();
  await host.goto(studio.url);
  await host.locator('[role="status"][data-state="running"]').waitFor({ timeout: 20_000 });
  await host.getByLabel('Space title').fill(title);
  await host.getByRole('button', { name: 'Go live' }).click({ timeout: 15_000 });
  return { host, link: await host.getByLabel('Listener link').inputValue({ timeout: 15_000 }) };
}

async function endSpace(host: Page): Promise<void> {
  await host.getByRole('button', { name: 'End Space' }).click();
  await host.getByRole('status').filter({ hasText: 'You ended the Space' }).waitFor({ timeout: 10_000 });
}

async function openListener(browser: Browser, link: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await benchContext(browser);
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole('button', { name: /Listen live/ }).waitFor({ timeout: 10_000 });
  return { context, page };
}

function pairs(label: string, from: ProbeReport, to: ProbeReport, minimum: number): number[] {
  const { latencies, unmatched } = pairOnsets(from.onsets, to.onsets, { maxMs: 1000, toleranceMs: 15 });
  log(`${label}: ${from.onsets.length} → ${to.onsets.length} onsets, ${latencies.length} paired, ${unmatched} unmatched: ${ms(latencies)}`);
  if (latencies.length < minimum) throw new Error(`${label}: only ${latencies.length} onsets paired (need ${minimum})`);
  return latencies;
}

async function mouthToEar(studio: BrowserStudio, dir: string): Promise<Result> {
  const wav = join(dir, 'bursts.wav');
  writeJitteredBursts(wav, { hz: 1000, burstMs: 100, amplitude: 0.6 });
  const browser = await benchBrowser(wav);
  const { host, link } = await goLive(browser, studio, 'Latency bench');
  const { page: listener } = await openListener(browser, link);
  await listener.getByRole('button', { name: /Listen live/ }).click();
  await listener.getByRole('status').filter({ hasText: 'You are listening' }).waitFor({ timeout: 15_000 });

  await probe(listener, 'ear', 'audio-element', BURST_PROBE);
  await probe(host, 'published', 'published', BURST_PROBE);
  await probe(host, 'mic', 'microphone', BURST_PROBE);
  const before = await listener.evaluate(readReceiveStats);
  log(`mouth-to-ear: collecting onsets for ${COLLECT_MS / 1000} s`);
  await sleep(COLLECT_MS);
  const mic = await read(host, 'mic');
  await sleep(1000); // so that the last microphone onsets have reached the listener
  const published = await read(host, 'published');
  const ear = await read(listener, 'ear');
  const after = await listener.evaluate(readReceiveStats);
  log(`peaks (1 = full scale): microphone ${mic.peak.toFixed(2)}, published ${published.peak.toFixed(2)}, listener ${ear.peak.toFixed(2)}`);
  log(`clock maps, heartbeat − output timestamp: ${[mic, published, ear].map((r) => r.mapDifferenceMs.toFixed(1)).join(', ')} ms`);

  const total = pairs('mouth-to-ear', mic, ear, MIN_SAMPLES);
  const mix = pairs('mic → published', mic, published, 1);
  const onward = pairs('published → listener', published, ear, 1);
  await endSpace(host);
  await browser.close();
  return {
    rows: [
      { metric: 'mouth-to-ear latency', summary: summarize(total), goal: { p95Below: 80 } },
      { metric: '  mic → published track', summary: summarize(mix) },
      { metric: '  published track → ear', summary: summarize(onward) },
    ],
    notes: [jitterBufferNote(before, after)],
  };
}

function jitterBufferNote(before: ReceiveStats, after: ReceiveStats): string {
  const emitted = after.emitted - before.emitted;
  const mean = ((after.jitterBufferDelayS - before.jitterBufferDelayS) / emitted) * 1000;
  const target = ((after.jitterBufferTargetDelayS - before.jitterBufferTargetDelayS) / emitted) * 1000;
  const concealed = ((after.concealed - before.concealed) / Math.max(1, after.samples - before.samples)) * 100;
  return `listener jitter buffer during the latency run: mean delay ${mean.toFixed(1)} ms, mean target ${target.toFixed(1)} ms, ${concealed.toFixed(2)}% samples concealed.`;
}

async function joinTime(studio: BrowserStudio, dir: string): Promise<Result> {
  // Continuous, changing tones (voice processing leaves them alone): audio is there whenever a listener joins.
  const wav = join(dir, 'tones.wav');
  writeToneSequence(wav, [[440, 0.3], [660, 0.3], [550, 0.3], [880, 0.3], [495, 0.3], [770, 0.3]]);
  const browser = await benchBrowser(wav);
  const { host, link } = await goLive(browser, studio, 'Join bench');
  const total: number[] = [];
  const toStream: number[] = [];
  const toAudio: number[] = [];
  for (let i = 0; i < JOINS; i++) {
    const { context, page } = await openListener(browser, link);
    await probe(page, 'ear', 'next-src-object', FIRST_AUDIO_PROBE);
    await page.getByRole('button', { name: /Listen live/ }).click();
    await page.waitForFunction(() => (window.__benchProbes?.['ear']?.onsetFrames.length ?? 0) > 0, null, { timeout: 10_000, polling: 20 });
    const first = (await read(page, 'ear')).onsets[0]!;
    const { clickAt, streamAt } = await page.evaluate(() => ({ clickAt: window.__benchClickAt, streamAt: window.__benchStreamAt }));
    if (clickAt === undefined || streamAt === undefined) throw new Error('the click on "Listen live" or the received stream was not seen');
    total.push(first - clickAt);
    toStream.push(streamAt - clickAt);
    toAudio.push(first - streamAt);
    await context.close();
  }
  log(`joins: ${ms(total)}`);
  await endSpace(host);
  await browser.close();
  return {
    rows: [
      { metric: 'listener join → first audio', summary: summarize(total), goal: { p95Below: 700 } },
      { metric: '  click → stream set', summary: summarize(toStream) },
      { metric: '  stream set → first audio', summary: summarize(toAudio) },
    ],
    notes: [],
  };
}

function table(rows: Row[]): string {
  const cells = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(29) : v.padStart(i === 1 ? 3 : 6))).join('  ');
  const lines = [cells(['metric', 'n', 'p50 ms', 'p95 ms', 'min ms', 'max ms']) + '  goal'];
  for (const { metric, summary: s, goal } of rows) {
    const verdict = goal ? `  p95 < ${goal.p95Below} ms ${s.p95 < goal.p95Below ? '(met)' : '(NOT met)'}` : '';
    lines.push(cells([metric, String(s.n), ...[s.p50, s.p95, s.min, s.max].map((v) => v.toFixed(1))]) + verdict);
  }
  return lines.join('\n');
}

const EXPLANATION = `
mouth-to-ear: 1 kHz burst onsets in the studio's microphone stream (as the page receives it, after
Chromium's voice processing) vs the same onsets in a listener's received stream, each seen by an
AudioWorklet at sample resolution, times mapped to one wall clock. Includes the studio's Web Audio
program mix, Opus encoding, RTP over loopback, mediasoup, the listener's jitter buffer and decoder,
and one Web Audio input hop per probe. Excludes capture hardware, voice processing and the
speaker's output latency. The indented rows split it at the track the studio publishes.
join: from the click on "Listen live" to the first received sample over -40 dBFS, each time in a
fresh browser context (page load excluded): signalling, transports (ICE/DTLS), consume, first
packets, jitter buffer. Loopback, one machine, headless Chromium; onsets paired by the gap before them.`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-bench-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const studio = await startTestStudio();
  cleanups.push(() => studio.close());
  const latency = await mouthToEar(studio, dir);
  const joins = await joinTime(studio, dir);
  console.log(table([...latency.rows, ...joins.rows]));
  console.log(EXPLANATION);
  for (const note of [...latency.notes, ...joins.notes]) console.log(note);
}

let failed = false;
const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not finish within ${DEADLINE_MS / 1000} s`)), DEADLINE_MS).unref());
try {
  await Promise.race([main(), deadline]);
} catch (error) {
  failed = true;
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => {});
}
process.exit(failed ? 1 : 0);
