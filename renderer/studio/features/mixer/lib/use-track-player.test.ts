import { describe, expect, it } from 'vitest';
import { clock } from './use-track-player.ts';

describe('track clock', () => {
  it('shows minutes and seconds, hours past an hour, never negative', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(65.9)).toBe('1:05');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(-3)).toBe('0:00');
  });
});
