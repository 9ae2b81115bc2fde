import { describe, expect, it } from 'vitest';
import { fromDb, LevelAccumulator, LevelBank, PeakLimiter, SILENCE_DBFS, SlidingMinimum, toDbfs, TruePeakDetector } from './dsp.ts';
import { CODEC_MARGIN_DB, effectiveGains, LIMITER_CEILING_DBFS, LIMITER_THRESHOLD_DBFS, type ChannelStates } from './mixer-state.ts';

const RATE = 48000;
const sine = (seconds: number, hz: number, amplitude: number) => Float32Array.from({ length: Math.round(seconds * RATE) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
const peakOf = (x: Float32Array) => x.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
/** A reference true peak, independent of the limiter's detector: 16× oversampling by a 64-tap-a-side Blackman-windowed sinc. */
function truePeakOf(x: Float32Array, from = 0): number {
  const H = 64;
  let peak = 0;
  for (let k = Math.max(from, H); k < x.length - H; k++) {
    for (let p = 0; p < 16; p++) {
      const f = p / 16;
      let y = 0;
      for (let j = -H + 1; j <= H; j++) {
        const u = j - f;
        const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
        const w = 0.42 + 0.5 * Math.cos((Math.PI * u) / H) + 0.08 * Math.cos((2 * Math.PI * u) / H);
        y += x[k + j]! * sinc * w;
      }
      peak = Math.max(peak, Math.abs(y));
    }
  }
  return peak;
}
const rmsOf = (x: Float32Array) => Math.sqrt(x.reduce((a, s) => a + s * s, 0) / x.length);

/** Feeds a signal in render quanta of 128 and collects every report. */
function reports(levels: LevelAccumulator, signal: Float32Array) {
  const out = [];
  for (let i = 0; i < signal.length; i += 128) {
    const report = levels.push(signal.subarray(i, i + 128));
    if (report) out.push(report);
  }
  return out;
}

describe('meter maths', () => {
  it('reads a −6 dBFS sine as −6.02 dBFS peak and −9.03 dBFS RMS, as sox does', () => {
    const all = reports(new LevelAccumulator(1600, 9), sine(1, 440, 0.5));
    expect(all.length).toBe(30);
    const last = all.at(-1)!;
    expect(last.peakDbfs).toBeCloseTo(-6.02, 1);
    expect(last.rmsDbfs).toBeCloseTo(-9.03, 1);
  });

  it('reports at display rate (every 1600 samples, 30 a second) whatever the block size', () => {
    const levels = new LevelAccumulator(1600, 9);
    expect(reports(levels, sine(2, 1000, 0.1)).length).toBe(60);
  });

  it('holds the largest sample of each period as its peak, and averages RMS over the window', () => {
    const levels = new LevelAccumulator(1600, 9);
    const signal = new Float32Array(1600 * 9).fill(0.01);
    signal[100] = 0.9;
    const all = reports(levels, signal);
    expect(all[0]!.peakDbfs).toBeCloseTo(toDbfs(0.9), 3);
    expect(all[1]!.peakDbfs).toBeCloseTo(-40, 3);
    // The window's RMS includes the spike's energy: sqrt((0.81 + 14399 × 1e-4) / 14400).
    expect(all[8]!.rmsDbfs).toBeCloseTo(toDbfs(Math.sqrt((0.81 + 14399 * 1e-4) / 14400)), 3);
  });

  it('floors silence instead of returning −Infinity', () => {
    const [first] = reports(new LevelAccumulator(128, 1), new Float32Array(128));
    expect(first).toEqual({ peakDbfs: SILENCE_DBFS, rmsDbfs: SILENCE_DBFS });
  });

  it('meters many inputs in one bank: one report for all per period, each as its own meter reads it, a missing input as silence', () => {
    const bank = new LevelBank(3, 1600, 9);
    const a = sine(1, 440, 0.5);
    const b = sine(1, 1000, 0.1);
    const alone = reports(new LevelAccumulator(1600, 9), a);
    const all = [];
    for (let i = 0; i < a.length; i += 128) {
      const report = bank.push([a.subarray(i, i + 128), b.subarray(i, i + 128), undefined]);
      if (report) all.push(report);
    }
    expect(all.length).toBe(30);
    expect(all.map((report) => report[0])).toEqual(alone);
    const last = all.at(-1)!;
    expect(last).toHaveLength(3);
    expect(last[1]!.peakDbfs).toBeCloseTo(-20, 1);
    expect(last[1]!.rmsDbfs).toBeCloseTo(-23.01, 1);
    expect(last[2]).toEqual({ peakDbfs: SILENCE_DBFS, rmsDbfs: SILENCE_DBFS });
  });
});

describe('master limiter', () => {
  const limit = (signal: Float32Array, ceilingDbfs = -1) => {
    const limiter = new PeakLimiter({ sampleRate: RATE, ceilingDbfs, lookaheadMs: 1.5, releaseMs: 80 });
    const out = new Float32Array(signal.length);
    for (let i = 0; i < signal.length; i += 128) limiter.process(signal.subarray(i, i + 128), out.subarray(i, i + 128));
    return { out, latency: limiter.latency };
  };

  it('keeps a +6 dB overdriven sine under −1 dBFS, sample by sample', () => {
    const { out } = limit(sine(1, 440, fromDb(6)));
    expect(toDbfs(peakOf(out))).toBeLessThanOrEqual(-1 + 1e-6);
    // And it is still loud: the limiter holds the level near the ceiling, it does not duck it away.
    expect(toDbfs(rmsOf(out.subarray(RATE / 2)))).toBeGreaterThan(-6);
  });

  it('catches a single full-scale click with no overshoot', () => {
    const signal = new Float32Array(4800);
    signal[2000] = 1;
    signal[2001] = -1.5;
    expect(toDbfs(peakOf(limit(signal).out))).toBeLessThanOrEqual(-1 + 1e-6);
  });

  it('limits the true peak between samples: a 12 kHz sine whose samples miss its crests', () => {
    // Sampled 45° off its crests, a full-scale 12 kHz sine has sample peaks of −3 dBFS but a true peak of 0 dBFS.
    const signal = Float32Array.from({ length: 9600 }, (_, i) => Math.sin((2 * Math.PI * 12000 * i) / RATE + Math.PI / 4));
    expect(toDbfs(peakOf(signal))).toBeCloseTo(-3.01, 1);
    expect(toDbfs(truePeakOf(signal, 4800))).toBeCloseTo(0, 1);
    const { out } = limit(signal);
    expect(toDbfs(truePeakOf(out, 4800))).toBeLessThan(-1 + 0.1);
  });

  it('keeps the waveform rebuilt around a sudden jump (a click, a looped file) under the ceiling', () => {
    // A −1.5 dBFS sine that jumps from its crest to its trough: the jump's ringing overshoots the samples.
    const a = fromDb(-1.5);
    const signal = Float32Array.from({ length: 9600 }, (_, i) => (i < 4800 ? a * Math.sin((2 * Math.PI * 440 * i) / RATE) : -a * Math.sin((2 * Math.PI * 440 * (i - 4800)) / RATE + Math.PI / 2)));
    const jumpFrom = signal[4799]!;
    expect(Math.abs(jumpFrom - signal[4800]!)).toBeGreaterThan(0.5);
    // Its samples never pass −1.5 dBFS, yet the waveform between them does pass the −1 dBFS ceiling.
    expect(toDbfs(truePeakOf(signal, 4000))).toBeGreaterThan(-0.9);
    const { out } = limit(signal);
    expect(toDbfs(truePeakOf(out, 4000))).toBeLessThan(-1 + 0.1);
  });

  it('holds a +6 dB sine through a fake microphone loop point (10 ms dropped) at its threshold, a codec margin under the ceiling', () => {
    // The worst Opus overshoot measured at a listener at such a loop point: +1.58 dB over the limiter's output.
    const worstCodecOvershootDb = 1.58;
    expect(LIMITER_THRESHOLD_DBFS).toBe(LIMITER_CEILING_DBFS - CODEC_MARGIN_DB);
    expect(LIMITER_THRESHOLD_DBFS + worstCodecOvershootDb).toBeLessThan(LIMITER_CEILING_DBFS - 0.5);
    const a = fromDb(6);
    const dropped = Math.round(0.0103 * RATE);
    const signal = Float32Array.from({ length: RATE }, (_, i) => a * Math.sin((2 * Math.PI * 440 * (i < RATE / 2 ? i : i + dropped)) / RATE));
    const { out } = limit(signal, LIMITER_THRESHOLD_DBFS);
    expect(toDbfs(peakOf(out))).toBeLessThanOrEqual(LIMITER_THRESHOLD_DBFS + 1e-6);
    expect(toDbfs(truePeakOf(out.subarray(RATE / 2 - 2400, RATE / 2 + 2400)))).toBeLessThan(LIMITER_THRESHOLD_DBFS + 0.1);
    // Still loud: a sine held there is about 3 dB under it in RMS.
    expect(toDbfs(rmsOf(out.subarray(RATE / 4)))).toBeGreaterThan(LIMITER_THRESHOLD_DBFS - 3.2);
  });

  it('detects the true peak of a sine between its samples within 0.2 dB', () => {
    const detector = new TruePeakDetector();
    let level = 0;
    for (let i = 0; i < 4800; i++) level = Math.max(level, detector.push(Math.sin((2 * Math.PI * 12000 * i) / RATE + Math.PI / 4)).level);
    expect(toDbfs(level)).toBeGreaterThan(-0.2);
    expect(toDbfs(level)).toBeLessThan(0.2);
  });

  it('passes a −20 dBFS tone unchanged, only delayed by its look-ahead', () => {
    const input = sine(0.5, 1000, fromDb(-20));
    const { out, latency } = limit(input);
    expect(latency).toBe(8 + 71);
    for (let i = latency; i < input.length; i++) expect(out[i]).toBeCloseTo(input[i - latency]!, 6);
  });

  it('recovers after a burst: a quiet tone after a loud one comes back to its level within the release', () => {
    const loud = sine(0.2, 440, 2);
    const quiet = sine(1, 440, fromDb(-20));
    const signal = new Float32Array(loud.length + quiet.length);
    signal.set(loud);
    signal.set(quiet, loud.length);
    const { out } = limit(signal);
    const tail = out.subarray(loud.length + RATE / 2);
    expect(toDbfs(rmsOf(tail))).toBeCloseTo(-20 - 3.01, 1);
  });
});

describe('sliding minimum', () => {
  it('gives the minimum of the last n values, as a brute-force scan does, for any sequence', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const n of [1, 2, 5, 72]) {
      const window = new SlidingMinimum(n, 1);
      const seen: number[] = Array.from({ length: n }, () => 1);
      for (let i = 0; i < 2000; i++) {
        // Runs of equal values and steady slopes as well as noise, as a limiter's needed gains have.
        const v = i % 300 < 100 ? 0.5 : i % 300 < 200 ? random() : 1 - (i % 100) / 200;
        seen.push(v);
        expect(window.push(v)).toBe(Math.min(...seen.slice(-n)));
      }
    }
  });
});

describe('stereo limiter', () => {
  it('limits both channels with one gain, so the louder side keeps its place in the image', () => {
    const left = sine(0.5, 440, fromDb(6));
    const right = sine(0.5, 1000, fromDb(-6));
    const limiter = new PeakLimiter({ sampleRate: RATE, ceilingDbfs: -1, lookaheadMs: 1.5, releaseMs: 80 , channels: 2 });
    const outL = new Float32Array(left.length);
    const outR = new Float32Array(right.length);
    for (let i = 0; i < left.length; i += 128) limiter.processChannels([left.subarray(i, i + 128), right.subarray(i, i + 128)], [outL.subarray(i, i + 128), outR.subarray(i, i + 128)]);
    const settled = RATE / 10;
    expect(toDbfs(peakOf(outL.subarray(settled)))).toBeLessThanOrEqual(-1 + 1e-6);
    // The right side is cut by the same 7 dB as the left, though it alone never came near the ceiling.
    const cut = toDbfs(rmsOf(right.subarray(settled, right.length - 200))) - toDbfs(rmsOf(outR.subarray(settled + limiter.latency)));
    expect(cut).toBeGreaterThan(6.5);
    expect(cut).toBeLessThan(7.5);
  });
});

describe('limiter skipping quiet blocks', () => {
  /** Quiet, a sudden loud burst, a near-ceiling stretch, a click, quiet again: in both channels, differently. */
  function program(): [Float32Array, Float32Array] {
    const left = new Float32Array(RATE);
    const right = new Float32Array(RATE);
    for (let i = 0; i < RATE; i++) {
      const t = i / RATE;
      const level = t < 0.2 ? 0.05 : t < 0.35 ? 1.6 : t < 0.6 ? 0.6 : t < 0.62 ? 0.02 : 0.1;
      left[i] = level * Math.sin(2 * Math.PI * 440 * t);
      right[i] = 0.7 * level * Math.sin(2 * Math.PI * 11_900 * t + 1);
    }
    left[Math.round(0.8 * RATE)] = 1;
    return [left, right];
  }
  function run(skipQuiet: boolean, block: number): [Float32Array, Float32Array, number[]] {
    const [left, right] = program();
    const limiter = new PeakLimiter({ sampleRate: RATE, ceilingDbfs: LIMITER_THRESHOLD_DBFS, lookaheadMs: 1.5, releaseMs: 80, channels: 2, skipQuiet });
    const outL = new Float32Array(left.length);
    const outR = new Float32Array(right.length);
    const gains: number[] = [];
    for (let i = 0; i < left.length; i += block) {
      limiter.processChannels([left.subarray(i, i + block), right.subarray(i, i + block)], [outL.subarray(i, i + block), outR.subarray(i, i + block)]);
      gains.push(limiter.lastGain);
    }
    return [outL, outR, gains];
  }

  it.each([128, 37])('gives the same output to the bit as interpolating every sample (blocks of %i)', (block) => {
    const [exactL, exactR, exactGains] = run(false, block);
    const [fastL, fastR, fastGains] = run(true, block);
    expect(fastGains).toEqual(exactGains);
    // Compared sample by sample (toEqual on typed arrays of this size reports the first difference).
    expect(Array.from(fastL)).toEqual(Array.from(exactL));
    expect(Array.from(fastR)).toEqual(Array.from(exactR));
    // The program does reach the limiter: the check covers blocks that limit and blocks that skip.
    expect(Math.min(...exactGains)).toBeLessThan(0.5);
  });

  it('bounds every interpolated point by the taps gain times the largest sample around it', () => {
    const detector = new TruePeakDetector();
    expect(detector.tapsGain).toBeGreaterThanOrEqual(1);
    const signal = sine(0.05, 11_900, 0.5);
    let worst = 0;
    for (const x of signal) worst = Math.max(worst, detector.pushLevel(x));
    expect(worst).toBeLessThanOrEqual(0.5 * detector.tapsGain);
  });
});

describe('gain, mute and solo', () => {
  const channels = (patch: Partial<ChannelStates> = {}): ChannelStates => ({
    mic: { gainDb: 0, muted: false, solo: false },
    track: { gainDb: 0, muted: true, solo: false },
    pads: { gainDb: 0, muted: true, solo: false },
    tone: { gainDb: -6, muted: false, solo: false },
    ...patch,
  });

  it('turns each fader into its linear gain', () => {
    const gains = effectiveGains(channels());
    expect(gains.mic).toBe(1);
    expect(gains.tone).toBeCloseTo(0.501, 3);
  });

  it('silences a muted channel, and a fader at its bottom', () => {
    expect(effectiveGains(channels({ mic: { gainDb: 0, muted: true, solo: false } })).mic).toBe(0);
    expect(effectiveGains(channels({ mic: { gainDb: -60, muted: false, solo: false } })).mic).toBe(0);
  });

  it('while one channel is soloed, silences the others; two soloed are both heard', () => {
    expect(effectiveGains(channels({ mic: { gainDb: 0, muted: false, solo: true } }))).toEqual({ mic: 1, track: 0, pads: 0, tone: 0 });
    const both = effectiveGains(channels({ mic: { gainDb: 0, muted: false, solo: true }, tone: { gainDb: 0, muted: false, solo: true } }));
    expect(both).toEqual({ mic: 1, track: 0, pads: 0, tone: 1 });
  });

  it('keeps a soloed but muted channel silent', () => {
    expect(effectiveGains(channels({ tone: { gainDb: 0, muted: true, solo: true } }))).toEqual({ mic: 0, track: 0, pads: 0, tone: 0 });
  });
});
