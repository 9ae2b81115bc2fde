/**
 * Reactions counted between two flushes: however many arrive, what is held is
 * one count per allow-listed emoji, and what goes out is one small frame.
 */
import type { Reaction } from '../domain/stage.ts';

export class ReactionTally {
  readonly #counts = new Map<Reaction, number>();

  add(emoji: Reaction): void {
    this.#counts.set(emoji, (this.#counts.get(emoji) ?? 0) + 1);
  }

  get empty(): boolean {
    return this.#counts.size === 0;
  }

  /** The counts so far, most frequent first; the tally starts again from nothing. */
  take(): Array<{ emoji: Reaction; count: number }> {
    const counts = [...this.#counts].map(([emoji, count]) => ({ emoji, count })).sort((a, b) => b.count - a.count);
    this.#counts.clear();
    return counts;
  }
}
