/** The mic's gate and compressor and the music's ducker, measured on synthetic signals in render quanta of 128. */
import { describe, expect, it } from 'vitest';
import { Compressor, compressorGainDb, Ducker, fromDb, NoiseGate } from './dsp.ts';

const RATE = 48000;
const sine = (seconds: number, hz: number, amplitude: number) => Float32Array.from({ length: Math.round(seconds * RATE) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
const rmsDb = (x: Float32Array) => 10 * Math.log10(x.reduce((a, s) => a + s * s, 0) / Math.max(1, x.length));
const concat = (...parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
function run(process: (input: Float32Array, output: Float32Array) => void, input: Float32Array): Float32Array {
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i += 128) process(input.subarray(i, i + 128), out.subarray(i, i + 128));
  return out;
}
const at = (seconds: number) => Math.round(seconds * RATE);

describe('noise gate', () => {
  it('passes speech-level sound unchanged and brings room noise under its threshold down by 60 dB', () => {
    const gate = new NoiseGate(RATE);
    gate.configure({ enabled: true, thresholdDb: -45 });
    const voice = sine(0.5, 300, fromDb(-20));
    const hiss = sine(2, 5000, fromDb(-60));
    const out = run((i, o) => gate.process(i, o), concat(voice, hiss));
    expect(rmsDb(out.subarray(at(0.05), at(0.5)))).toBeCloseTo(rmsDb(voice.subarray(at(0.05))), 2);
    // After the hold and the close, the hiss is at its level minus the 60 dB floor.
    const tail = out.subarray(at(0.5 + 1.2));
    expect(rmsDb(tail)).toBeCloseTo(rmsDb(hiss) - 60, 0);
    // Half a second in, it is already 40 dB down.
    expect(rmsDb(out.subarray(at(0.5 + 0.45), at(0.5 + 0.55)))).toBeLessThan(rmsDb(hiss) - 40);
    expect(gate.isOpen).toBe(false);
  });

  it('opens within a couple of milliseconds, so a word is not clipped, and does nothing while off', () => {
    const gate = new NoiseGate(RATE);
    gate.configure({ enabled: true, thresholdDb: -45 });
    const out = run((i, o) => gate.process(i, o), concat(new Float32Array(at(0.5)), sine(0.1, 300, fromDb(-20))));
    expect(rmsDb(out.subarray(at(0.503), at(0.6)))).toBeGreaterThan(-20 - 3.01 - 0.2);
    const off = new NoiseGate(RATE);
    off.configure({ enabled: false, thresholdDb: -20 });
    const quiet = sine(0.3, 300, fromDb(-50));
    expect(Array.from(run((i, o) => off.process(i, o), quiet))).toEqual(Array.from(quiet));
  });
});

describe('compressor', () => {
  it('has a static curve of threshold + (level − threshold) / ratio above the knee, and leaves levels below it alone', () => {
    expect(compressorGainDb(-6, -18, 4)).toBeCloseTo(-9, 6);
    expect(compressorGainDb(-30, -18, 4)).toBe(0);
    // Inside the 6 dB knee, a gentle start: at the threshold, a quarter of the knee's slope.
    expect(compressorGainDb(-18, -18, 4)).toBeCloseTo(-0.5625, 6);
  });

  it('turns a steady tone 12 dB over a −24 dB threshold at 4:1 down by 9 dB, plus its make-up gain', () => {
    const compressor = new Compressor(RATE);
    compressor.configure({ enabled: true, thresholdDb: -24, ratio: 4, attackMs: 5, releaseMs: 100, makeupDb: 3 });
    // A sine's peaks are what the per-sample detector sees: peak −12 dBFS.
    const tone = sine(1, 200, fromDb(-12));
    const out = run((i, o) => compressor.process(i, o), tone);
    const change = rmsDb(out.subarray(at(0.5))) - rmsDb(tone.subarray(at(0.5)));
    // The detector follows the waveform (attack on the crests, release in between), so a sine is cut by a little
    // less than its peak asks: 8–9 dB.
    expect(change).toBeGreaterThan(-9 + 3 - 0.5);
    expect(change).toBeLessThan(-8 + 3 + 0.5);
  });

  it('attacks within its attack time and releases within its release time', () => {
    const compressor = new Compressor(RATE);
    compressor.configure({ enabled: true, thresholdDb: -30, ratio: 10, attackMs: 10, releaseMs: 200, makeupDb: 0 });
    run((i, o) => compressor.process(i, o), sine(0.05, 200, fromDb(-6)));
    // After 50 ms (5 attack constants) the reduction is near its full −21.6 dB.
    expect(compressor.reductionDb).toBeLessThan(-18);
    run((i, o) => compressor.process(i, o), new Float32Array(at(1)));
    // After 1 s of silence (5 release constants) it is almost all gone.
    expect(compressor.reductionDb).toBeGreaterThan(-0.3);
  });
});

describe('stereo (a music-mode mic of two channels): gate and compressor linked', () => {
  /** Runs both channels through `process` in render quanta. */
  function runStereo(process: (inputs: Float32Array[], outputs: Float32Array[]) => void, left: Float32Array, right: Float32Array): [Float32Array, Float32Array] {
    const out: [Float32Array, Float32Array] = [new Float32Array(left.length), new Float32Array(right.length)];
    for (let i = 0; i < left.length; i += 128) process([left.subarray(i, i + 128), right.subarray(i, i + 128)], [out[0].subarray(i, i + 128), out[1].subarray(i, i + 128)]);
    return out;
  }

  it('the gate opens on either side and gives both the same gain: a quiet side is not gated away while the other plays', () => {
    const gate = new NoiseGate(RATE);
    gate.configure({ enabled: true, thresholdDb: -45 });
    const loud = sine(0.5, 440, fromDb(-20));
    const quiet = sine(0.5, 1000, fromDb(-55));
    const [left, right] = runStereo((i, o) => gate.processChannels(i, o), loud, quiet);
    expect(rmsDb(left.subarray(at(0.05)))).toBeCloseTo(rmsDb(loud.subarray(at(0.05))), 2);
    expect(rmsDb(right.subarray(at(0.05)))).toBeCloseTo(rmsDb(quiet.subarray(at(0.05))), 2);
    // Alone, the quiet side would be gated.
    const alone = new NoiseGate(RATE);
    alone.configure({ enabled: true, thresholdDb: -45 });
    expect(rmsDb(run((i, o) => alone.process(i, o), quiet).subarray(at(0.3)))).toBeLessThan(rmsDb(quiet) - 40);
  });

  it('the compressor reduces both sides by the loud side’s amount, so the image does not shift', () => {
    const compressor = new Compressor(RATE);
    compressor.configure({ enabled: true, thresholdDb: -24, ratio: 4, attackMs: 5, releaseMs: 100, makeupDb: 0 });
    const loud = sine(1, 440, fromDb(-12 + 3));
    const quiet = sine(1, 1000, fromDb(-40 + 3));
    const [left, right] = runStereo((i, o) => compressor.processChannels(i, o), loud, quiet);
    const tail = (x: Float32Array) => rmsDb(x.subarray(at(0.5)));
    const leftDrop = tail(loud) - tail(left);
    const rightDrop = tail(quiet) - tail(right);
    expect(leftDrop).toBeGreaterThan(5);
    expect(rightDrop).toBeCloseTo(leftDrop, 1);
  });
});

describe('ducker', () => {
  const SETTINGS = { enabled: true, depthDb: 12, thresholdDb: -40, releaseMs: 600 };
  /** Music (a steady tone) and a side-chain that speaks from 1 s to 3 s; the music's gain over time. */
  function duck(settings = SETTINGS) {
    const ducker = new Ducker(RATE);
    ducker.configure(settings);
    const seconds = 5;
    const music = sine(seconds, 440, 0.25);
    const voice = concat(new Float32Array(at(1)), sine(2, 200, fromDb(-20)), new Float32Array(at(seconds - 3)));
    const out = new Float32Array(music.length);
    const gains: number[] = [];
    for (let i = 0; i < music.length; i += 128) {
      ducker.process([music.subarray(i, i + 128)], voice.subarray(i, i + 128), [out.subarray(i, i + 128)]);
      gains.push(ducker.gainDb);
    }
    const gainAt = (s: number) => gains[Math.floor(at(s) / 128)]!;
    return { music, out, gainAt };
  }

  it('lowers the music by the set depth while the voice speaks', () => {
    const { music, out, gainAt } = duck();
    expect(gainAt(0.9)).toBe(0);
    expect(gainAt(1 + Ducker.ATTACK_MS / 1000 + 0.02)).toBeLessThan(-11);
    const ducked = rmsDb(out.subarray(at(1.5), at(3))) - rmsDb(music.subarray(at(1.5), at(3)));
    expect(ducked).toBeCloseTo(-12, 1);
  });

  it('brings it back within the release time after the hold, in a straight line in dB', () => {
    const { gainAt } = duck();
    // The voice's envelope falls from −20 to the −40 dB threshold (30 ms time constant: ln 10 × 30 ms), then the hold.
    const released = 3 + Math.log(10) * 0.03 + Ducker.HOLD_MS / 1000;
    // Halfway through the release, halfway back; at its end, all the way.
    expect(gainAt(released + 0.3)).toBeGreaterThan(-7);
    expect(gainAt(released + 0.3)).toBeLessThan(-5);
    expect(gainAt(released + 0.6 - 0.05)).toBeLessThan(0);
    expect(gainAt(released + 0.6 + 0.01)).toBe(0);
  });

  it('does nothing while off, or while the voice stays under its threshold', () => {
    expect(duck({ ...SETTINGS, enabled: false }).gainAt(2)).toBe(0);
    expect(duck({ ...SETTINGS, thresholdDb: -10 }).gainAt(2)).toBe(0);
  });
});
