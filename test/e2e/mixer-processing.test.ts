/**
 * The mic's processing, measured at a listener: the browser's own processing
 * is on in voice mode and off in music mode (as the mic's track reports it);
 * the "Podcast voice" preset's compressor takes a −6 dBFS tone down by what
 * its curve says, less its make-up gain; a gate above the mic's level shuts it.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../electron/contract.ts';
import { compressorGainDb } from '../../renderer/lib/mix/dsp.ts';
import { PRESETS } from '../../renderer/lib/mix/presets.ts';
import { measureReceivedLevels, type ReceivedLevels } from '../support/audio-probe.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { goLiveWithListener, openMixerStudio } from '../support/mixer-studio.ts';
import { writeSine } from '../support/tones.ts';

let mic: string;
const cleanups = cleanupsAfterEach();

fixtureDir('spacecraft-processing-', (dir) => {
  mic = join(dir, 'minus-6.wav');
  writeSine(mic, 440, 30, 0.5);
});

const received = (listener: Page, durationMs = 1200): Promise<ReceivedLevels> => listener.evaluate(measureReceivedLevels, { durationMs, selector: 'audio', bandsHz: [440] });
const browserProcessing = (host: Page) =>
  host.getByRole('status', { name: 'Browser processing' }).evaluate((e) => [e.getAttribute('data-echo-cancellation'), e.getAttribute('data-noise-suppression'), e.getAttribute('data-auto-gain')]);

describe('mic processing', { timeout: 150_000 }, () => {
  it('has the browser’s echo cancellation, noise suppression and auto gain on in voice mode and off in music mode', async () => {
    const { host } = await openMixerStudio(cleanups, { ...DEFAULT_MIXER, mode: 'voice' }, mic);
    await expect.poll(() => browserProcessing(host), { timeout: 10_000 }).toEqual(['true', 'true', 'true']);
    await host.getByRole('radio', { name: 'Music' }).check();
    await expect.poll(() => browserProcessing(host), { timeout: 10_000 }).toEqual(['false', 'false', 'false']);
  });

  it('compresses by the preset’s curve plus its make-up gain, and gates a mic under the gate’s threshold', async () => {
    const mixer: MixerSettings = { ...DEFAULT_MIXER, mode: 'music', ducking: { ...DEFAULT_MIXER.ducking, enabled: false } };
    const { browser, host } = await openMixerStudio(cleanups, mixer, mic);
    const listener = await goLiveWithListener(browser, host, 'Processing check');
    let raw = await received(listener);
    await expect.poll(async () => (raw = await received(listener)).rmsDbfs, { timeout: 15_000, interval: 0 }).toBeGreaterThan(-10);

    await host.getByText('Processing', { exact: true }).click();
    await host.getByRole('combobox', { name: 'Processing preset' }).selectOption('podcast');
    const { compressor } = PRESETS.podcast.processing;
    // The curve asks −9.3 dB of a −6 dBFS peak; the detector follows the sine between its crests, so a little less.
    const curveDb = compressorGainDb(-6.02, compressor.thresholdDb, compressor.ratio);
    await expect.poll(async () => raw.rmsDbfs - (await received(listener, 800)).rmsDbfs, { timeout: 10_000, interval: 0 }).toBeGreaterThan(3);
    const compressed = await received(listener);
    const reduction = Number(await host.getByRole('status', { name: 'Compressor' }).getAttribute('data-reduction-db'));
    const change = compressed.rmsDbfs - raw.rmsDbfs;
    console.info(`podcast preset: ${raw.rmsDbfs.toFixed(2)} → ${compressed.rmsDbfs.toFixed(2)} dBFS RMS at the listener (${change.toFixed(2)} dB; curve ${curveDb.toFixed(2)} dB + make-up ${compressor.makeupDb} dB); studio shows −${reduction} dB`);
    expect(change).toBeGreaterThan(curveDb + compressor.makeupDb - 0.5);
    expect(change).toBeLessThan(curveDb + compressor.makeupDb + 1.5);
    expect(reduction).toBeGreaterThan(-curveDb - 1.5);
    expect(reduction).toBeLessThan(-curveDb + 0.5);

    // The gate's threshold above the mic's level: the mic is shut (60 dB down) and the preset is now custom.
    await host.getByRole('slider', { name: 'Gate threshold' }).fill('0');
    await expect.poll(async () => (await received(listener, 800)).peakDbfs, { timeout: 10_000, interval: 0 }).toBeLessThan(-55);
    const gated = await received(listener);
    console.info(`gate at 0 dB: ${gated.peakDbfs.toFixed(1)} dBFS peak at the listener`);
    expect(gated.peakDbfs).toBeLessThan(-55);
    expect(await host.getByRole('status', { name: 'Gate' }).textContent()).toBe('gate closed');
    await expect.poll(() => host.evaluate(() => window.studio.settings.get().then((s) => [s.mixer.processing.preset, s.mixer.processing.gate])), { timeout: 5_000 }).toEqual(['custom', { enabled: true, thresholdDb: 0 }]);
  });
});
