/**
 * The captions a listener page has received: released segments in order (a later revision of
 * a segment replaces it in place), at most `MAX_KEPT`, and where captions stand (running, paused
 * and why, a problem). Plain TypeScript with a subscribe/snapshot pair for useSyncExternalStore.
 */
import type { Caption, CaptionStatus } from '../../../server/signalling/protocol.ts';

export const MAX_KEPT = 200;

export type CaptionFeedSnapshot = { captions: readonly Caption[]; status: CaptionStatus | null };

export class CaptionFeed {
  #snapshot: CaptionFeedSnapshot = { captions: [], status: null };
  readonly #listeners = new Set<() => void>();

  get snapshot(): CaptionFeedSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** A released caption, or a revision of one: a revision replaces the caption it revises (an older one is ignored). */
  add(caption: Caption): void {
    const list = this.#snapshot.captions;
    const at = list.findIndex((c) => c.id === caption.id);
    let captions: Caption[];
    if (at >= 0) {
      if (list[at]!.revision >= caption.revision && list[at]!.text === caption.text) return;
      if (list[at]!.revision > caption.revision) return;
      captions = list.with(at, caption);
    } else {
      captions = [...list, caption].sort((a, b) => a.id - b.id).slice(-MAX_KEPT);
    }
    this.#set({ ...this.#snapshot, captions });
  }

  setStatus(status: CaptionStatus): void {
    this.#set({ ...this.#snapshot, status });
  }

  #set(snapshot: CaptionFeedSnapshot): void {
    this.#snapshot = snapshot;
    for (const listener of [...this.#listeners]) listener();
  }
}
