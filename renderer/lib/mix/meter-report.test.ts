/** The one report per display period: every meter's levels and the processors' readouts, there and back. */
import { describe, expect, it } from 'vitest';
import { decodeMeterReport, encodeMeterReport, newReadouts, READOUT_VALUES } from './meter-report.ts';

describe('meter report', () => {
  it('carries every meter in order and the readouts in one array, and reads them back', () => {
    const levels = [
      { peakDbfs: -6.02, rmsDbfs: -9.03 },
      { peakDbfs: -100, rmsDbfs: -100 },
      { peakDbfs: 0.4, rmsDbfs: -3.5 },
    ];
    const readouts = { limiterReductionDb: 2.5, gateOpen: false, compressorReductionDb: 4.7, duckDb: 11.9 };
    const values = encodeMeterReport(levels, readouts);
    expect(values).toBeInstanceOf(Float64Array);
    expect(values.length).toBe(2 * levels.length + READOUT_VALUES);
    expect(decodeMeterReport(values, levels.length)).toEqual({ levels, readouts });
  });

  it('starts from nothing to report: no reduction, gate open, nothing ducked', () => {
    const decoded = decodeMeterReport(encodeMeterReport([], newReadouts()), 0);
    expect(decoded).toEqual({ levels: [], readouts: { limiterReductionDb: 0, gateOpen: true, compressorReductionDb: 0, duckDb: 0 } });
  });

  it('refuses a report of another number of meters', () => {
    const values = encodeMeterReport([{ peakDbfs: -1, rmsDbfs: -2 }], newReadouts());
    expect(decodeMeterReport(values, 2)).toBeNull();
    expect(decodeMeterReport(new Float64Array(3), 1)).toBeNull();
  });
});
