/**
 * The premiere queue: tracks the host lined up (title, artist, artwork and
 * where the audio comes from), in play order. Pure operations that return a
 * new queue; bounded so a long session cannot hold unbounded audio.
 */

/** Tracks a queue may hold. */
export const MAX_QUEUE = 24;

export type PremiereEntry = {
  readonly id: string;
  readonly title: string;
  readonly artist: string;
  /** A small JPEG as a data: URL (see artwork.ts), or null. */
  readonly artwork: string | null;
  readonly fileName: string;
  /** The audio file's bytes, read when the track is played (a File reads lazily). */
  readonly bytes: () => Promise<ArrayBuffer>;
};

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

export function add(queue: readonly PremiereEntry[], entry: PremiereEntry): PremiereEntry[] {
  if (queue.length >= MAX_QUEUE) throw new QueueFullError(`The queue holds at most ${MAX_QUEUE} tracks; remove one first.`);
  return [...queue, entry];
}

export function remove(queue: readonly PremiereEntry[], id: string): PremiereEntry[] {
  return queue.filter((entry) => entry.id !== id);
}

/** Moves an entry `delta` places (−1 up, +1 down), clamped to the queue. */
export function move(queue: readonly PremiereEntry[], id: string, delta: number): PremiereEntry[] {
  const from = queue.findIndex((entry) => entry.id === id);
  if (from < 0) return [...queue];
  const to = Math.max(0, Math.min(queue.length - 1, from + delta));
  const next = [...queue];
  const [entry] = next.splice(from, 1);
  next.splice(to, 0, entry!);
  return next;
}

/** Puts an entry right after `current` (or first when nothing plays): it plays next. */
export function playNext(queue: readonly PremiereEntry[], id: string, current: string | null): PremiereEntry[] {
  const entry = queue.find((e) => e.id === id);
  if (!entry || id === current) return [...queue];
  const rest = queue.filter((e) => e.id !== id);
  const at = current === null ? 0 : rest.findIndex((e) => e.id === current) + 1;
  return [...rest.slice(0, at), entry, ...rest.slice(at)];
}

/** The entry after `id` in the queue, or null. */
export function after(queue: readonly PremiereEntry[], id: string): PremiereEntry | null {
  const at = queue.findIndex((entry) => entry.id === id);
  return at < 0 ? null : (queue[at + 1] ?? null);
}
