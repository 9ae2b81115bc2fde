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
import { attachProbe, createProbe, installPageHooks, readProbe, WORKLET_SOURCE, type ProbeOptions, type ProbeSource } from './onset-probe.ts';
import { pairOnsets } from './pair-onsets.ts';

const DEADLINE_MS = 170_000;
const COLLECT_MS = 15_000;
const JOINS = 20;
const MIN_ONSETS = 20;
/** Burst onsets: over -26 dBFS after 150 ms below it (the bursts are at -4.4 dBFS peak). */
const BURST_PROBE: ProbeOptions = { threshold: 0.05, quietMs: 150 };
/** First audio: anything over -40 dBFS (the tones are at -6 dBFS peak). */
const FIRST_AUDIO_PROBE: ProbeOptions = { threshold: 0.01, quietMs: 50 };

type Row = { metric: string; summary: Summary; goal: string; met: boolean };

const cleanups: Array<() => Promise<void> | void> = [];
const notes: string[] = [];

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function benchContext(browser: Browser): Promise<BrowserContext> {
  // bypassCSP: the probe's worklet comes from a Blob URL (see onset-probe.ts).
  const context = await browser.newContext({ bypassCSP: true });
  await context.addInitScript(installPageHooks);
  return context;
}

async function probe(page: Page, options: ProbeOptions): Promise<void> {
  await page.evaluate(createProbe, { ...options, workletSource: WORKLET_SOURCE });
}

async function attach(page: Page, source: ProbeSource): Promise<void> {
  await page.evaluate(attachProbe, source);
}

/** Opens the studio, waits for the server and the microphone, goes live; returns the listener link. */
async function goLive(browser: Browser, studio: BrowserStudio, title: string): Promise<Page> {
  const host = await (await benchContext(browser)).newPage();
  await host.goto(studio.url);
  await host.locator('[role="status"][data-state="running"]').waitFor({ timeout: 20_000 });
  await host.getByLabel('Space title').fill(title);
  await host.getByRole('button', { name: 'Go live' }).click({ timeout: 15_000 });
  return host;
}

async function openListener(browser: Browser, link: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await benchContext(browser);
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole('button', { name: /Listen live/ }).waitFor({ timeout: 10_000 });
  return { context, page };
}

async function waitListening(page: Page): Promise<void> {
  await page.getByRole('status').filter({ hasText: 'You are listening' }).waitFor({ timeout: 15_000 });
}

async function mouthToEar(studio: BrowserStudio, dir: string): Promise<Summary> {
  const wav = join(dir, 'bursts.wav');
  writeJitteredBursts(wav, { hz: 1000, burstMs: 100, amplitude: 0.6 });
  const browser = await launchChromium({ fakeAudioFile: wav });
  cleanups.push(() => browser.close());
  const host = await goLive(browser, studio, 'Latency bench');
  const link = await host.getByLabel('Listener link').inputValue({ timeout: 15_000 });
  const { page: listener } = await openListener(browser, link);
  await listener.getByRole('button', { name: /Listen live/ }).click();
  await waitListening(listener);

  await Promise.all([probe(host, BURST_PROBE), probe(listener, BURST_PROBE)]);
  await attach(host, 'microphone');
  await attach(listener, 'audio-element');
  log(`mouth-to-ear: collecting onsets for ${COLLECT_MS / 1000} s`);
  await new Promise((r) => setTimeout(r, COLLECT_MS));
  const mic = await host.evaluate(readProbe);
  // Read the listener a second later, so the last microphone onsets have arrived.
  await new Promise((r) => setTimeout(r, 1000));
  const ear = await listener.evaluate(readProbe);
  const { latencies, unmatched } = pairOnsets(mic.onsets, ear.onsets, { maxMs: 1000, toleranceMs: 15 });
  log(`mouth-to-ear: ${mic.onsets.length} microphone onsets, ${ear.onsets.length} listener onsets, ${latencies.length} paired, ${unmatched} unmatched`);
  log(`  peaks: microphone ${mic.peak.toFixed(3)}, listener ${ear.peak.toFixed(3)}`);
  log(`  clock maps (heartbeat − output timestamp): studio ${(mic.heartbeatOffsetMs - mic.outputTimestampOffsetMs).toFixed(1)} ms, listener ${(ear.heartbeatOffsetMs - ear.outputTimestampOffsetMs).toFixed(1)} ms; context latency studio ${mic.latencyMs.toFixed(1)} ms, listener ${ear.latencyMs.toFixed(1)} ms`);
  log(`  latencies: ${latencies.map((l) => l.toFixed(1)).join(' ')}`);
  if (latencies.length < MIN_ONSETS) throw new Error(`only ${latencies.length} onsets paired (need ${MIN_ONSETS}); microphone ${mic.onsets.length}, listener ${ear.onsets.length}`);
  if (unmatched > 2) notes.push(`${unmatched} microphone onsets found no matching listener onset.`);

  await host.getByRole('button', { name: 'End Space' }).click();
  await host.getByRole('status').filter({ hasText: 'You ended the Space' }).waitFor({ timeout: 10_000 });
  await browser.close();
  return summarize(latencies);
}

async function joinTime(studio: BrowserStudio, dir: string): Promise<Summary> {
  // Continuous, changing tones: audio is there whenever a listener joins.
  const wav = join(dir, 'tones.wav');
  writeToneSequence(wav, [[440, 0.3], [660, 0.3], [550, 0.3], [880, 0.3], [495, 0.3], [770, 0.3]]);
  const browser = await launchChromium({ fakeAudioFile: wav });
  cleanups.push(() => browser.close());
  const host = await goLive(browser, studio, 'Join bench');
  const link = await host.getByLabel('Listener link').inputValue({ timeout: 15_000 });
  const joins: number[] = [];
  for (let i = 0; i < JOINS; i++) {
    const { context, page } = await openListener(browser, link);
    await probe(page, FIRST_AUDIO_PROBE);
    await attach(page, 'next-src-object');
    await page.getByRole('button', { name: /Listen live/ }).click();
    await page.waitForFunction(() => (window.__benchProbe?.onsetFrames.length ?? 0) > 0, null, { timeout: 10_000, polling: 50 });
    const report = await page.evaluate(readProbe);
    if (report.clickAt === null) throw new Error('the click on "Listen live" was not seen');
    joins.push(report.onsets[0]! - report.clickAt);
    await context.close();
  }
  log(`joins: ${joins.map((j) => j.toFixed(0)).join(' ')}`);
  await browser.close();
  return summarize(joins);
}

function table(rows: Row[]): string {
  const head = ['metric'.padEnd(29), 'n'.padStart(3), 'p50 ms', 'p95 ms', 'min ms', 'max ms', '  goal'];
  const lines = [head.join('  ')];
  for (const { metric, summary: s, goal, met } of rows) {
    const ms = (v: number) => v.toFixed(1).padStart(6);
    lines.push([metric.padEnd(29), String(s.n).padStart(3), ms(s.p50), ms(s.p95), ms(s.min), ms(s.max), `  ${goal} ${met ? '(met)' : '(not met)'}`].join('  '));
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-bench-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const studio = await startTestStudio();
  cleanups.push(() => studio.close());
  const m2e = await mouthToEar(studio, dir);
  const join_ = await joinTime(studio, dir);
  console.log(
    table([
      { metric: 'mouth-to-ear latency', summary: m2e, goal: 'p95 < 80 ms', met: m2e.p95 < 80 },
      { metric: 'listener join → first audio', summary: join_, goal: 'p95 < 700 ms', met: join_.p95 < 700 },
    ]),
  );
  console.log(`
mouth-to-ear: tone-burst onsets in the studio's microphone stream (as the page gets it, after
Chromium's voice processing) vs the same onsets in one listener's received stream: Web Audio
program mix → Opus encode → RTP over loopback → mediasoup → jitter buffer → decode → listener
Web Audio graph. Not included: capture hardware, voice processing, the speaker's output latency.
join: click on "Listen live" → first received sample over -40 dBFS, each time in a fresh
browser context (page load excluded); signalling, transport setup (ICE/DTLS), consume, first packet.
Loopback only, ${JOINS} joins; onsets paired by the gap before them.`);
  for (const note of notes) console.log(`note: ${note}`);
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
