import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './typed-emitter.ts';

type Events = { ended: [reason: string]; count: [n: number] };

describe('TypedEmitter', () => {
  it('runs every listener even when one throws, and reports the throw', () => {
    const reported: unknown[] = [];
    const emitter = new TypedEmitter<Events>((error) => reported.push(error));
    const heard: string[] = [];
    emitter.on('ended', (r) => heard.push(`a:${r}`));
    emitter.on('ended', () => {
      throw new Error('listener bug');
    });
    emitter.on('ended', (r) => heard.push(`c:${r}`));
    expect(() => emitter.safeEmit('ended', 'host-ended')).not.toThrow();
    expect(heard).toEqual(['a:host-ended', 'c:host-ended']);
    expect(reported).toEqual([new Error('listener bug')]);
  });

  it('removes a listener with the function on() returns, and once() fires once', () => {
    const emitter = new TypedEmitter<Events>(() => undefined);
    const seen: number[] = [];
    const off = emitter.on('count', (n) => seen.push(n));
    emitter.once('count', (n) => seen.push(n * 10));
    emitter.safeEmit('count', 1);
    off();
    emitter.safeEmit('count', 2);
    expect(seen).toEqual([1, 10]);
    expect(emitter.listenerCount('count')).toBe(0);
  });
});
