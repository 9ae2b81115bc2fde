/** The shared display loop: at most 30 ticks a second whatever the frame rate, one frame request for all, none when idle. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DISPLAY_HZ, onDisplayTick } from './display-clock.ts';

let pending = new Map<number, FrameRequestCallback>();
let nextId = 1;
// Frame times only go forward, across tests too (the loop remembers its last tick).
let clock = 10_000;

/** Runs the display for `ms` at `hz` frames a second. */
function runFrames(ms: number, hz: number): void {
  const end = clock + ms;
  while (clock < end) {
    clock += 1000 / hz;
    const due = pending;
    pending = new Map();
    for (const callback of due.values()) callback(clock);
  }
}

beforeEach(() => {
  pending = new Map();
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => {
    pending.set(nextId, callback);
    return nextId++;
  });
  vi.stubGlobal('cancelAnimationFrame', (id: number) => pending.delete(id));
});
afterEach(() => vi.unstubAllGlobals());

describe('onDisplayTick', () => {
  it.each([60, 120, 144])('ticks %i Hz frames down to the display rate', (hz) => {
    const times: number[] = [];
    const stop = onDisplayTick((now) => times.push(now));
    runFrames(3000, hz);
    stop();
    expect(times.length).toBeGreaterThanOrEqual(3 * DISPLAY_HZ - 2);
    expect(times.length).toBeLessThanOrEqual(3 * DISPLAY_HZ + 1);
  });

  it('ticks on every frame of a display slower than the rate', () => {
    let ticks = 0;
    const stop = onDisplayTick(() => ticks++);
    runFrames(1000, 20);
    stop();
    expect(ticks).toBe(20);
  });

  it('serves every listener from one frame request, and stops requesting when none is left', () => {
    const a: number[] = [];
    const b: number[] = [];
    const stopA = onDisplayTick((now) => a.push(now));
    const stopB = onDisplayTick((now) => b.push(now));
    expect(pending.size).toBe(1);
    runFrames(500, 60);
    expect(a).toEqual(b);
    stopA();
    runFrames(500, 60);
    expect(b.length).toBeGreaterThan(a.length);
    stopB();
    expect(pending.size).toBe(0);
  });

  it('keeps ticking the others when one throws', () => {
    const reported = vi.fn();
    vi.stubGlobal('reportError', reported);
    let ticks = 0;
    const stopBad = onDisplayTick(() => {
      throw new Error('broken drawer');
    });
    const stopGood = onDisplayTick(() => ticks++);
    runFrames(1000, 60);
    stopBad();
    stopGood();
    expect(ticks).toBeGreaterThanOrEqual(DISPLAY_HZ - 1);
    expect(reported).toHaveBeenCalled();
  });
});
