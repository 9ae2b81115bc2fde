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
 * `count` level meters fed block by block together, reporting together: one
 * report (every meter's levels, in order) per period instead of one per meter,
 * so the worklet posts one message for all of them. A missing input reads as silence.
 */
export class LevelBank {
  readonly #meters: LevelAccumulator[];
  #silence = new Float32Array(128);

  constructor(count: number, reportFrames: number, rmsReports: number) {
    this.#meters = Array.from({ length: count }, () => new LevelAccumulator(reportFrames, rmsReports));
  }

  get count(): number {
    return this.#meters.length;
  }

  /** Adds one block per meter (inputs[i] for meter i); returns every meter's levels when a period completes, else null. */
  push(inputs: ReadonlyArray<Float32Array | undefined>): Levels[] | null {
    let report: Levels[] | null = null;
    // Silence as long as the others' blocks, so every meter closes its periods on the same block.
    const frames = inputs.find((block) => block !== undefined)?.length ?? this.#silence.length;
    if (this.#silence.length !== frames) this.#silence = new Float32Array(frames);
    for (let i = 0; i < this.#meters.length; i++) {
      const block = inputs[i] ?? this.#silence;
      const levels = this.#meters[i]!.push(block);
      if (levels) (report ??= new Array<Levels>(this.#meters.length))[i] = levels;
    }
    return report;
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
  /** The last 2H samples, written twice (at i and i + 2H) so the newest 2H are always contiguous from #at + 1. */
  readonly #history: Float32Array;
  #at = 0;
  #previousSegment = 0;
  /** The largest sum of |tap| of any phase: no interpolated point exceeds it times the largest |sample| around it. */
  readonly tapsGain: number;
  /** The sample the last `push` judged (x[t - H]). */
  lastSample = 0;

  constructor(halfLength = 8) {
    this.halfLength = halfLength;
    this.#history = new Float32Array(4 * halfLength);
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
    this.tapsGain = Math.max(...this.#taps.map((taps) => taps.reduce((sum, tap) => sum + Math.abs(tap), 0)));
  }

  /** The largest |x| of the samples the next level will look back on (the last 2H pushed). */
  historyPeak(): number {
    const history = this.#history;
    let peak = 0;
    for (let i = 0; i < 2 * this.halfLength; i++) {
      const a = Math.abs(history[i]!);
      if (a > peak) peak = a;
    }
    return peak;
  }

  /** The level the next sample carries over from the last one's following segment. */
  get carriedLevel(): number {
    return this.#previousSegment;
  }

  /**
   * Pushes x[t] without interpolating, for a stretch the caller knows is under `bound` (its largest |sample|,
   * history included, times `tapsGain`): x[t - H] goes to `lastSample` as `pushLevel` would, and `bound` stands
   * for the segment the next level carries over.
   */
  pushUnder(x: number, bound: number): void {
    const span = 2 * this.halfLength;
    this.#at = (this.#at + 1) % span;
    this.#history[this.#at] = x;
    this.#history[this.#at + span] = x;
    this.lastSample = this.#history[this.#at + this.halfLength]!;
    this.#previousSegment = bound;
  }

  /** Pushes x[t]; returns x[t - H] and its true-peak level. */
  push(x: number): { sample: number; level: number } {
    const level = this.pushLevel(x);
    return { sample: this.lastSample, level };
  }

  /** Pushes x[t]; returns the true-peak level of x[t - H] (which `lastSample` then holds). No allocation: the worklet's per-sample call. */
  pushLevel(x: number): number {
    const history = this.#history;
    const span = 2 * this.halfLength;
    this.#at = (this.#at + 1) % span;
    history[this.#at] = x;
    history[this.#at + span] = x;
    // history[base + i] = x[t - 2H + 1 + i]; the sample judged is k = t - H, at i = H - 1.
    const base = this.#at + 1;
    const sample = history[base + this.halfLength - 1]!;
    let segment = 0;
    for (const taps of this.#taps) {
      let y = 0;
      for (let i = 0; i < span; i++) y += taps[i]! * history[base + i]!;
      const a = y < 0 ? -y : y;
      if (a > segment) segment = a;
    }
    const own = sample < 0 ? -sample : sample;
    let level = own > segment ? own : segment;
    if (this.#previousSegment > level) level = this.#previousSegment;
    this.#previousSegment = segment;
    this.lastSample = sample;
    return level;
  }
}

/** The minimum of the last `length` values pushed, in O(1) amortised per value (a monotonic deque). */
export class SlidingMinimum {
  readonly #length: number;
  readonly #values: Float64Array;
  readonly #times: Float64Array;
  #head = 0;
  #size = 0;
  #time = 0;

  constructor(length: number, initial = Infinity) {
    this.#length = Math.max(1, length);
    this.#values = new Float64Array(this.#length + 1);
    this.#times = new Float64Array(this.#length + 1);
    if (initial !== Infinity) for (let i = 0; i < this.#length; i++) this.push(initial);
  }

  push(value: number): number {
    const capacity = this.#values.length;
    // Values at the back no smaller than the new one can never be the minimum again.
    while (this.#size > 0 && this.#values[(this.#head + this.#size - 1) % capacity]! >= value) this.#size--;
    const slot = (this.#head + this.#size) % capacity;
    this.#values[slot] = value;
    this.#times[slot] = this.#time;
    this.#size++;
    // The front leaves once it is older than the window.
    while (this.#times[this.#head]! <= this.#time - this.#length) {
      this.#head = (this.#head + 1) % capacity;
      this.#size--;
    }
    this.#time++;
    return this.#values[this.#head]!;
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
  readonly #detectors: TruePeakDetector[];
  /** Delay lines for the signal, one per channel (length lookahead). */
  readonly #delays: Float32Array[];
  /** Needed gains of the last `lookahead` samples: their minimum. */
  readonly #needed: SlidingMinimum;
  /** The released minima of the last `lookahead` samples, for the moving average. */
  readonly #held: Float32Array;
  #index = 0;
  #released = 1;
  #heldSum: number;
  /** The gain applied to the last sample, for the gain-reduction readout. */
  lastGain = 1;
  readonly #skipQuiet: boolean;
  readonly #bounds: Float64Array;

  /**
   * `channels` (default 1) are limited together: one gain for all, so a stereo image never shifts.
   * `skipQuiet` (default true): a block whose samples (and the detectors' history) are so far under the ceiling
   * that no interpolated point can reach it skips the interpolation; the output is the same to the bit.
   */
  constructor(options: { sampleRate: number; ceilingDbfs: number; lookaheadMs: number; releaseMs: number; channels?: number; skipQuiet?: boolean }) {
    const channels = Math.max(1, options.channels ?? 1);
    this.#skipQuiet = options.skipQuiet ?? true;
    this.#bounds = new Float64Array(channels);
    this.#ceiling = fromDb(options.ceilingDbfs);
    this.#lookahead = Math.max(2, Math.round((options.lookaheadMs / 1000) * options.sampleRate));
    this.#releaseCoefficient = 1 - Math.exp(-1 / ((options.releaseMs / 1000) * options.sampleRate));
    this.#detectors = Array.from({ length: channels }, () => new TruePeakDetector());
    this.#delays = Array.from({ length: channels }, () => new Float32Array(this.#lookahead));
    this.#needed = new SlidingMinimum(this.#lookahead, 1);
    this.#held = new Float32Array(this.#lookahead).fill(1);
    this.#heldSum = this.#lookahead;
  }

  /** Latency in samples. */
  get latency(): number {
    return this.#detectors[0]!.halfLength + this.#lookahead - 1;
  }

  /** Limits `input` into `output` (may be the same array): a one-channel limiter's call. */
  process(input: Float32Array, output: Float32Array): void {
    this.processChannels([input], [output]);
  }

  /** Limits each channel of `inputs` into the same channel of `outputs` (may be the same arrays), all with one gain. */
  processChannels(inputs: Float32Array[], outputs: Float32Array[]): void {
    const n = this.#lookahead;
    const channels = this.#detectors.length;
    const length = inputs[0]?.length ?? 0;
    // Quiet block: every level a detector could report is at most (largest |x| it looks at) × tapsGain. If that is
    // under the ceiling for every channel, every needed gain is 1 whatever the interpolation says: skip it.
    const quiet = this.#skipQuiet && this.#isQuiet(inputs, length);
    for (let i = 0; i < length; i++) {
      let a = 0;
      for (let c = 0; c < channels; c++) {
        const x = (inputs[c] ?? inputs[0]!)[i]!;
        if (quiet) {
          this.#detectors[c]!.pushUnder(x, this.#bounds[c]!);
          continue;
        }
        const level = this.#detectors[c]!.pushLevel(x);
        if (level > a) a = level;
      }
      const need = a > this.#ceiling ? this.#ceiling / a : 1;
      const slot = this.#index;
      const minimum = this.#needed.push(need);
      // Attack is instant into the window's minimum (the average smooths it); release is gradual.
      this.#released = minimum < this.#released ? minimum : this.#released + (1 - this.#released) * this.#releaseCoefficient;
      if (this.#released > 1) this.#released = 1;
      const held = this.#released < minimum ? this.#released : minimum;
      this.#heldSum += held - this.#held[slot]!;
      this.#held[slot] = held;
      // The sample leaving the delay line entered lookahead - 1 samples ago.
      const oldest = (slot + 1) % n;
      const gain = Math.min(1, this.#heldSum / n);
      this.lastGain = gain;
      for (let c = 0; c < channels; c++) {
        const delay = this.#delays[c]!;
        const delayed = delay[oldest]!;
        // The detector hands back the sample it judged (H samples late): that is what enters the delay line.
        delay[slot] = this.#detectors[c]!.lastSample;
        let y = delayed * gain;
        // Float rounding of the running sum must never let a sample through above the ceiling.
        if (y > this.#ceiling) y = this.#ceiling;
        else if (y < -this.#ceiling) y = -this.#ceiling;
        const out = outputs[c];
        if (out) out[i] = y;
      }
      this.#index = oldest;
      // Once per lap, sum afresh so rounding cannot drift over hours of program.
      if (oldest === 0) {
        let sum = 0;
        for (let k = 0; k < n; k++) sum += this.#held[k]!;
        this.#heldSum = sum;
      }
    }
  }

  /** Whether no sample of this block can be judged over the ceiling (and the bound each channel's detector then carries). */
  #isQuiet(inputs: Float32Array[], length: number): boolean {
    for (let c = 0; c < this.#detectors.length; c++) {
      const detector = this.#detectors[c]!;
      if (detector.carriedLevel > this.#ceiling) return false;
      const input = inputs[c] ?? inputs[0]!;
      let peak = detector.historyPeak();
      for (let i = 0; i < length; i++) {
        const a = Math.abs(input[i]!);
        if (a > peak) peak = a;
      }
      const bound = peak * detector.tapsGain;
      if (bound > this.#ceiling) return false;
      this.#bounds[c] = bound;
    }
    return true;
  }
}

/** The coefficient of a one-pole smoother that covers 1 − 1/e of a step in `ms`. */
function onePole(ms: number, sampleRate: number): number {
  return ms <= 0 ? 1 : 1 - Math.exp(-1 / ((ms / 1000) * sampleRate));
}

export type GateSettings = { enabled: boolean; thresholdDb: number };

/**
 * A noise gate: opens when the input's peak envelope rises over the
 * threshold, closes (to `floorDb`) when it has stayed `hysteresisDb` under it
 * for the hold time. The gain opens in about a millisecond and closes over
 * `closeMs`, so it neither clips a word's start nor clicks.
 */
export class NoiseGate {
  static readonly ATTACK_MS = 1;
  static readonly HOLD_MS = 120;
  static readonly CLOSE_MS = 60;
  static readonly HYSTERESIS_DB = 4;
  static readonly FLOOR_DB = -60;
  readonly #envelopeRelease: number;
  readonly #open: number;
  readonly #close: number;
  readonly #holdSamples: number;
  readonly #floor = fromDb(NoiseGate.FLOOR_DB);
  #settings: GateSettings = { enabled: false, thresholdDb: -50 };
  #envelope = 0;
  #held = 0;
  #isOpen = false;
  gain = 1;

  constructor(sampleRate: number) {
    this.#envelopeRelease = onePole(20, sampleRate);
    this.#open = onePole(NoiseGate.ATTACK_MS, sampleRate);
    this.#close = onePole(NoiseGate.CLOSE_MS, sampleRate);
    this.#holdSamples = Math.round((NoiseGate.HOLD_MS / 1000) * sampleRate);
  }

  configure(settings: GateSettings): void {
    this.#settings = settings;
  }

  get isOpen(): boolean {
    return this.#isOpen || !this.#settings.enabled;
  }

  process(input: Float32Array, output: Float32Array): void {
    this.processChannels([input], [output]);
  }

  /** Every channel through one gate (linked: the loudest channel opens it, all get the same gain), as a stereo pair must. */
  processChannels(inputs: readonly Float32Array[], outputs: readonly Float32Array[]): void {
    const { enabled, thresholdDb } = this.#settings;
    const openAt = fromDb(thresholdDb);
    const closeAt = fromDb(thresholdDb - NoiseGate.HYSTERESIS_DB);
    const channels = Math.min(inputs.length, outputs.length);
    const length = inputs[0]?.length ?? 0;
    for (let i = 0; i < length; i++) {
      let a = 0;
      for (let c = 0; c < channels; c++) {
        const x = inputs[c]![i]!;
        const m = x < 0 ? -x : x;
        if (m > a) a = m;
      }
      this.#envelope = a > this.#envelope ? a : this.#envelope + (a - this.#envelope) * this.#envelopeRelease;
      if (this.#envelope >= openAt) {
        this.#isOpen = true;
        this.#held = this.#holdSamples;
      } else if (this.#envelope < closeAt && this.#held > 0) this.#held--;
      else if (this.#envelope < closeAt) this.#isOpen = false;
      const target = !enabled || this.#isOpen ? 1 : this.#floor;
      this.gain += (target - this.gain) * (target > this.gain ? this.#open : this.#close);
      for (let c = 0; c < channels; c++) outputs[c]![i] = inputs[c]![i]! * this.gain;
    }
  }
}

export type CompressorSettings = { enabled: boolean; thresholdDb: number; ratio: number; attackMs: number; releaseMs: number; makeupDb: number };

/** The static curve: how many dB of gain (≤ 0) a level of `levelDb` gets, with a 6 dB soft knee around the threshold. */
export function compressorGainDb(levelDb: number, thresholdDb: number, ratio: number, kneeDb = 6): number {
  const over = levelDb - thresholdDb;
  const slope = 1 / ratio - 1;
  if (2 * over <= -kneeDb) return 0;
  if (2 * over >= kneeDb) return slope * over;
  const into = over + kneeDb / 2;
  return (slope * into * into) / (2 * kneeDb);
}

/**
 * A feed-forward compressor: the static curve on each sample's level, its
 * gain reduction smoothed in dB (attack while it grows, release while it
 * shrinks: a decoupled peak detector), then the make-up gain.
 */
export class Compressor {
  readonly #sampleRate: number;
  #settings: CompressorSettings = { enabled: false, thresholdDb: -18, ratio: 3, attackMs: 10, releaseMs: 150, makeupDb: 0 };
  #attack = 0;
  #release = 0;
  /** Gain reduction in dB (≤ 0), smoothed. */
  reductionDb = 0;

  constructor(sampleRate: number) {
    this.#sampleRate = sampleRate;
    this.configure(this.#settings);
  }

  configure(settings: CompressorSettings): void {
    this.#settings = settings;
    this.#attack = onePole(settings.attackMs, this.#sampleRate);
    this.#release = onePole(settings.releaseMs, this.#sampleRate);
  }

  process(input: Float32Array, output: Float32Array): void {
    this.processChannels([input], [output]);
  }

  /** Every channel through one compressor (linked: the loudest channel sets the gain, all get it: the stereo image holds). */
  processChannels(inputs: readonly Float32Array[], outputs: readonly Float32Array[]): void {
    const { enabled, thresholdDb, ratio, makeupDb } = this.#settings;
    const channels = Math.min(inputs.length, outputs.length);
    if (!enabled) {
      for (let c = 0; c < channels; c++) if (outputs[c] !== inputs[c]) outputs[c]!.set(inputs[c]!);
      this.reductionDb = 0;
      return;
    }
    const length = inputs[0]?.length ?? 0;
    for (let i = 0; i < length; i++) {
      let a = 0;
      for (let c = 0; c < channels; c++) {
        const x = inputs[c]![i]!;
        const m = x < 0 ? -x : x;
        if (m > a) a = m;
      }
      const wanted = a > 1e-6 ? compressorGainDb(20 * Math.log10(a), thresholdDb, ratio) : 0;
      this.reductionDb += (wanted - this.reductionDb) * (wanted < this.reductionDb ? this.#attack : this.#release);
      const gain = fromDb(this.reductionDb + makeupDb);
      for (let c = 0; c < channels; c++) outputs[c]![i] = inputs[c]![i]! * gain;
    }
  }
}

export type DuckerSettings = { enabled: boolean; depthDb: number; thresholdDb: number; releaseMs: number };

/**
 * Ducking: the music's gain follows the voice. While the side-chain's (the
 * mic's) envelope is over the threshold, the music goes down to −depth dB
 * over `ATTACK_MS`; once the voice has stayed under it for the hold (the gaps
 * between words), it comes back up in a straight line in dB, all the way in
 * `releaseMs`.
 */
export class Ducker {
  static readonly ATTACK_MS = 40;
  static readonly HOLD_MS = 150;
  readonly #sampleRate: number;
  readonly #envelopeRelease: number;
  readonly #attack: number;
  readonly #holdSamples: number;
  #settings: DuckerSettings = { enabled: false, depthDb: 12, thresholdDb: -40, releaseMs: 600 };
  #envelope = 0;
  #held = 0;
  /** The music's gain now, in dB (≤ 0). */
  gainDb = 0;
  #gainDbOf = 0;
  #gain = 1;

  constructor(sampleRate: number) {
    this.#sampleRate = sampleRate;
    this.#envelopeRelease = onePole(30, sampleRate);
    this.#attack = onePole(Ducker.ATTACK_MS / 3, sampleRate);
    this.#holdSamples = Math.round((Ducker.HOLD_MS / 1000) * sampleRate);
  }

  configure(settings: DuckerSettings): void {
    this.#settings = settings;
  }

  /** Ducks each channel of `music` into `outputs` by the side-chain's level. */
  process(music: Float32Array[], sideChain: Float32Array | undefined, outputs: Float32Array[]): void {
    const { enabled, depthDb, thresholdDb, releaseMs } = this.#settings;
    const threshold = fromDb(thresholdDb);
    const releaseStep = depthDb / Math.max(1, (releaseMs / 1000) * this.#sampleRate);
    const length = outputs[0]?.length ?? 0;
    for (let i = 0; i < length; i++) {
      const s = sideChain ? sideChain[i]! : 0;
      const a = s < 0 ? -s : s;
      this.#envelope = a > this.#envelope ? a : this.#envelope + (a - this.#envelope) * this.#envelopeRelease;
      if (enabled && this.#envelope >= threshold) this.#held = this.#holdSamples;
      else if (this.#held > 0) this.#held--;
      const target = enabled && this.#held > 0 ? -depthDb : 0;
      if (target < this.gainDb) this.gainDb += (target - this.gainDb) * this.#attack;
      else if (this.gainDb < target) this.gainDb = Math.min(target, this.gainDb + releaseStep);
      // Math.pow only when the gain moved (most samples it does not).
      if (this.gainDb !== this.#gainDbOf) {
        this.#gainDbOf = this.gainDb;
        this.#gain = fromDb(this.gainDb);
      }
      const gain = this.#gain;
      for (let c = 0; c < outputs.length; c++) outputs[c]![i] = ((music[c] ?? music[0])?.[i] ?? 0) * gain;
    }
  }
}
