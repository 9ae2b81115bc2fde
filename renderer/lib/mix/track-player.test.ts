import { describe, expect, it } from 'vitest';
import { waveformPeaks } from './track-player.ts';

describe('waveform peaks', () => {
  it('gives each slice its lowest and highest sample over all channels', () => {
    const left = Float32Array.from([0.1, -0.5, 0.2, 0.9, 0, 0, -0.25, 0.25]);
    const right = Float32Array.from([0, 0, 0, 0, 0.6, -0.7, 0, 0]);
    expect(Array.from(waveformPeaks([left, right], 4))).toEqual([-0.5, 0.1, 0, 0.9, -0.7, 0.6, -0.25, 0.25].map((x) => Math.fround(x)));
  });

  it('covers every sample when the buffer does not divide evenly, and reads silence for an empty one', () => {
    const ramp = Float32Array.from({ length: 10 }, (_, i) => i / 10);
    const peaks = waveformPeaks([ramp], 3);
    expect(peaks[5]).toBeCloseTo(0.9, 6);
    expect(Array.from(waveformPeaks([new Float32Array(0)], 2))).toEqual([0, 0, 0, 0]);
  });
});
