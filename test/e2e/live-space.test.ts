/**
 * End to end, for real: Chromium's fake microphone plays a known tone sequence
 * into the studio (browser mode, bundled server under its supervisor); the
 * host goes live; two listener pages join and their received audio is measured
 * with Web Audio: the right frequencies in the right order, then silence after
 * mute, then "ended" after the host ends the Space.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { sampleReceivedAudio, type AudioSample } from '../support/audio-probe.ts';
import { launchChromium } from '../support/chromium.ts';
import { startTestStudio } from '../support/studio-fixture.ts';
import { writeToneSequence } from '../support/tones.ts';

const TONES: Array<[number, number]> = [
  [440, 1.2],
  [880, 1.2],
  [1320, 1.2],
];
const TOLERANCE_HZ = 15;

/** The tone index a sample belongs to, or -1 for none of them. */
function toneOf(sample: AudioSample): number {
  if (sample.rmsDbfs < -45) return -1;
  return TONES.findIndex(([hz]) => Math.abs(sample.hz - hz) <= TOLERANCE_HZ);
}

let studio: BrowserStudio;
let browser: Browser;
let host: Page;
const listeners: Page[] = [];

describe('a live Space, studio mic to two listeners', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    const wav = join(mkdtempSync(join(tmpdir(), 'spacecraft-e2e-')), 'tones.wav');
    writeToneSequence(wav, TONES);
    studio = await startTestStudio();
    browser = await launchChromium({ fakeAudioFile: wav });
    host = await browser.newPage();
    await host.goto(studio.url);
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('shows the server ready and the microphone level moving', async () => {
    await expect.poll(() => host.getByRole('status').first().getAttribute('data-state'), { timeout: 20_000 }).toBe('running');
    const meter = host.getByRole('meter', { name: 'Microphone level' });
    await expect.poll(async () => Number(await meter.getAttribute('data-rms-dbfs')), { timeout: 10_000 }).toBeGreaterThan(-20);
  });

  it('rejects a bad IPC argument with a typed error and keeps working', async () => {
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
  });

  it('goes live and two listeners hear the microphone tones in order', async () => {
    await host.getByLabel('Space title').fill('Tone check');
    await host.getByRole('button', { name: 'Go live' }).click();
    const link = await host.getByLabel('Listener link').inputValue({ timeout: 15_000 });
    expect(link).toMatch(/\/s\/[A-Za-z0-9_-]+$/);

    for (let i = 0; i < 2; i++) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(link);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Tone check');
      await page.getByRole('button', { name: /Listen live/ }).click();
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toContain('You are listening');
      listeners.push(page);
    }
    await expect.poll(() => host.locator('.listener-count').getAttribute('data-count')).toBe('2');

    const heard = await Promise.all(
      listeners.map((page) => page.evaluate(sampleReceivedAudio, { durationMs: 5000, intervalMs: 100, selector: 'audio' })),
    );
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
    await host.getByRole('button', { name: 'Mute' }).click();
    for (const page of listeners) await expect.poll(() => page.getByRole('status').textContent()).toContain('muted');
    await new Promise((r) => setTimeout(r, 500));
    for (const page of listeners) {
      const samples = await page.evaluate(sampleReceivedAudio, { durationMs: 1500, intervalMs: 100, selector: 'audio' });
      expect(Math.max(...samples.map((s) => s.rmsDbfs))).toBeLessThan(-60);
    }
    await host.getByRole('button', { name: 'Unmute' }).click();
    for (const page of listeners) await expect.poll(() => page.getByRole('status').textContent()).toContain('You are listening');
    await new Promise((r) => setTimeout(r, 700));
    for (const page of listeners) {
      const samples = await page.evaluate(sampleReceivedAudio, { durationMs: 1500, intervalMs: 100, selector: 'audio' });
      expect(samples.filter((s) => toneOf(s) >= 0).length).toBeGreaterThanOrEqual(8);
    }
  });

  it('tells listeners the Space ended when the host ends it', async () => {
    await host.getByRole('button', { name: 'End Space' }).click();
    await expect.poll(() => host.getByRole('status').last().textContent()).toContain('You ended the Space');
    for (const page of listeners) {
      await expect.poll(() => page.getByRole('status').textContent()).toContain('The host ended this Space');
    }
    // A late visitor of the link learns it has ended.
    const late = await browser.newPage();
    await late.goto(listeners[0]!.url());
    await expect.poll(() => late.getByRole('status').textContent()).toContain('This Space has ended');
  });

  it('shows the server restarting and ready again when the bundled server is killed', async () => {
    const pill = host.locator('.topbar [role="status"]');
    const states: string[] = [];
    await host.exposeFunction('recordState', (state: string) => states.push(state));
    await host.evaluate(() => {
      const target = document.querySelector('.topbar [role="status"]')!;
      new MutationObserver(() => (window as unknown as { recordState(s: string): void }).recordState(target.getAttribute('data-state') ?? '')).observe(target, { attributes: true });
    });
    process.kill(studio.supervisor!.pid!, 'SIGKILL');
    await expect.poll(() => states, { timeout: 30_000 }).toContain('restarting');
    await expect.poll(() => pill.getAttribute('data-state'), { timeout: 30_000 }).toBe('running');
    // And the studio can go live again on the restarted server.
    await host.getByRole('button', { name: 'Start another Space' }).click();
    await host.getByRole('button', { name: 'Go live' }).click();
    await expect.poll(() => host.getByLabel('Listener link').inputValue(), { timeout: 15_000 }).toMatch(/\/s\//);
  });
});
