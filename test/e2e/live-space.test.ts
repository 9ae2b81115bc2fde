/**
 * End to end, for real: Chromium's fake microphone plays a known tone sequence
 * into the studio (browser mode, bundled server under its supervisor); the
 * host goes live; listener pages join and their received audio is measured
 * with Web Audio: the right frequencies in the right order, silence after
 * mute, "ended" after the host ends the Space.
 *
 * Each test has its own studio, browser and Space (made in beforeEach and by
 * the helpers below), so one failure cannot cascade into the next test, and
 * every wait is for an event or a poll with a deadline, never a fixed sleep.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { sampleReceivedAudio, type AudioSample } from '../support/audio-probe.ts';
import { launchChromium } from '../support/chromium.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { signInToStudio, startTestStudio } from '../support/studio-fixture.ts';
import { writeToneSequence } from '../support/tones.ts';

const TONES: Array<[number, number]> = [
  [440, 1.2],
  [880, 1.2],
  [1320, 1.2],
];
const TOLERANCE_HZ = 15;
/** Below this a listener hears silence (the tones arrive around -9 dBFS RMS). */
const SILENT_DBFS = -60;
/** The probe's analyser needs this long after it is connected before its window holds only received audio. */
const PROBE_SETTLE_MS = 250;

/** The tone index a sample belongs to, or -1 for none of them. */
function toneOf(sample: AudioSample): number {
  if (sample.rmsDbfs < -45) return -1;
  return TONES.findIndex(([hz]) => Math.abs(sample.hz - hz) <= TOLERANCE_HZ);
}

/** What a listener page receives over `durationMs`, sampled every 100 ms, without the probe's settling time. */
async function receivedAudio(page: Page, durationMs: number): Promise<AudioSample[]> {
  const samples = await page.evaluate(sampleReceivedAudio, { durationMs: durationMs + PROBE_SETTLE_MS, intervalMs: 100, selector: 'audio' });
  return samples.filter((s) => s.t >= PROBE_SETTLE_MS);
}

const loudest = (samples: AudioSample[]): number => Math.max(...samples.map((s) => s.rmsDbfs));
const tonesHeard = (samples: AudioSample[]): number => samples.filter((s) => toneOf(s) >= 0).length;

let toneFile: string;
/** One studio, its browser and the host's page: new for every test. */
let studio: BrowserStudio;
let browser: Browser;
let host: Page;
const cleanups = cleanupsAfterEach();

/** The server pill in the studio's top bar: 'starting', 'running', 'restarting', … */
const serverState = (page: Page) => page.locator('.topbar [role="status"]').getAttribute('data-state');

/** Starts a Space from the host page and returns its listener link. */
async function goLive(title: string): Promise<string> {
  await host.getByLabel('Space title').fill(title);
  await host.getByRole('button', { name: 'Go live' }).click();
  const link = await host.getByLabel('Listener link').inputValue({ timeout: 15_000 });
  expect(link).toMatch(/\/s\/[A-Za-z0-9_-]+$/);
  return link;
}

/** Opens the listener link in a fresh browser context and starts listening. */
async function listen(link: string, title: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 10_000 }).toBe(title);
  await page.getByRole('button', { name: /Listen live/ }).click();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toContain('You are listening');
  return page;
}

/** A live Space with `count` listeners hearing it. */
async function liveSpaceWithListeners(title: string, count: number): Promise<Page[]> {
  const link = await goLive(title);
  const listeners: Page[] = [];
  for (let i = 0; i < count; i++) listeners.push(await listen(link, title));
  // spaceState notifications are coalesced: the count settles shortly after the last join.
  await expect.poll(() => host.locator('.listener-count').getAttribute('data-count'), { timeout: 10_000 }).toBe(String(count));
  return listeners;
}

describe('a live Space, studio mic to listeners', { timeout: 90_000 }, () => {
  fixtureDir('spacecraft-e2e-', (dir) => {
    toneFile = join(dir, 'tones.wav');
    writeToneSequence(toneFile, TONES);
  });

  beforeEach(async () => {
    studio = await startTestStudio();
    cleanups.push(() => studio.close());
    browser = await launchChromium({ fakeAudioFile: toneFile });
    cleanups.push(() => browser.close());
    host = await browser.newPage();
    await host.goto(studio.url);
    await expect.poll(() => serverState(host), { timeout: 20_000 }).toBe('running');
    // Hosting needs a signed-in account: the demo creator, through the sign-in screen.
    await signInToStudio(host);
  });

  it('shows the server ready and the microphone level moving', async () => {
    expect(await host.getByRole('status').first().getAttribute('data-state')).toBe('running');
    const meter = host.getByRole('meter', { name: 'Microphone level' });
    await expect.poll(async () => Number(await meter.getAttribute('data-rms-dbfs')), { timeout: 10_000 }).toBeGreaterThan(-20);
  });

  // In browser mode `window.studio` talks to the studio over the bridge's WebSocket, not Electron IPC:
  // this checks the bridge validates what a page sends (Electron's IPC dispatcher has its own unit tests).
  it('rejects a bad settings argument sent over the browser-mode bridge with a typed error and keeps working', async () => {
    const bad = await host.evaluate(async () => {
      try {
        await window.studio.settings.update({ microphoneId: 42 as unknown as string });
        return null;
      } catch (error) {
        return { name: (error as Error).name, code: (error as { code?: string }).code, message: (error as Error).message };
      }
    });
    expect(bad).toMatchObject({ name: 'StudioError', code: 'VALIDATION' });
    expect(await host.evaluate(() => window.studio.settings.get())).toMatchObject({ microphoneId: null });
    // A good update still goes through.
    await host.evaluate(() => window.studio.settings.update({ spaceTitle: 'Bridge check' }));
    expect(await host.evaluate(() => window.studio.settings.get())).toMatchObject({ microphoneId: null, spaceTitle: 'Bridge check' });
  });

  it('goes live and two listeners hear the microphone tones in order', async () => {
    const listeners = await liveSpaceWithListeners('Tone check', 2);
    const heard = await Promise.all(listeners.map((page) => receivedAudio(page, 5000)));
    for (const samples of heard) {
      const tones = samples.map(toneOf);
      // Every tone is heard, for a good share of the time.
      for (let t = 0; t < TONES.length; t++) expect(tones.filter((x) => x === t).length, `tone ${TONES[t]![0]} Hz`).toBeGreaterThanOrEqual(5);
      // Mostly the tones, not something else.
      expect(tones.filter((x) => x >= 0).length / tones.length).toBeGreaterThan(0.8);
      // In the order the microphone played them: each change of tone goes to the next one.
      const runs = tones.filter((x) => x >= 0).filter((x, i, all) => i === 0 || x !== all[i - 1]);
      for (let i = 1; i < runs.length; i++) expect(runs[i]).toBe((runs[i - 1]! + 1) % TONES.length);
      // At a healthy level (the WAV is at -9 dBFS RMS).
      const loud = samples.filter((s) => toneOf(s) >= 0).map((s) => s.rmsDbfs);
      expect(loud.reduce((a, b) => a + b, 0) / loud.length).toBeGreaterThan(-25);
    }
  });

  it('falls silent for listeners when the host mutes, and comes back on unmute', async () => {
    const [listener] = await liveSpaceWithListeners('Mute check', 1);
    await expect.poll(async () => tonesHeard(await receivedAudio(listener!, 500)), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);

    await host.getByRole('button', { name: 'Mute' }).click();
    await expect.poll(() => listener!.getByRole('status').textContent(), { timeout: 10_000 }).toContain('muted');
    // The audio already on its way drains; then it stays silent.
    await expect.poll(async () => loudest(await receivedAudio(listener!, 300)), { timeout: 10_000 }).toBeLessThan(SILENT_DBFS);
    expect(loudest(await receivedAudio(listener!, 1500))).toBeLessThan(SILENT_DBFS);

    await host.getByRole('button', { name: 'Unmute' }).click();
    await expect.poll(() => listener!.getByRole('status').textContent(), { timeout: 10_000 }).toContain('You are listening');
    await expect.poll(async () => tonesHeard(await receivedAudio(listener!, 300)), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(tonesHeard(await receivedAudio(listener!, 1500))).toBeGreaterThanOrEqual(8);
  });

  it('tells listeners the Space ended when the host ends it', async () => {
    const [listener] = await liveSpaceWithListeners('End check', 1);
    await host.getByRole('button', { name: 'End Space' }).click();
    await host.getByRole('status').filter({ hasText: 'You ended the Space' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => listener!.getByRole('status').textContent(), { timeout: 10_000 }).toContain('The host ended this Space');
    // A late visitor of the link learns it has ended.
    const late = await browser.newPage();
    await late.goto(listener!.url());
    await expect.poll(() => late.getByRole('status').textContent(), { timeout: 10_000 }).toContain('This Space has ended');
  });

  it('shows the server restarting and ready again when the bundled server is killed, and goes live on it', async () => {
    const states: string[] = [];
    await host.exposeFunction('recordState', (state: string) => states.push(state));
    await host.evaluate(() => {
      const target = document.querySelector('.topbar [role="status"]')!;
      new MutationObserver(() => (window as unknown as { recordState(s: string): void }).recordState(target.getAttribute('data-state') ?? '')).observe(target, { attributes: true });
    });
    const pid = studio.supervisor?.pid;
    expect(pid, 'the bundled server runs under the supervisor').toBeTypeOf('number');
    process.kill(pid!, 'SIGKILL');
    await expect.poll(() => states, { timeout: 30_000 }).toContain('restarting');
    await expect.poll(() => serverState(host), { timeout: 30_000 }).toBe('running');
    // Its database was in memory: the restarted server does not know the session, so the studio asks for a sign-in again.
    await signInToStudio(host);
    // And the studio can go live on the restarted server, and be heard there.
    const [listener] = await liveSpaceWithListeners('After restart', 1);
    await expect.poll(async () => tonesHeard(await receivedAudio(listener!, 500)), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
  });
});
