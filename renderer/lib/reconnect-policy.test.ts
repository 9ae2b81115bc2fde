import { describe, expect, it } from 'vitest';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from './reconnect-policy.ts';

describe('retryDelayMs', () => {
  it('tries at once, then backs off to at most 1.5 s', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => retryDelayMs(n, noJitter))).toEqual([0, 500, 1000, 1500, 1500, 1500, 1500]);
  });

  it('shortens each wait by up to a quarter at random, never lengthens it', () => {
    expect(retryDelayMs(3, () => 0.999)).toBe(750);
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(2 + (i % 10));
      expect(delay).toBeGreaterThanOrEqual(375);
      expect(delay).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
    }
  });
});
