import { describe, expect, it } from 'vitest';
import { jitteredRetryMs, MAX_RETRY_MS, MIN_RETRY_MS, pickEdge, type EdgeLoad } from './edge-choice.ts';

const edge = (nodeId: string, listeners: number, capacity = 100): EdgeLoad => ({ nodeId, url: `http://${nodeId}`, listeners, capacity });

/** A "random" that replays the given values. */
const seq = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('pickEdge', () => {
  it('picks nobody when there is no edge, or every edge is full', () => {
    expect(pickEdge([], Math.random)).toBeNull();
    expect(pickEdge([edge('a', 100), edge('b', 120)], Math.random)).toBeNull();
  });

  it('takes the only edge with room', () => {
    expect(pickEdge([edge('a', 100), edge('b', 99)], Math.random)?.nodeId).toBe('b');
  });

  it('of the two drawn, takes the less loaded (by fraction of capacity)', () => {
    const edges = [edge('a', 50), edge('b', 10), edge('c', 90, 1000)];
    // Draws a (index 0), then c (index 1 of the other two → 2).
    expect(pickEdge(edges, seq(0, 0.99))?.nodeId).toBe('c');
    expect(pickEdge(edges, seq(0, 0))?.nodeId).toBe('b');
  });

  it('never draws the same edge twice', () => {
    const edges = [edge('a', 1), edge('b', 2)];
    for (const r of [0, 0.3, 0.5, 0.99]) expect(pickEdge(edges, seq(r, r))?.nodeId).toBe('a');
  });

  it('spreads a storm evenly enough: no edge gets twice its share', () => {
    const edges = Array.from({ length: 10 }, (_, i) => edge(`e${i}`, 0, 1_000_000));
    for (let n = 0; n < 10_000; n++) pickEdge(edges, Math.random)!.listeners++;
    for (const e of edges) expect(e.listeners).toBeLessThan(2000);
  });
});

describe('jitteredRetryMs', () => {
  it('waits at least the refill time and at most twice it', () => {
    expect(jitteredRetryMs(1000, () => 0)).toBe(1000);
    expect(jitteredRetryMs(1000, () => 0.999)).toBe(1999);
  });

  it('stays within its bounds', () => {
    expect(jitteredRetryMs(0, () => 0)).toBe(MIN_RETRY_MS);
    expect(jitteredRetryMs(1e9, () => 0.5)).toBe(MAX_RETRY_MS);
  });
});
