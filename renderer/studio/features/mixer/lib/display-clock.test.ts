/**
 * The shared display loop: 30 ticks a second whatever the display's refresh rate, from 30 frame requests a
 * second (a timer waits between ticks), one request for all listeners, none when idle, and tick numbers shared
 * by everyone so the 10 Hz text changes land on the same frames.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as DisplayClock from './display-clock.ts';

type Clock = typeof DisplayClock;

let pending = new Map<number, FrameRequestCallback>();
let nextId = 1;
let frameRequests = 0;
let clock: Clock;

/** Runs a display refreshing `hz` times a second for `ms`: timers fire as time passes, frames at each refresh. */
function runFrames(ms: number, hz: number): void {
  const end = performance.now() + ms;
  let refresh = performance.now();
  while (refresh + 1000 / hz <= end) {
    refresh += 1000 / hz;
    vi.advanceTimersByTime(refresh - performance.now());
    const due = pending;
    pending = new Map();
    for (const callback of due.values()) callback(refresh);
  }
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  vi.advanceTimersByTime(10_000);
  pending = new Map();
  frameRequests = 0;
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => {
    frameRequests++;
    pending.set(nextId, callback);
    return nextId++;
  });
  vi.stubGlobal('cancelAnimationFrame', (id: number) => pending.delete(id));
  // A fresh loop per test (it keeps its last tick and count in the module).
  vi.resetModules();
  clock = await import('./display-clock.ts');
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('onDisplayTick', () => {
  it.each([60, 120, 144])('ticks %i Hz frames down to the display rate, asking for a frame only when a tick is due', (hz) => {
    const times: number[] = [];
    const stop = clock.onDisplayTick((now) => times.push(now));
    runFrames(3000, hz);
    stop();
    expect(times.length).toBeGreaterThanOrEqual(3 * clock.DISPLAY_HZ - 2);
    expect(times.length).toBeLessThanOrEqual(3 * clock.DISPLAY_HZ + 1);
    // Not one frame per refresh: about one per tick.
    expect(frameRequests).toBeLessThanOrEqual(times.length + 3);
  });

  it('ticks on every frame of a display slower than the rate', () => {
    let ticks = 0;
    const stop = clock.onDisplayTick(() => ticks++);
    runFrames(1000, 20);
    stop();
    expect(ticks).toBe(20);
  });

  it('serves every listener from one frame request with the same tick numbers, and stops asking when none is left', () => {
    const a: Array<[number, number]> = [];
    const b: Array<[number, number]> = [];
    const stopA = clock.onDisplayTick((now, tick) => a.push([now, tick]));
    const stopB = clock.onDisplayTick((now, tick) => b.push([now, tick]));
    expect(pending.size).toBe(1);
    runFrames(500, 60);
    expect(a).toEqual(b);
    expect(a.map(([, tick]) => tick)).toEqual(a.map((_, i) => i));
    stopA();
    runFrames(500, 60);
    expect(b.length).toBeGreaterThan(a.length);
    stopB();
    expect(pending.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    const requests = frameRequests;
    runFrames(500, 60);
    expect(frameRequests).toBe(requests);
  });

  it('makes every third tick a text tick: 10 a second, on the same frames for every listener', () => {
    const text: number[] = [];
    const stop = clock.onDisplayTick((now, tick) => {
      if (clock.isTextTick(tick)) text.push(now);
    });
    runFrames(3000, 60);
    stop();
    expect(text.length).toBeGreaterThanOrEqual(3 * (clock.DISPLAY_HZ / clock.TEXT_EVERY_TICKS) - 1);
    expect(text.length).toBeLessThanOrEqual(3 * (clock.DISPLAY_HZ / clock.TEXT_EVERY_TICKS) + 1);
  });

  it('keeps ticking the others when one throws', () => {
    const reported = vi.fn();
    vi.stubGlobal('reportError', reported);
    let ticks = 0;
    const stopBad = clock.onDisplayTick(() => {
      throw new Error('broken drawer');
    });
    const stopGood = clock.onDisplayTick(() => ticks++);
    runFrames(1000, 60);
    stopBad();
    stopGood();
    expect(ticks).toBeGreaterThanOrEqual(clock.DISPLAY_HZ - 1);
    expect(reported).toHaveBeenCalled();
  });
});
