/** Peak and RMS level, in dBFS, of whatever is connected to `input`. */
export const SILENCE_DBFS = -100;

export function toDbfs(amplitude: number): number {
  return amplitude > 0 ? Math.max(SILENCE_DBFS, 20 * Math.log10(amplitude)) : SILENCE_DBFS;
}

/** Peak and RMS of a block of samples in [-1, 1]. */
export function measureLevels(samples: Float32Array): { peakDbfs: number; rmsDbfs: number } {
  let peak = 0;
  let sum = 0;
  for (const s of samples) {
    const a = Math.abs(s);
    if (a > peak) peak = a;
    sum += s * s;
  }
  return { peakDbfs: toDbfs(peak), rmsDbfs: toDbfs(Math.sqrt(sum / Math.max(1, samples.length))) };
}

export class LevelMeter {
  readonly input: AnalyserNode;
  readonly #buffer: Float32Array<ArrayBuffer>;

  constructor(context: BaseAudioContext) {
    this.input = context.createAnalyser();
    this.input.fftSize = 2048;
    this.#buffer = new Float32Array(this.input.fftSize);
  }

  read(): { peakDbfs: number; rmsDbfs: number } {
    this.input.getFloatTimeDomainData(this.#buffer);
    return measureLevels(this.#buffer);
  }
}
