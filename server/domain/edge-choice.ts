/**
 * Pure rules of the join endpoint: which edge a listener goes to, and how long a
 * listener told to wait waits. No I/O: `random` is passed in (Math.random in production).
 */

/** An edge as its last heartbeat described it. */
export type EdgeLoad = { nodeId: string; url: string; listeners: number; capacity: number };

/** Load as a fraction of capacity; a full edge is never picked. */
export function loadOf(edge: EdgeLoad): number {
  return edge.capacity > 0 ? edge.listeners / edge.capacity : Number.POSITIVE_INFINITY;
}

/**
 * The power of two choices: two edges at random (among those with room), the less loaded of the
 * two. Nearly as even as "least loaded of all", without every join herding to the same edge
 * between two heartbeats. Null when no edge has room.
 */
export function pickEdge<E extends EdgeLoad>(edges: readonly E[], random: () => number): E | null {
  const open = edges.filter((edge) => edge.listeners < edge.capacity);
  if (open.length === 0) return null;
  if (open.length === 1) return open[0]!;
  const a = Math.floor(random() * open.length);
  let b = Math.floor(random() * (open.length - 1));
  if (b >= a) b++;
  const first = open[a]!;
  const second = open[b]!;
  return loadOf(second) < loadOf(first) ? second : first;
}

/** Shortest and longest wait told to a listener. */
export const MIN_RETRY_MS = 500;
export const MAX_RETRY_MS = 30_000;

/**
 * How long a listener waits before asking again: the bucket's own refill time, spread by up to
 * +100 % jitter (so a storm told to wait does not come back as a storm), within [MIN, MAX].
 */
export function jitteredRetryMs(refillMs: number, random: () => number): number {
  const base = Math.max(MIN_RETRY_MS, refillMs);
  return Math.min(MAX_RETRY_MS, Math.round(base * (1 + random())));
}
