/**
 * Sound pads and the mixer's keyboard, measured at a listener: a clip loaded
 * onto pad 1 plays on the key "1", its pad gain lowers it by the set dB, "P"
 * mutes the pads strip; the pad (its clip, name and gain) and the rest of the
 * mixer survive a reload of the studio.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../electron/contract.ts';
import { measureReceivedLevels, type ReceivedLevels } from '../support/audio-probe.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { goLiveWithListener, openMixerStudio } from '../support/mixer-studio.ts';
import { writeSine } from '../support/tones.ts';

const PAD_HZ = 2000;
let clip: string;
let long: string;
const cleanups = cleanupsAfterEach();

fixtureDir('spacecraft-pads-', (dir) => {
  clip = join(dir, 'airhorn.wav');
  writeSine(clip, PAD_HZ, 12, 0.2);
  long = join(dir, 'whole-song.wav');
  writeSine(long, 440, 31, 0.2);
});

const MIXER: MixerSettings = {
  ...DEFAULT_MIXER,
  mode: 'music',
  channels: { ...DEFAULT_MIXER.channels, mic: { gainDb: 0, muted: true, solo: false } },
  ducking: { ...DEFAULT_MIXER.ducking, enabled: false },
};

const received = (listener: Page, durationMs = 1200): Promise<ReceivedLevels> => listener.evaluate(measureReceivedLevels, { durationMs, selector: 'audio', bandsHz: [PAD_HZ] });

describe('sound pads', { timeout: 150_000 }, () => {
  it('plays a loaded clip on key 1 at its pad gain, mutes on P, and keeps the pad through a reload', async () => {
    const { browser, host } = await openMixerStudio(cleanups, MIXER);
    await host.getByRole('button', { name: 'Edit pads' }).click();
    // A pad is for short sounds: a 31 s file is refused (the bound is 30 s), and the pad stays empty.
    await host.getByLabel('Load a clip onto pad 2').setInputFiles(long);
    await expect.poll(() => host.getByRole('alert').first().textContent(), { timeout: 10_000 }).toContain('longer than 30 seconds');
    await host.getByLabel('Load a clip onto pad 1').setInputFiles(clip);
    await expect.poll(() => host.getByLabel('Pad 1 name').inputValue(), { timeout: 10_000 }).toBe('airhorn');
    await host.getByRole('button', { name: 'Done' }).click();
    expect(await host.getByRole('button', { name: 'Pad 2: Pad 2 (empty)' }).isDisabled()).toBe(true);
    const pad = host.getByRole('button', { name: 'Pad 1: airhorn' });
    await expect.poll(() => pad.isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await pad.getAttribute('aria-keyshortcuts')).toBe('1');
    const listener = await goLiveWithListener(browser, host, 'Pads check');

    // Key 1 anywhere in the studio (not in a text field) plays pad 1.
    await host.locator('body').click({ position: { x: 5, y: 5 } });
    await host.keyboard.press('1');
    await expect.poll(async () => (await received(listener, 600)).bandsDb[0]!, { timeout: 10_000, interval: 0 }).toBeGreaterThan(-45);
    const full = await received(listener);
    console.info(`pad 1 at the listener: ${full.rmsDbfs.toFixed(2)} dBFS RMS, 2 kHz ${full.bandsDb[0]!.toFixed(1)} dB`);
    // The clip is a −14 dBFS sine: −17 dBFS RMS.
    expect(Math.abs(full.rmsDbfs - -16.99)).toBeLessThan(0.7);

    // Its pad gain, −6 dB, lowers it by 6 dB (retriggered, so the clip plays on).
    await host.getByRole('button', { name: 'Edit pads' }).click();
    await host.getByRole('slider', { name: 'Pad 1 gain' }).fill('-6');
    await host.getByRole('button', { name: 'Done' }).click();
    await host.keyboard.press('1');
    await expect.poll(async () => full.rmsDbfs - (await received(listener, 600)).rmsDbfs, { timeout: 10_000, interval: 0 }).toBeGreaterThan(5);
    const lowered = await received(listener);
    console.info(`pad 1 at −6 dB: ${lowered.rmsDbfs.toFixed(2)} dBFS RMS (a drop of ${(full.rmsDbfs - lowered.rmsDbfs).toFixed(2)} dB)`);
    expect(full.rmsDbfs - lowered.rmsDbfs).toBeGreaterThan(5.5);
    expect(full.rmsDbfs - lowered.rmsDbfs).toBeLessThan(6.5);

    // P mutes the pads strip (the button says so and shows the key).
    await host.keyboard.press('p');
    await expect.poll(() => host.getByRole('button', { name: 'Silence Pads' }).getAttribute('aria-pressed')).toBe('true');
    expect(await host.getByRole('button', { name: 'Silence Pads' }).getAttribute('aria-keyshortcuts')).toBe('P');
    await expect.poll(async () => (await received(listener, 600)).peakDbfs, { timeout: 10_000, interval: 0 }).toBeLessThan(-60);

    // Everything is kept: after a reload the pad has its clip, name and gain, the strip is still muted.
    await expect.poll(() => host.evaluate(() => window.studio.settings.get().then((s) => [s.mixer.pads[0], s.mixer.channels.pads.muted])), { timeout: 5_000 }).toEqual([
      { name: 'airhorn', gainDb: -6, clipId: expect.any(String), clipName: 'airhorn.wav' },
      true,
    ]);
    await host.reload();
    const again = host.getByRole('button', { name: 'Pad 1: airhorn' });
    await expect.poll(() => again.isEnabled(), { timeout: 15_000 }).toBe(true);
    expect(await host.getByRole('button', { name: 'Silence Pads' }).getAttribute('aria-pressed')).toBe('true');
    await host.keyboard.press('p');
    await again.click();
    // The pad strip's meter (after its fader) reads the clip at −14 dBFS peak less the pad's 6 dB.
    await expect.poll(async () => Number(await host.getByRole('meter', { name: 'Pads level' }).getAttribute('data-peak-dbfs')), { timeout: 10_000 }).toBeGreaterThan(-21);
    const peak = Number(await host.getByRole('meter', { name: 'Pads level' }).getAttribute('data-peak-dbfs'));
    console.info(`after reload, pad 1 on the pads meter: ${peak} dBFS peak`);
    expect(Math.abs(peak - (-13.98 - 6))).toBeLessThan(0.5);
  });
});
