/**
 * The mix's AudioWorklet processors. Built by Vite as a separate asset
 * (`?worker&url` in program-mix.ts) so the studio's CSP can load it from 'self'.
 *
 * - `spacecraft-meter`: passes nothing through; posts { peakDbfs, rmsDbfs } of
 *   its (mono) input at display rate.
 * - `spacecraft-limiter`: the master's look-ahead peak limiter, per channel.
 */
import { LevelAccumulator, PeakLimiter, toDbfs } from './dsp.ts';

// The AudioWorkletGlobalScope's names (not in TypeScript's DOM lib).
declare const sampleRate: number;
declare function registerProcessor(name: string, processor: new (options: AudioWorkletNodeOptions) => AudioWorkletProcessorBase): void;
declare class AudioWorkletProcessorBase {
  readonly port: MessagePort;
  process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
}
const Processor = (globalThis as unknown as { AudioWorkletProcessor: typeof AudioWorkletProcessorBase }).AudioWorkletProcessor;

/** Reports per second: display rate, without posting a message every render quantum. */
const REPORTS_PER_SECOND = 30;
/** The RMS window, in reports (~300 ms, the usual RMS meter integration). */
const RMS_REPORTS = 9;

class MeterProcessor extends Processor {
  readonly #levels = new LevelAccumulator(Math.round(sampleRate / REPORTS_PER_SECOND), RMS_REPORTS);
  readonly #silence = new Float32Array(128);

  override process(inputs: Float32Array[][]): boolean {
    // The node down-mixes its input to one channel (channelCount 1, 'explicit'); no input reads as silence.
    const samples = inputs[0]?.[0];
    if (samples) this.#post(this.#levels.push(samples));
    else {
      this.#silence.fill(0);
      this.#post(this.#levels.push(this.#silence));
    }
    return true;
  }

  #post(levels: { peakDbfs: number; rmsDbfs: number } | null): void {
    if (levels) this.port.postMessage(levels);
  }
}

class LimiterProcessor extends Processor {
  readonly #limiters: PeakLimiter[] = [];
  readonly #options: { ceilingDbfs: number; lookaheadMs: number; releaseMs: number };
  #frames = 0;
  #minimumGain = 1;

  constructor(options: AudioWorkletNodeOptions) {
    super();
    const given = (options.processorOptions ?? {}) as Partial<{ ceilingDbfs: number; lookaheadMs: number; releaseMs: number }>;
    this.#options = { ceilingDbfs: given.ceilingDbfs ?? -1, lookaheadMs: given.lookaheadMs ?? 1.5, releaseMs: given.releaseMs ?? 80 };
  }

  override process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const input = inputs[0] ?? [];
    const output = outputs[0] ?? [];
    for (let c = 0; c < output.length; c++) {
      const limiter = (this.#limiters[c] ??= new PeakLimiter({ sampleRate, ...this.#options }));
      const source = input[c] ?? input[0];
      if (source) limiter.process(source, output[c]!);
      else {
        output[c]!.fill(0);
        limiter.process(output[c]!, output[c]!);
      }
      if (limiter.lastGain < this.#minimumGain) this.#minimumGain = limiter.lastGain;
    }
    // Gain reduction at display rate, for the master's readout.
    this.#frames += output[0]?.length ?? 128;
    if (this.#frames >= sampleRate / REPORTS_PER_SECOND) {
      this.port.postMessage({ reductionDb: -toDbfs(this.#minimumGain) });
      this.#frames = 0;
      this.#minimumGain = 1;
    }
    return true;
  }
}

registerProcessor('spacecraft-meter', MeterProcessor);
registerProcessor('spacecraft-limiter', LimiterProcessor);
