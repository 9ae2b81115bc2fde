/**
 * The mix's AudioWorklet processors. Built by Vite as a separate asset
 * (`?worker&url` in program-mix.ts) so the studio's CSP can load it from 'self'.
 *
 * - `spacecraft-meters`: every meter (one input each); passes nothing through;
 *   posts peak and RMS of all its inputs, and the other processors' readouts,
 *   in one message at display rate (meter-report.ts).
 * - `spacecraft-limiter`: the master's look-ahead true-peak limiter, channels linked.
 * - `spacecraft-mic`: the microphone's noise gate then compressor (settings by message).
 * - `spacecraft-ducker`: the music (input 0) ducked under the voice (input 1, the side-chain).
 */
import { Compressor, Ducker, LevelBank, NoiseGate, PeakLimiter, toDbfs, type CompressorSettings, type DuckerSettings, type GateSettings } from './dsp.ts';
import { encodeMeterReport, newReadouts } from './meter-report.ts';

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
/** Readouts (limiter, gate and compressor, ducking) per second: the page shows them at 10 Hz, so posting faster only wakes it. */
const READOUTS_PER_SECOND = 10;
/** The RMS window, in reports (~300 ms, the usual RMS meter integration). */
const RMS_REPORTS = 9;
/**
 * The processors' readouts, written at READOUTS_PER_SECOND by the limiter, mic and ducker processors and carried
 * to the page by the meters' report: every processor of a context shares this scope (and runs on its one thread).
 */
const readouts = newReadouts();

/**
 * Every meter of the mix in one node: input i is meter i (each down-mixed to one
 * channel: channelCount 1, 'explicit'). Posts one message per report period
 * with all of them and the readouts (meter-report.ts): one message wakes the
 * page 30 times a second, not once per meter or processor.
 */
class MetersProcessor extends Processor {
  readonly #bank: LevelBank;
  readonly #blocks: Array<Float32Array | undefined> = [];

  constructor(options: AudioWorkletNodeOptions) {
    super();
    this.#bank = new LevelBank(options.numberOfInputs ?? 1, Math.round(sampleRate / REPORTS_PER_SECOND), RMS_REPORTS);
  }

  override process(inputs: Float32Array[][]): boolean {
    // An unconnected input has no channels: it reads as silence.
    for (let i = 0; i < this.#bank.count; i++) this.#blocks[i] = inputs[i]?.[0];
    const report = this.#bank.push(this.#blocks);
    if (report) {
      const values = encodeMeterReport(report, readouts);
      this.port.postMessage(values, [values.buffer]);
    }
    return true;
  }
}

class LimiterProcessor extends Processor {
  #limiter: PeakLimiter | null = null;
  readonly #options: { ceilingDbfs: number; lookaheadMs: number; releaseMs: number };
  readonly #silence: Float32Array[] = [];
  #frames = 0;
  #minimumGain = 1;

  constructor(options: AudioWorkletNodeOptions) {
    super();
    const given = (options.processorOptions ?? {}) as Partial<{ ceilingDbfs: number; lookaheadMs: number; releaseMs: number }>;
    this.#options = { ceilingDbfs: given.ceilingDbfs ?? -1, lookaheadMs: given.lookaheadMs ?? 1.5, releaseMs: given.releaseMs ?? 80 };
  }

  override process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const output = outputs[0] ?? [];
    if (output.length === 0) return true;
    // One gain for every channel (linked): limiting never moves the stereo image.
    const limiter = (this.#limiter ??= new PeakLimiter({ sampleRate, ...this.#options, channels: output.length }));
    const input = inputs[0] ?? [];
    const sources = output.map((out, c) => input[c] ?? input[0] ?? (this.#silence[c] ??= new Float32Array(out.length)));
    limiter.processChannels(sources, output);
    if (limiter.lastGain < this.#minimumGain) this.#minimumGain = limiter.lastGain;
    // The deepest gain reduction of each readout period, for the master's readout.
    this.#frames += output[0]!.length;
    if (this.#frames >= sampleRate / READOUTS_PER_SECOND) {
      readouts.limiterReductionDb = -toDbfs(this.#minimumGain);
      this.#frames = 0;
      this.#minimumGain = 1;
    }
    return true;
  }
}

/** The mic's processing, both sides linked: gate, then compressor. Its gate state and deepest reduction go to the readouts. */
class MicProcessor extends Processor {
  readonly #gate = new NoiseGate(sampleRate);
  readonly #compressor = new Compressor(sampleRate);
  #frames = 0;
  #deepest = 0;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<{ gate: GateSettings; compressor: CompressorSettings }>) => {
      this.#gate.configure(event.data.gate);
      this.#compressor.configure(event.data.compressor);
    };
  }

  override process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const input = inputs[0] ?? [];
    const output = outputs[0] ?? [];
    if (output.length === 0) return true;
    if (input.length > 0) {
      // Linked: one gate and one compressor for both sides (a mono mic arrives up-mixed, the same on both).
      this.#gate.processChannels(input, output);
      for (let c = input.length; c < output.length; c++) output[c]!.set(output[0]!);
      this.#compressor.processChannels(output, output);
    } else for (const channel of output) channel.fill(0);
    if (this.#compressor.reductionDb < this.#deepest) this.#deepest = this.#compressor.reductionDb;
    this.#frames += output[0]!.length;
    if (this.#frames >= sampleRate / READOUTS_PER_SECOND) {
      readouts.gateOpen = this.#gate.isOpen;
      readouts.compressorReductionDb = -this.#deepest;
      this.#frames = 0;
      this.#deepest = 0;
    }
    return true;
  }
}

/** Ducks the music (input 0, any channels) under the side-chain (input 1). How far goes to the readouts. */
class DuckerProcessor extends Processor {
  readonly #ducker = new Ducker(sampleRate);
  #frames = 0;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<DuckerSettings>) => this.#ducker.configure(event.data);
  }

  override process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const output = outputs[0] ?? [];
    if (output.length === 0) return true;
    this.#ducker.process(inputs[0] ?? [], inputs[1]?.[0], output);
    this.#frames += output[0]!.length;
    if (this.#frames >= sampleRate / READOUTS_PER_SECOND) {
      readouts.duckDb = -this.#ducker.gainDb;
      this.#frames = 0;
    }
    return true;
  }
}

registerProcessor('spacecraft-meters', MetersProcessor);
registerProcessor('spacecraft-mic', MicProcessor);
registerProcessor('spacecraft-ducker', DuckerProcessor);
registerProcessor('spacecraft-limiter', LimiterProcessor);
