import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './percentiles.ts';

describe('percentile', () => {
  it('interpolates between closest ranks, whatever the input order', () => {
    const values = [40, 10, 30, 20];
    expect(percentile(values, 0)).toBe(10);
    expect(percentile(values, 50)).toBe(25);
    expect(percentile(values, 100)).toBe(40);
    expect(percentile(values, 95)).toBeCloseTo(38.5);
  });

  it('returns the only value of a single-value list', () => {
    expect(percentile([7], 95)).toBe(7);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses an empty list and a percentile out of range', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('gives n, p50, p95, min and max', () => {
    const values = Array.from({ length: 101 }, (_, i) => 100 - i);
    expect(summarize(values)).toEqual({ n: 101, p50: 50, p95: 95, min: 0, max: 100 });
  });
});
