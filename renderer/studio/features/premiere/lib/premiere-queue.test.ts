import { describe, expect, it } from 'vitest';
import { add, after, MAX_QUEUE, move, playNext, QueueFullError, remove, type PremiereEntry } from './premiere-queue.ts';

const entry = (id: string): PremiereEntry => ({ id, title: id, artist: '', artwork: null, fileName: `${id}.wav`, bytes: async () => new ArrayBuffer(0) });
const ids = (queue: readonly PremiereEntry[]) => queue.map((e) => e.id);

describe('premiere queue', () => {
  it('adds up to its bound, then refuses', () => {
    let queue: PremiereEntry[] = [];
    for (let i = 0; i < MAX_QUEUE; i++) queue = add(queue, entry(`t${i}`));
    expect(() => add(queue, entry('one-more'))).toThrow(QueueFullError);
  });

  it('moves, plays next, finds what follows and removes, never changing the queue it was given', () => {
    const queue = ['a', 'b', 'c', 'd'].map(entry);
    expect(ids(move(queue, 'c', -1))).toEqual(['a', 'c', 'b', 'd']);
    expect(ids(move(queue, 'a', -1))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(move(queue, 'b', 10))).toEqual(['a', 'c', 'd', 'b']);
    expect(ids(playNext(queue, 'd', 'a'))).toEqual(['a', 'd', 'b', 'c']);
    expect(ids(playNext(queue, 'd', null))).toEqual(['d', 'a', 'b', 'c']);
    expect(ids(playNext(queue, 'a', 'a'))).toEqual(['a', 'b', 'c', 'd']);
    expect(after(queue, 'b')?.id).toBe('c');
    expect(after(queue, 'd')).toBeNull();
    expect(ids(remove(queue, 'b'))).toEqual(['a', 'c', 'd']);
    expect(ids(queue)).toEqual(['a', 'b', 'c', 'd']);
  });
});
