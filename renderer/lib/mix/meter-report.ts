/**
 * The one message the mix's worklets send the page per display period: every
 * meter's peak and RMS, and the processors' readouts (limiter, gate and
 * compressor, ducking), in one `Float64Array`
 * [peak0, rms0, peak1, rms1, …, limiterReductionDb, gateOpen, compressorReductionDb, duckDb].
 *
 * The processors run in one AudioWorkletGlobalScope (one per AudioContext), so
 * the limiter, mic and ducker processors write their readouts to a shared
 * `Readouts` at their readout rate and the meters processor carries them in its
 * report: the page is woken 30 times a second in all, not 30 for the meters
 * plus 10 for each processor.
 */
import type { Levels } from './dsp.ts';

export type Readouts = {
  /** The limiter's deepest gain reduction of the last readout period, dB (≥ 0). */
  limiterReductionDb: number;
  gateOpen: boolean;
  /** The mic compressor's deepest gain reduction of the last readout period, dB (≥ 0). */
  compressorReductionDb: number;
  /** How far the music is ducked, dB (≥ 0). */
  duckDb: number;
};

export const READOUT_VALUES = 4;

export function newReadouts(): Readouts {
  return { limiterReductionDb: 0, gateOpen: true, compressorReductionDb: 0, duckDb: 0 };
}

/** The report of `levels` (one per meter, in order) and `readouts`. */
export function encodeMeterReport(levels: readonly Levels[], readouts: Readouts): Float64Array {
  const values = new Float64Array(2 * levels.length + READOUT_VALUES);
  levels.forEach((l, i) => {
    values[2 * i] = l.peakDbfs;
    values[2 * i + 1] = l.rmsDbfs;
  });
  const at = 2 * levels.length;
  values[at] = readouts.limiterReductionDb;
  values[at + 1] = readouts.gateOpen ? 1 : 0;
  values[at + 2] = readouts.compressorReductionDb;
  values[at + 3] = readouts.duckDb;
  return values;
}

/** Reads a report of `meters` meters back; null if it is not one (the wrong length). */
export function decodeMeterReport(values: Float64Array, meters: number): { levels: Levels[]; readouts: Readouts } | null {
  if (values.length !== 2 * meters + READOUT_VALUES) return null;
  const levels = Array.from({ length: meters }, (_, i) => ({ peakDbfs: values[2 * i]!, rmsDbfs: values[2 * i + 1]! }));
  const at = 2 * meters;
  return {
    levels,
    readouts: { limiterReductionDb: values[at]!, gateOpen: values[at + 1]! !== 0, compressorReductionDb: values[at + 2]!, duckDb: values[at + 3]! },
  };
}
