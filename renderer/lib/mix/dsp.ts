/**
 * The mix's sample maths, free of Web Audio so it runs in unit tests and inside
 * the AudioWorklet (program-mix.worklet.ts) alike.
 */
export const SILENCE_DBFS = -100;

export function toDbfs(amplitude: number): number {
  return amplitude > 0 ? Math.max(SILENCE_DBFS, 20 * Math.log10(amplitude)) : SILENCE_DBFS;
}

export function fromDb(db: number): number {
  return 10 ** (db / 20);
}

/** Peak and RMS, in dBFS, as the meters post them. */
export type Levels = { peakDbfs: number; rmsDbfs: number };

/**
 * Peak and RMS of a running signal, reported every `reportFrames` samples:
 * the peak is the largest sample since the last report; the RMS covers the
 * last `rmsReports` report periods (a sliding window, ~300 ms by default), so
 * a steady tone reads the same RMS as sox does over the whole file.
 */
export class LevelAccumulator {
  readonly #reportFrames: number;
  readonly #squares: Float64Array;
  readonly #counts: Uint32Array;
  #slot = 0;
  #frames = 0;
  #peak = 0;
  #sum = 0;

  constructor(reportFrames: number, rmsReports: number) {
    this.#reportFrames = reportFrames;
    this.#squares = new Float64Array(rmsReports);
    this.#counts = new Uint32Array(rmsReports);
  }

  /** Adds a block; returns the levels each time a report period completes (at most once per call), else null. */
  push(samples: Float32Array): Levels | null {
    let report: Levels | null = null;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      const a = s < 0 ? -s : s;
      if (a > this.#peak) this.#peak = a;
      this.#sum += s * s;
      if (++this.#frames === this.#reportFrames) report = this.#close();
    }
    return report;
  }

  #close(): Levels {
    this.#squares[this.#slot] = this.#sum;
    this.#counts[this.#slot] = this.#frames;
    this.#slot = (this.#slot + 1) % this.#squares.length;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < this.#squares.length; i++) {
      sum += this.#squares[i]!;
      count += this.#counts[i]!;
    }
    const levels = { peakDbfs: toDbfs(this.#peak), rmsDbfs: toDbfs(Math.sqrt(sum / Math.max(1, count))) };
    this.#peak = 0;
    this.#sum = 0;
    this.#frames = 0;
    return levels;
  }
}

/**
 * The true peak of a sample stream (as BS.1770 means it: the peak of the
 * band-limited waveform between samples, not only at them), H samples late:
 * each sample's level is the largest of |x[k]| and the waveform at ¼, ½, ¾ of
 * the way to both neighbours, interpolated by a Hann-windowed sinc of 2H taps.
 * A codec rebuilds that waveform, so its peaks are what a listener receives.
 */
export class TruePeakDetector {
  static readonly PHASES = [0.25, 0.5, 0.75];
  readonly halfLength: number;
  readonly #taps: Float64Array[];
  readonly #history: Float32Array;
  #previousSegment = 0;

  constructor(halfLength = 8) {
    this.halfLength = halfLength;
    this.#history = new Float32Array(2 * halfLength);
    this.#taps = TruePeakDetector.PHASES.map((f) => {
      const taps = new Float64Array(2 * halfLength);
      let sum = 0;
      for (let i = 0; i < taps.length; i++) {
        // Tap i weighs x[k + j], j = i - H + 1; the interpolated point is k + f.
        const u = i - halfLength + 1 - f;
        const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
        const window = 0.5 * (1 + Math.cos((Math.PI * u) / halfLength));
        taps[i] = sinc * window;
        sum += taps[i]!;
      }
      for (let i = 0; i < taps.length; i++) taps[i]! /= sum;
      return taps;
    });
  }

  /** Pushes x[t]; returns x[t - H] and its true-peak level. */
  push(x: number): { sample: number; level: number } {
    const history = this.#history;
    history.copyWithin(0, 1);
    history[history.length - 1] = x;
    // history[i] = x[t - 2H + 1 + i]; the sample judged is k = t - H, at index H - 1.
    const sample = history[this.halfLength - 1]!;
    let segment = 0;
    for (const taps of this.#taps) {
      let y = 0;
      for (let i = 0; i < taps.length; i++) y += taps[i]! * history[i]!;
      const a = y < 0 ? -y : y;
      if (a > segment) segment = a;
    }
    const own = sample < 0 ? -sample : sample;
    const level = Math.max(own, segment, this.#previousSegment);
    this.#previousSegment = segment;
    return { sample, level };
  }
}

/**
 * A look-ahead true-peak limiter: no output sample, and (within the
 * interpolator's accuracy) no peak between samples, exceeds `ceiling`.
 *
 * Each sample's true-peak level comes from a TruePeakDetector (H samples
 * late), and the signal is delayed by a further `lookahead - 1` samples. The
 * gain each sample needs (ceiling / level, at most 1) goes through a sliding
 * minimum over `lookahead` samples, a release (the gain recovers towards 1
 * with a time constant), then a moving average over `lookahead` samples.
 * Every value the average covers is a minimum over a window containing the
 * delayed sample, so the gain applied to it is never more than it needs: the
 * ceiling holds, and the gain ramps smoothly over the look-ahead instead of
 * jumping (no clicks).
 */
export class PeakLimiter {
  readonly #ceiling: number;
  readonly #lookahead: number;
  readonly #releaseCoefficient: number;
  readonly #detector = new TruePeakDetector();
  /** Delay line for the signal (length lookahead). */
  readonly #delay: Float32Array;
  /** Needed gains of the last `lookahead` samples, for the sliding minimum. */
  readonly #needed: Float32Array;
  /** The released minima of the last `lookahead` samples, for the moving average. */
  readonly #held: Float32Array;
  #index = 0;
  #released = 1;
  #heldSum: number;
  /** The gain applied to the last sample, for the gain-reduction readout. */
  lastGain = 1;

  constructor(options: { sampleRate: number; ceilingDbfs: number; lookaheadMs: number; releaseMs: number }) {
    this.#ceiling = fromDb(options.ceilingDbfs);
    this.#lookahead = Math.max(2, Math.round((options.lookaheadMs / 1000) * options.sampleRate));
    this.#releaseCoefficient = 1 - Math.exp(-1 / ((options.releaseMs / 1000) * options.sampleRate));
    this.#delay = new Float32Array(this.#lookahead);
    this.#needed = new Float32Array(this.#lookahead).fill(1);
    this.#held = new Float32Array(this.#lookahead).fill(1);
    this.#heldSum = this.#lookahead;
  }

  /** Latency in samples. */
  get latency(): number {
    return this.#detector.halfLength + this.#lookahead - 1;
  }

  /** Limits `input` into `output` (may be the same array). */
  process(input: Float32Array, output: Float32Array): void {
    const n = this.#lookahead;
    for (let i = 0; i < input.length; i++) {
      const { sample: x, level: a } = this.#detector.push(input[i]!);
      const need = a > this.#ceiling ? this.#ceiling / a : 1;
      const slot = this.#index;
      this.#needed[slot] = need;
      let minimum = need;
      for (let k = 0; k < n; k++) if (this.#needed[k]! < minimum) minimum = this.#needed[k]!;
      // Attack is instant into the window's minimum (the average smooths it); release is gradual.
      this.#released = minimum < this.#released ? minimum : this.#released + (1 - this.#released) * this.#releaseCoefficient;
      if (this.#released > 1) this.#released = 1;
      const held = this.#released < minimum ? this.#released : minimum;
      this.#heldSum += held - this.#held[slot]!;
      this.#held[slot] = held;
      // The sample leaving the delay line entered lookahead - 1 samples ago.
      const oldest = (slot + 1) % n;
      const delayed = this.#delay[oldest]!;
      this.#delay[slot] = x;
      const gain = Math.min(1, this.#heldSum / n);
      this.lastGain = gain;
      let y = delayed * gain;
      // Float rounding of the running sum must never let a sample through above the ceiling.
      if (y > this.#ceiling) y = this.#ceiling;
      else if (y < -this.#ceiling) y = -this.#ceiling;
      output[i] = y;
      this.#index = oldest;
      // Once per lap, sum afresh so rounding cannot drift over hours of program.
      if (oldest === 0) {
        let sum = 0;
        for (let k = 0; k < n; k++) sum += this.#held[k]!;
        this.#heldSum = sum;
      }
    }
  }
}
