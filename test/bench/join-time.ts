/**
 * Listener join → first audio: from the click on "Listen live" to the first
 * received sample over -40 dBFS, each join in a fresh browser context. The
 * page pre-joins as it opens; the click comes once it has (a visitor reads
 * the page first), so this times what the click itself costs.
 */
import { join } from 'node:path';
import type { BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { percentile, summarize } from '../support/percentiles.ts';
import { writeToneSequence } from '../support/tones.ts';
import { attachProbeIn, benchBrowser, createProbeIn, endSpace, goLive, list, listen, log, openListener, openStudio, readProbeIn, waitForPrejoin, type Result } from './harness.ts';
import type { ProbeOptions } from './onset-probe.ts';
import { readTimeline } from './page-hooks.ts';

const JOINS = 20;
/** First audio: anything over -40 dBFS (the WAV's tones peak at -6 dBFS). */
const FIRST_AUDIO: ProbeOptions = { threshold: 0.01, quietMs: 50 };

export async function measureJoins(studio: BrowserStudio, dir: string): Promise<Result> {
  // Continuous tones that keep changing, so voice processing leaves them be: audio is there whenever a listener joins.
  const wav = join(dir, 'tones.wav');
  writeToneSequence(wav, [[440, 0.3], [660, 0.3], [550, 0.3], [880, 0.3], [495, 0.3], [770, 0.3]]);
  const browser = await benchBrowser(wav);
  const host = await openStudio(browser, studio);
  const link = await goLive(host, 'Join bench');
  const total: number[] = [];
  const toStream: number[] = [];
  const toAudio: number[] = [];
  /** Milliseconds after the click of each step, per join (first occurrence). */
  const steps = new Map<string, number[]>();
  for (let i = 0; i < JOINS; i++) {
    const { context, page } = await openListener(browser, link);
    await createProbeIn(page, 'ear', FIRST_AUDIO);
    await attachProbeIn(page, 'ear', 'next-src-object');
    await waitForPrejoin(page);
    await listen(page);
    await page
      .waitForFunction(() => (window.__benchProbes?.['ear']?.onsetFrames.length ?? 0) > 0, null, { timeout: 10_000, polling: 20 })
      .catch(() => Promise.reject(new Error(`join ${i + 1}: no audio within 10 s of the click on "Listen live"`)));
    const first = (await readProbeIn(page, 'ear')).onsets[0]!;
    const timeline = await page.evaluate(readTimeline);
    const at = (label: string) => timeline.find((m) => m.label === label)?.t;
    const clickAt = at('click');
    const streamAt = at('stream set');
    if (clickAt === undefined || streamAt === undefined) throw new Error('the click on "Listen live" or the received stream was not seen');
    total.push(first - clickAt);
    toStream.push(streamAt - clickAt);
    toAudio.push(first - streamAt);
    for (const { t, label } of [...timeline, { t: first, label: 'first audio' }]) {
      if (t < clickAt || steps.get(label)?.length === i + 1) continue;
      steps.set(label, [...(steps.get(label) ?? []), t - clickAt]);
    }
    await context.close();
  }
  log(`joins: ${list(total)}`);
  const medians = [...steps].map(([label, t]) => ({ label, p50: percentile(t, 50) })).sort((a, b) => a.p50 - b.p50);
  await endSpace(host);
  await browser.close();
  return {
    rows: [
      { metric: 'listener join → first audio (pre-joined page)', summary: summarize(total), goal: { p95Below: 250 } },
      { metric: '  click → stream set', summary: summarize(toStream) },
      { metric: '  stream set → first audio', summary: summarize(toAudio) },
    ],
    notes: [`join steps, p50 ms after the click (→ request, ← reply): ${medians.map(({ label, p50 }) => `${label} ${p50.toFixed(0)}`).join(', ')}.`],
  };
}
