/**
 * A stereo microphone (an instrument through a two-channel interface) in
 * music mode stays stereo: Chromium's fake microphone plays a sox-made stereo
 * file (440 Hz left, 1 kHz right) and the listener hears each tone on its own
 * side. Switched to voice mode, the mic is opened again in mono: both tones
 * arrive on both sides, equal.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../electron/contract.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { goLiveWithListener, openMixerStudio } from '../support/mixer-studio.ts';
import { measureChannels, type ChannelSpectrum } from '../support/stereo-probe.ts';
import { writeStereoTones } from '../support/stereo-fixtures.ts';

const LEFT_HZ = 440;
const RIGHT_HZ = 1000;

let stereoMic: string;
const cleanups = cleanupsAfterEach();

fixtureDir('spacecraft-stereo-mic-', (dir) => {
  stereoMic = join(dir, 'mic-left-440-right-1000.wav');
  writeStereoTones(stereoMic, { leftHz: LEFT_HZ, rightHz: RIGHT_HZ, seconds: 60, volume: 0.2 });
});

/** Music mode, the mic at unity, nothing else playing (no gate or compressor: the defaults), no ducking. */
const MIXER: MixerSettings = { ...DEFAULT_MIXER, mode: 'music', ducking: { ...DEFAULT_MIXER.ducking, enabled: false } };

const measure = (listener: Page): Promise<ChannelSpectrum> =>
  listener.evaluate(measureChannels, { durationMs: 1600, selector: 'audio', bandsHz: [LEFT_HZ, RIGHT_HZ], rangesHz: [] });

const describeChannels = (m: ChannelSpectrum) =>
  ['L', 'R'].map((side, c) => `${side}: 440 Hz ${m.bandsDb[c]![0]!.toFixed(1)}, 1 kHz ${m.bandsDb[c]![1]!.toFixed(1)} dB`).join('; ');

describe('a stereo microphone', { timeout: 120_000 }, () => {
  it('stays stereo in music mode (440 Hz left, 1 kHz right at the listener) and is mono in voice mode', async () => {
    const { browser, host } = await openMixerStudio(cleanups, MIXER, stereoMic);
    const listener = await goLiveWithListener(browser, host, 'Stereo mic');
    const [left, right] = [0, 1];
    const [hz440, hz1000] = [0, 1];

    let music = await measure(listener);
    await expect
      .poll(
        async () => {
          music = await measure(listener);
          return Math.min(music.bandsDb[left]![hz440]! - music.bandsDb[left]![hz1000]!, music.bandsDb[right]![hz1000]! - music.bandsDb[right]![hz440]!);
        },
        { timeout: 20_000, interval: 0 },
      )
      .toBeGreaterThan(30);
    console.info(`stereo mic, music mode, at the listener: ${describeChannels(music)}`);
    expect(music.channels).toBe(2);

    await host.getByRole('radio', { name: 'Voice' }).check();
    let voice = await measure(listener);
    await expect
      .poll(
        async () => {
          voice = await measure(listener);
          return Math.max(...[left, right].map((side) => Math.abs(voice.bandsDb[side]![hz440]! - voice.bandsDb[side]![hz1000]!)));
        },
        { timeout: 20_000, interval: 0 },
      )
      .toBeLessThan(3);
    console.info(`stereo mic, voice mode, at the listener: ${describeChannels(voice)}`);
    // Both tones are there on both sides, far over the spectrum's floor (about −110 dB; the voice processing lowers steady tones).
    for (const side of [left, right]) for (const band of [hz440, hz1000]) expect(voice.bandsDb[side]![band]!).toBeGreaterThan(-75);
  });
});
