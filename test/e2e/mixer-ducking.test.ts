/**
 * Ducking, measured at a listener: the fake microphone "speaks" (a 300 Hz
 * tone, 4 s on, 5 s off) over a track (a 1 kHz tone); the listener's 1 kHz
 * level drops by the set depth while the 300 Hz voice is there and is back
 * within the hold plus the set release after it stops.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../electron/contract.ts';
import { Ducker } from '../../renderer/lib/mix/dsp.ts';
import { traceBands, type BandTrace } from '../support/band-trace.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { goLiveWithListener, openMixerStudio, playTrack } from '../support/mixer-studio.ts';
import { writeBursts } from '../support/stereo-fixtures.ts';
import { writeSine } from '../support/tones.ts';

const VOICE_HZ = 300;
const MUSIC_HZ = 1000;
const DEPTH_DB = 12;
const RELEASE_MS = 800;

const fixtures = { voice: '', music: '' };
const cleanups = cleanupsAfterEach();

fixtureDir('spacecraft-ducking-', (dir) => {
  fixtures.voice = join(dir, 'voice-bursts.wav');
  writeBursts(fixtures.voice, { hz: VOICE_HZ, onSeconds: 4, offSeconds: 5, volume: 0.1, cycles: 4 });
  fixtures.music = join(dir, 'music.wav');
  writeSine(fixtures.music, MUSIC_HZ, 10, 0.2);
});

const MIXER: MixerSettings = {
  ...DEFAULT_MIXER,
  mode: 'music',
  track: { loop: true },
  ducking: { enabled: true, depthDb: DEPTH_DB, thresholdDb: -40, releaseMs: RELEASE_MS },
};

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** Splits a trace into voice-on and voice-off runs by the voice band, and finds the music's level in each. */
function analyse(trace: BandTrace) {
  const voiceOn = trace.map((f) => f.bandsDb[0]! > -60);
  const music = trace.map((f) => f.bandsDb[1]!);
  const offsets: number[] = [];
  const onsets: number[] = [];
  for (let i = 1; i < trace.length; i++) {
    if (voiceOn[i - 1] && !voiceOn[i]) offsets.push(i);
    if (!voiceOn[i - 1] && voiceOn[i]) onsets.push(i);
  }
  const since = (i: number, change: number[], on: boolean) => {
    const last = change.filter((c) => c <= i).at(-1);
    return last === undefined ? Infinity : voiceOn[i] === on ? trace[i]!.t - trace[last]!.t : -1;
  };
  // At level: the voice has been silent for 2 s or more. Ducked: the voice has spoken for 0.5 s or more.
  const atLevel = median(trace.flatMap((_, i) => (!voiceOn[i] && since(i, offsets, false) >= 2000 ? [music[i]!] : [])));
  const ducked = median(trace.flatMap((_, i) => (voiceOn[i] && since(i, onsets, true) >= 500 ? [music[i]!] : [])));
  // Recovery: from each end of speech to the first read of the music within 1 dB of its level.
  const recoveries = offsets.flatMap((i) => {
    for (let j = i; j < trace.length && !voiceOn[j]; j++) if (music[j]! >= atLevel - 1) return [trace[j]!.t - trace[i]!.t];
    return [];
  });
  return { atLevel, ducked, recoveries, onsets: onsets.length, offsets: offsets.length };
}

describe('ducking', { timeout: 120_000 }, () => {
  it('lowers the music by the set depth while the mic speaks, and brings it back within the release time', async () => {
    const { browser, host } = await openMixerStudio(cleanups, MIXER, fixtures.voice);
    await playTrack(host, fixtures.music);
    const listener = await goLiveWithListener(browser, host, 'Ducking check');
    // Two whole cycles of the voice (9 s each), read every 40 ms.
    const trace = await listener.evaluate(traceBands, { durationMs: 19_000, intervalMs: 40, selector: 'audio', bandsHz: [VOICE_HZ, MUSIC_HZ] });
    const result = analyse(trace);
    console.info(
      `ducking at the listener: music ${result.atLevel.toFixed(1)} dB at level, ${result.ducked.toFixed(1)} dB under the voice (depth ${(result.atLevel - result.ducked).toFixed(1)} dB, set ${DEPTH_DB}); ` +
        `back within 1 dB ${result.recoveries.map((r) => r.toFixed(0)).join(', ')} ms after the voice stopped (hold ${Ducker.HOLD_MS} + release ${RELEASE_MS} ms); ${result.onsets} onsets, ${result.offsets} ends`,
    );
    expect(result.offsets).toBeGreaterThanOrEqual(1);
    expect(result.atLevel - result.ducked).toBeGreaterThan(DEPTH_DB - 1);
    expect(result.atLevel - result.ducked).toBeLessThan(DEPTH_DB + 1);
    for (const recovery of result.recoveries) {
      // It takes the release (the ramp is straight in dB: the last dB comes in its last 1/12)…
      expect(recovery).toBeGreaterThan(Ducker.HOLD_MS + RELEASE_MS * 0.6);
      // …and no longer, give or take the analyser's 85 ms window and one 40 ms read.
      expect(recovery).toBeLessThan(Ducker.HOLD_MS + RELEASE_MS + 85 + 40 + 60);
    }
    expect(result.recoveries.length).toBeGreaterThanOrEqual(1);
  });
});
