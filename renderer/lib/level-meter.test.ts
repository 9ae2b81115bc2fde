import { describe, expect, it } from 'vitest';
import { measureLevels, SILENCE_DBFS, toDbfs } from './level-meter.ts';

describe('level meter maths', () => {
  it('reads a full-scale sine as 0 dBFS peak and about -3 dBFS RMS', () => {
    const samples = Float32Array.from({ length: 4800 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48000));
    const { peakDbfs, rmsDbfs } = measureLevels(samples);
    expect(peakDbfs).toBeCloseTo(0, 1);
    expect(rmsDbfs).toBeCloseTo(-3.01, 1);
  });

  it('reads a half-scale square as -6 dBFS peak and RMS', () => {
    const samples = Float32Array.from({ length: 480 }, (_, i) => (i % 2 ? 0.5 : -0.5));
    const { peakDbfs, rmsDbfs } = measureLevels(samples);
    expect(peakDbfs).toBeCloseTo(-6.02, 1);
    expect(rmsDbfs).toBeCloseTo(-6.02, 1);
  });

  it('floors silence instead of returning -Infinity', () => {
    expect(measureLevels(new Float32Array(128))).toEqual({ peakDbfs: SILENCE_DBFS, rmsDbfs: SILENCE_DBFS });
    expect(toDbfs(0)).toBe(SILENCE_DBFS);
  });
});
