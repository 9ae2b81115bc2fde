/**
 * Monitoring: the host hears the program, or the mic alone, at the monitor's
 * own level, and nothing of it goes back into the program. Measured on the
 * monitor's own stream in the studio (what its audio element plays on the
 * chosen output) and at a listener.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../electron/contract.ts';
import { measureReceivedLevels, type ReceivedLevels } from '../support/audio-probe.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { goLiveWithListener, openMixerStudio, playTrack } from '../support/mixer-studio.ts';
import { writeSine } from '../support/tones.ts';

const MIC_HZ = 440;
const TRACK_HZ = 1000;
const fixtures = { mic: '', track: '' };
const cleanups = cleanupsAfterEach();

fixtureDir('spacecraft-monitor-', (dir) => {
  fixtures.mic = join(dir, 'mic.wav');
  writeSine(fixtures.mic, MIC_HZ, 30, 0.1);
  fixtures.track = join(dir, 'track.wav');
  writeSine(fixtures.track, TRACK_HZ, 10, 0.2);
});

const MIXER: MixerSettings = { ...DEFAULT_MIXER, mode: 'music', track: { loop: true }, ducking: { ...DEFAULT_MIXER.ducking, enabled: false } };

const levels = (page: Page, selector: string, durationMs = 1200): Promise<ReceivedLevels> =>
  page.evaluate(measureReceivedLevels, { durationMs, selector, bandsHz: [MIC_HZ, TRACK_HZ] });
const show = (l: ReceivedLevels) => `${l.rmsDbfs.toFixed(2)} dBFS RMS, 440 Hz ${l.bandsDb[0]!.toFixed(1)} dB, 1 kHz ${l.bandsDb[1]!.toFixed(1)} dB`;

describe('monitoring', { timeout: 150_000 }, () => {
  it('plays the program at its own level, or the mic alone, and never feeds back into the program', async () => {
    const { browser, host } = await openMixerStudio(cleanups, MIXER, fixtures.mic);
    await playTrack(host, fixtures.track);
    const listener = await goLiveWithListener(browser, host, 'Monitor check');
    let before = await levels(listener, 'audio');
    await expect.poll(async () => (before = await levels(listener, 'audio')).bandsDb[0]!, { timeout: 15_000, interval: 0 }).toBeGreaterThan(-50);

    // Program at −6 dB: both sources, 6 dB under the program meter.
    await host.getByRole('radio', { name: 'Program' }).check();
    await host.getByRole('slider', { name: 'Monitor level' }).fill('-6');
    const program = async () => Number(await host.getByRole('meter', { name: 'Program level' }).getAttribute('data-rms-dbfs'));
    await expect.poll(async () => (await program()) - (await levels(host, 'audio[data-monitor]', 800)).rmsDbfs, { timeout: 10_000, interval: 0 }).toBeGreaterThan(5);
    const monitored = await levels(host, 'audio[data-monitor]');
    const programRms = await program();
    console.info(`monitor (program, −6 dB): ${show(monitored)}; program meter ${programRms} dBFS RMS`);
    expect(programRms - monitored.rmsDbfs).toBeGreaterThan(5.5);
    expect(programRms - monitored.rmsDbfs).toBeLessThan(6.5);
    expect(Math.abs(monitored.bandsDb[0]! - monitored.bandsDb[1]! - (before.bandsDb[0]! - before.bandsDb[1]!))).toBeLessThan(1.5);

    // The listener hears what it heard before: the monitor added nothing to the program.
    const after = await levels(listener, 'audio');
    console.info(`listener before monitoring: ${show(before)}; while monitoring: ${show(after)}`);
    expect(Math.abs(after.rmsDbfs - before.rmsDbfs)).toBeLessThan(0.5);

    // Mic only: the 440 Hz mic, not the 1 kHz track.
    await host.getByRole('radio', { name: 'Mic only' }).check();
    await expect.poll(async () => { const l = await levels(host, 'audio[data-monitor]', 800); return l.bandsDb[0]! - l.bandsDb[1]!; }, { timeout: 10_000, interval: 0 }).toBeGreaterThan(40);
    const micOnly = await levels(host, 'audio[data-monitor]');
    console.info(`monitor (mic only, −6 dB): ${show(micOnly)}`);
    // The mic fixture is a −20 dBFS sine (−23.01 dBFS RMS), less the monitor's 6 dB.
    expect(Math.abs(micOnly.rmsDbfs - (-23.01 - 6))).toBeLessThan(0.7);

    // Off: silence on the monitor's output; and the choice is kept.
    await expect.poll(() => host.evaluate(() => window.studio.settings.get().then((s) => s.mixer.monitor)), { timeout: 5_000 }).toEqual({ source: 'mic', deviceId: null, gainDb: -6 });
    await host.reload();
    await expect.poll(() => host.getByRole('radio', { name: 'Mic only' }).isChecked(), { timeout: 10_000 }).toBe(true);
    expect(await host.getByRole('slider', { name: 'Monitor level' }).inputValue()).toBe('-6');
    await host.getByRole('radio', { name: 'Off' }).check();
    expect(await host.locator('audio[data-monitor]').evaluate((a: HTMLAudioElement) => a.srcObject === null && a.paused)).toBe(true);
  });
});
