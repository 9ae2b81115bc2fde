/**
 * Music mode and voice mode, measured at a listener: the track player plays a
 * sox-made stereo file (440 Hz left, 1 kHz right, 17 kHz on both) into the
 * program. In music mode each tone arrives on its own side and the 17 kHz tone
 * arrives; switched to voice mode while live, the same listener (same stream,
 * no gap) hears one mono program without anything above the speech band, at
 * the voice bitrate.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../electron/contract.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { goLiveWithListener, openMixerStudio, playTrack } from '../support/mixer-studio.ts';
import { measureChannels, watchContinuity, type ChannelSpectrum } from '../support/stereo-probe.ts';
import { writeStereoTones } from '../support/stereo-fixtures.ts';

const LEFT_HZ = 440;
const RIGHT_HZ = 1000;
const HIGH_HZ = 17_000;
const HIGH_RANGE: [number, number] = [15_000, 20_000];
const MID_RANGE: [number, number] = [300, 1_500];

let stereoFile: string;
const cleanups = cleanupsAfterEach();

fixtureDir('spacecraft-music-', (dir) => {
  stereoFile = join(dir, 'left-440-right-1000-both-17k.wav');
  // Each tone at 0.2 (−14 dBFS): each side peaks at −8 dBFS, well under the limiter.
  writeStereoTones(stereoFile, { leftHz: LEFT_HZ, rightHz: RIGHT_HZ, bothHz: HIGH_HZ, seconds: 20, volume: 0.2 });
});

/** Music mode, the microphone muted (Chromium's fake one beeps), the track looping at unity, no ducking. */
const MIXER: MixerSettings = {
  ...DEFAULT_MIXER,
  mode: 'music',
  channels: { ...DEFAULT_MIXER.channels, mic: { gainDb: 0, muted: true, solo: false } },
  track: { loop: true },
  ducking: { ...DEFAULT_MIXER.ducking, enabled: false },
};

const measure = (listener: Page, durationMs = 1600): Promise<ChannelSpectrum> =>
  listener.evaluate(measureChannels, { durationMs, selector: 'audio', bandsHz: [LEFT_HZ, RIGHT_HZ, HIGH_HZ], rangesHz: [MID_RANGE, HIGH_RANGE] });

const describeChannels = (m: ChannelSpectrum) =>
  ['L', 'R']
    .map((side, c) => `${side}: 440 Hz ${m.bandsDb[c]![0]!.toFixed(1)}, 1 kHz ${m.bandsDb[c]![1]!.toFixed(1)}, 17 kHz ${m.bandsDb[c]![2]!.toFixed(1)} dB, 15–20 kHz ${m.rangesDb[c]![1]!.toFixed(1)} dB, RMS ${m.rmsDbfs[c]!.toFixed(1)} dBFS`)
    .join('; ');

const sendingKbps = async (host: Page) => Number((await host.getByRole('status', { name: 'Publishing' }).getAttribute('data-kbps')) || 'NaN');

describe('music mode', { timeout: 120_000 }, () => {
  it('delivers stereo (440 Hz left, 1 kHz right) and the band above 15 kHz at ≥ 192 kbps; switched live to voice, the same listener hears mono, speech band, 64 kbps, without a gap', async () => {
    const { browser, host } = await openMixerStudio(cleanups, MIXER);
    await playTrack(host, stereoFile);
    const listener = await goLiveWithListener(browser, host, 'Music check');

    // Music: each tone on its own side, 17 kHz on both.
    let music = await measure(listener);
    await expect
      .poll(
        async () => {
          music = await measure(listener);
          return music.bandsDb[0]![0]! - music.bandsDb[0]![1]!;
        },
        { timeout: 20_000, interval: 0 },
      )
      .toBeGreaterThan(30);
    console.info(`music mode at the listener (${music.channels} channels): ${describeChannels(music)}`);
    const [left, right] = [0, 1];
    const [hz440, hz1000, hz17k] = [0, 1, 2];
    expect(music.channels).toBe(2);
    expect(music.bandsDb[left]![hz440]! - music.bandsDb[left]![hz1000]!).toBeGreaterThan(30);
    expect(music.bandsDb[right]![hz1000]! - music.bandsDb[right]![hz440]!).toBeGreaterThan(30);
    // The 17 kHz tone arrives on both sides about as loud as the side's own tone (all three were made equal).
    for (const side of [left, right]) expect(Math.abs(music.bandsDb[side]![hz17k]! - music.bandsDb[side]![side === left ? hz440 : hz1000]!)).toBeLessThan(4);
    await expect.poll(() => sendingKbps(host), { timeout: 10_000 }).toBeGreaterThanOrEqual(192);
    // The program strip meters each side: two −14 dBFS sines peak together at about −8 dBFS.
    for (const side of ['left', 'right']) {
      const peak = Number(await host.getByRole('meter', { name: `Program ${side} level` }).getAttribute('data-peak-dbfs'));
      expect(peak).toBeGreaterThan(-9);
      expect(peak).toBeLessThan(-7);
    }
    const musicKbps = await sendingKbps(host);
    // The producer was negotiated as 48 kHz Opus, stereo (sprop-stereo=1: the listener's answer gets stereo=1), FEC on, DTX off.
    const publishing = host.getByRole('status', { name: 'Publishing' });
    expect(await publishing.getAttribute('data-codec')).toBe('audio/opus/48000/2');
    const fmtp = (await publishing.getAttribute('data-fmtp'))!.split(';');
    console.info(`producer fmtp: ${fmtp.join(';')}`);
    expect(fmtp).toEqual(expect.arrayContaining(['sprop-stereo=1', 'useinbandfec=1', 'usedtx=0']));

    // Switch to voice while live, watching the listener's audio for a gap across the switch.
    const stream = await listener.evaluate(() => {
      const w = window as unknown as { __streamBefore?: unknown };
      w.__streamBefore = document.querySelector('audio')!.srcObject;
      return true;
    });
    expect(stream).toBe(true);
    // The same watch without a switch first: what the path drops on its own (the fake network, a loaded machine).
    const baseline = await listener.evaluate(watchContinuity, { durationMs: 3000, selector: 'audio', quietDbfs: -50 });
    console.info(`no switch, at the listener: ${baseline.quietWindows} quiet of ${baseline.windows} 10 ms windows, longest quiet ${baseline.longestQuietMs.toFixed(0)} ms`);
    const watching = listener.evaluate(watchContinuity, { durationMs: 4000, selector: 'audio', quietDbfs: -50 });
    await new Promise((r) => setTimeout(r, 1000));
    await host.getByRole('radio', { name: 'Voice' }).check();
    const continuity = await watching;
    console.info(`switch music → voice at the listener: ${continuity.quietWindows} quiet of ${continuity.windows} 10 ms windows, longest quiet ${continuity.longestQuietMs.toFixed(0)} ms, lowest ${continuity.lowestDbfs.toFixed(1)} dBFS`);
    expect(continuity.longestQuietMs).toBeLessThan(60);
    expect(await listener.evaluate(() => (window as unknown as { __streamBefore?: unknown }).__streamBefore === document.querySelector('audio')!.srcObject)).toBe(true);
    expect(await listener.getByRole('status').first().textContent()).toContain('You are listening');

    // Voice: one program on both sides (both tones on each), nothing above the speech band, 64 kbps.
    let voice = await measure(listener);
    await expect
      .poll(
        async () => {
          voice = await measure(listener);
          return music.rangesDb[left]![1]! - voice.rangesDb[left]![1]!;
        },
        { timeout: 15_000, interval: 0 },
      )
      .toBeGreaterThan(30);
    console.info(`voice mode at the listener: ${describeChannels(voice)}`);
    for (const side of [left, right]) {
      expect(Math.abs(voice.bandsDb[side]![hz440]! - voice.bandsDb[side]![hz1000]!)).toBeLessThan(3);
      expect(music.rangesDb[side]![1]! - voice.rangesDb[side]![1]!).toBeGreaterThan(30);
      // The speech band itself passes: each side now carries both tones at half amplitude, 3 dB under one tone at full.
      const midDrop = music.rangesDb[side]![0]! - voice.rangesDb[side]![0]!;
      expect(midDrop).toBeGreaterThan(1.5);
      expect(midDrop).toBeLessThan(4.5);
    }
    await expect.poll(() => sendingKbps(host), { timeout: 10_000 }).toBeLessThan(70);
    console.info(`encoder: music ${musicKbps} kbps, voice ${await sendingKbps(host)} kbps`);
  });
});
