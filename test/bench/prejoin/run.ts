/**
 * `npm run bench:prejoin`: where listener join → first audio goes in Chromium, and what doing
 * everything but the final resume before the click would save (issue #8 point 6). The studio in
 * browser mode on loopback (its fake microphone plays changing tones), headless Chromium listeners,
 * each join in a fresh browser context with the page loaded; four kinds, interleaved:
 *   - page: the listener page, which pre-joins as it opens, clicked once it has (its peer connected, then
 *     300 ms as a visitor reads): what `npm run bench` times;
 *   - page at once: the same page clicked as soon as its button shows (the pre-join still under way);
 *   - full: a minimal mediasoup-client listener injected into the same page (page-client.ts), all of
 *     joinSpace … resumeConsumer after the "click" — the protocol's own cost without the page's UI;
 *   - pre-joined: the same client did joinSpace, createTransport, consume (paused), connectTransport
 *     and ICE/DTLS before the click; the click sends resumeConsumer only.
 * First audio: the first sample over −40 dBFS of the received stream (an AudioWorklet probe, as in
 * join-time.ts). Prints a table and the steps' p50 times after the click.
 *
 *   node test/bench/prejoin/run.ts [--joins 15]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { rolldown } from 'rolldown';
import { percentile, summarize, type Summary } from '../../support/percentiles.ts';
import { signInToStudio, startTestStudio } from '../../support/studio-fixture.ts';
import { writeToneSequence } from '../../support/tones.ts';
import { attachProbeIn, benchBrowser, cleanups, createProbeIn, endSpace, goLive, listen, log, openListener, openStudio, readProbeIn, waitForPrejoin } from '../harness.ts';
import type { ProbeOptions } from '../onset-probe.ts';
import { readTimeline } from '../page-hooks.ts';
import { runBench } from '../run-bench.ts';

const { values } = parseArgs({ options: { joins: { type: 'string', default: '15' } } });
const JOINS = Number(values.joins);
const DEADLINE_MS = 300_000;
const FIRST_AUDIO: ProbeOptions = { threshold: 0.01, quietMs: 50 };

type Variant = 'page' | 'page at once' | 'full' | 'pre-joined';
const VARIANTS: Variant[] = ['page', 'page at once', 'full', 'pre-joined'];
const DESCRIPTION: Record<Variant, string> = {
  page: 'listener page, pre-joined, then "Listen live"',
  'page at once': 'listener page, "Listen live" at once',
  full: 'minimal client, everything after the click',
  'pre-joined': 'minimal client, pre-joined: resume only',
};

/** page-client.ts bundled for the browser (IIFE), mediasoup-client included. */
async function bundlePageClient(): Promise<string> {
  const bundle = await rolldown({
    input: fileURLToPath(new URL('./page-client.ts', import.meta.url)),
    platform: 'browser',
    logLevel: 'silent',
    transform: { define: { 'process.env.NODE_ENV': '"production"' } },
  });
  try {
    const { output } = await bundle.generate({ format: 'iife' });
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

/** One join of a kind; returns the first audio and each timeline step, in ms after the click. */
async function joinOnce(page: Page, variant: Variant, spaceId: string, client: string): Promise<Map<string, number>> {
  await createProbeIn(page, 'ear', FIRST_AUDIO);
  await attachProbeIn(page, 'ear', 'next-src-object');
  if (variant === 'page') {
    await waitForPrejoin(page);
    await listen(page);
  } else if (variant === 'page at once') await listen(page);
  else {
    await page.addScriptTag({ content: client });
    if (variant === 'pre-joined') {
      await page.evaluate((id) => window.__benchPrejoin!.prepare(id), spaceId);
      // Settled: a listener reads the page before clicking.
      await new Promise((r) => setTimeout(r, 300));
      await page.evaluate(() => window.__benchPrejoin!.resume());
    } else await page.evaluate((id) => window.__benchPrejoin!.full(id), spaceId);
  }
  await page
    .waitForFunction(() => (window.__benchProbes?.['ear']?.onsetFrames.length ?? 0) > 0, null, { timeout: 10_000, polling: 20 })
    .catch(() => Promise.reject(new Error(`${variant}: no audio within 10 s of the click`)));
  const first = (await readProbeIn(page, 'ear')).onsets[0]!;
  const timeline = await page.evaluate(readTimeline);
  const clickAt = timeline.find((m) => m.label === 'click')?.t;
  if (clickAt === undefined) throw new Error(`${variant}: the click was not seen`);
  if (first < clickAt) throw new Error(`${variant}: audio before the click (the consumer was not paused)`);
  const steps = new Map<string, number>();
  for (const { t, label } of [...timeline, { t: first, label: 'first audio' }]) {
    if (t >= clickAt && !steps.has(label)) steps.set(label, t - clickAt);
  }
  return steps;
}

function table(rows: Array<{ variant: Variant; s: Summary }>): string {
  const head = ['join → first audio', 'n', 'p50 ms', 'p95 ms', 'min ms', 'max ms'];
  const body = rows.map(({ variant, s }) => [DESCRIPTION[variant], String(s.n), ...[s.p50, s.p95, s.min, s.max].map((v) => v.toFixed(1))]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-bench-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const client = await bundlePageClient();
  const studio = await startTestStudio();
  cleanups.push(() => studio.close());
  const wav = join(dir, 'tones.wav');
  writeToneSequence(wav, [[440, 0.3], [660, 0.3], [550, 0.3], [880, 0.3], [495, 0.3], [770, 0.3]]);
  const browser = await benchBrowser(wav);
  const host = await openStudio(browser, studio);
  if (await host.getByRole('region', { name: 'Sign in to host' }).isVisible({ timeout: 20_000 }).catch(() => false)) await signInToStudio(host);
  const link = await goLive(host, 'Pre-join bench');
  const spaceId = new URL(link).pathname.split('/').filter(Boolean).at(-1)!;
  const results = new Map<Variant, Array<Map<string, number>>>(VARIANTS.map((v) => [v, []]));
  for (let i = 0; i < JOINS; i++) {
    const order = [...VARIANTS.slice(i % VARIANTS.length), ...VARIANTS.slice(0, i % VARIANTS.length)];
    for (const variant of order) {
      const { context, page } = await openListener(browser, link);
      try {
        results.get(variant)!.push(await joinOnce(page, variant, spaceId, client));
      } finally {
        await context.close();
      }
    }
    log(`round ${i + 1}/${JOINS}: ${VARIANTS.map((v) => `${v} ${results.get(v)!.at(-1)!.get('first audio')!.toFixed(0)} ms`).join(', ')}`);
  }
  await endSpace(host);
  console.log(table(VARIANTS.map((variant) => ({ variant, s: summarize(results.get(variant)!.map((m) => m.get('first audio')!)) }))));
  console.log('\nsteps, p50 ms after the click (→ request sent, ← reply received; peer = RTCPeerConnection state; stream set = srcObject):');
  for (const variant of VARIANTS) {
    const runs = results.get(variant)!;
    const labels = new Set(runs.flatMap((m) => [...m.keys()]));
    const medians = [...labels]
      .map((label) => {
        const xs = runs.map((m) => m.get(label)).filter((x): x is number => x !== undefined);
        return { label, p50: percentile(xs, 50), n: xs.length };
      })
      .filter(({ n }) => n >= runs.length / 2)
      .sort((a, b) => a.p50 - b.p50);
    console.log(`  ${DESCRIPTION[variant]}: ${medians.map(({ label, p50 }) => `${label} ${p50.toFixed(0)}`).join(', ')}`);
  }
  console.log(
    `\nAll on loopback, one machine, headless Chromium (fake audio), the studio's own server (PGlite in memory). machine: ${availableParallelism()} CPUs shared with other work; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`,
  );
}

await runBench(main, DEADLINE_MS, cleanups);
