/**
 * The track player in the studio (browser mode): "Load…" falls back to the
 * page's file picker (the app's dialog answers UNAVAILABLE here), the track
 * plays into its strip (measured on its meter), pauses, seeks, stops at its end
 * without loop and goes round with it; a file that is not audio says so.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../electron/contract.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { openMixerStudio } from '../support/mixer-studio.ts';
import { writeSine } from '../support/tones.ts';

const fixtures = { short: '', text: '' };
const cleanups = cleanupsAfterEach();

fixtureDir('spacecraft-track-', (dir) => {
  fixtures.short = join(dir, 'Sting.wav');
  writeSine(fixtures.short, 500, 3, 0.5);
  fixtures.text = join(dir, 'lyrics.wav');
  writeFileSync(fixtures.text, 'not audio at all');
});

const MIXER: MixerSettings = { ...DEFAULT_MIXER, mode: 'music', channels: { ...DEFAULT_MIXER.channels, mic: { gainDb: 0, muted: true, solo: false } } };

const trackPeak = async (host: Page) => Number(await host.getByRole('meter', { name: 'Track level' }).getAttribute('data-peak-dbfs'));
const position = async (host: Page) => Number(await host.getByRole('slider', { name: 'Track position' }).getAttribute('aria-valuenow'));

async function choose(host: Page, file: string): Promise<void> {
  const [chooser] = await Promise.all([host.waitForEvent('filechooser'), host.getByRole('button', { name: 'Load…' }).click()]);
  await chooser.setFiles(file);
}

describe('track player', { timeout: 120_000 }, () => {
  it('loads through the page’s file picker, plays into its strip, pauses, seeks, stops at its end, loops when asked, and refuses a file that is not audio', async () => {
    const { host } = await openMixerStudio(cleanups, MIXER);
    await choose(host, fixtures.text);
    await expect.poll(() => host.getByRole('alert').first().textContent(), { timeout: 10_000 }).toContain('lyrics.wav is not an audio file');

    await choose(host, fixtures.short);
    await expect.poll(() => host.getByLabel('Track time').textContent(), { timeout: 10_000 }).toBe('0:00 / 0:03');
    await host.getByRole('button', { name: 'Play track' }).click();
    // The file is a −6 dBFS sine: the strip's meter reads its peak.
    await expect.poll(() => trackPeak(host), { timeout: 5_000 }).toBeGreaterThan(-6.5);
    expect(await trackPeak(host)).toBeLessThan(-5.5);

    await host.getByRole('button', { name: 'Pause track' }).click();
    await expect.poll(() => trackPeak(host), { timeout: 5_000 }).toBeLessThan(-90);
    const pausedAt = await position(host);
    expect(pausedAt).toBeGreaterThan(0);
    expect(pausedAt).toBeLessThan(3);

    // Seek with the keyboard on the waveform: Home to the start; then play to the end, where it stops (no loop).
    await host.getByRole('slider', { name: 'Track position' }).focus();
    await host.keyboard.press('Home');
    await expect.poll(() => position(host)).toBe(0);
    await host.getByRole('button', { name: 'Play track' }).click();
    await expect.poll(() => host.getByRole('button', { name: 'Play track' }).count(), { timeout: 8_000 }).toBe(1);
    await expect.poll(() => trackPeak(host), { timeout: 5_000 }).toBeLessThan(-90);
    expect(await position(host)).toBe(0);

    // With loop on it goes round: still playing after twice its length, and the loop is kept.
    await host.getByRole('button', { name: 'Loop track' }).click();
    await host.getByRole('button', { name: 'Play track' }).click();
    await host.waitForTimeout(6_500);
    expect(await host.getByRole('button', { name: 'Pause track' }).count()).toBe(1);
    expect(await trackPeak(host)).toBeGreaterThan(-6.5);
    await expect.poll(() => host.evaluate(() => window.studio.settings.get().then((s) => s.mixer.track.loop)), { timeout: 5_000 }).toBe(true);
  });
});
