/** The artwork's size: at most 256 px on its longer side, the aspect kept, never enlarged (the JPEG itself is checked in Chromium: test/e2e/premiere.test.ts). */
import { describe, expect, it } from 'vitest';
import { fitSize } from './artwork.ts';

describe('artwork size', () => {
  it('shrinks the longer side to 256 px keeping the aspect, never enlarges, never reaches 0', () => {
    expect(fitSize(800, 600)).toEqual({ width: 256, height: 192 });
    expect(fitSize(600, 3000)).toEqual({ width: 51, height: 256 });
    expect(fitSize(100, 80)).toEqual({ width: 100, height: 80 });
    expect(fitSize(5000, 1)).toEqual({ width: 256, height: 1 });
    expect(fitSize(0, 0)).toEqual({ width: 1, height: 1 });
  });
});
