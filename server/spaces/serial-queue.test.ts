import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.ts';

describe('SerialQueue', () => {
  it('runs tasks in order even when an earlier one is slower', async () => {
    const queue = new SerialQueue();
    const order: number[] = [];
    const slow = queue.push(async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push(1);
    });
    const fast = queue.push(() => order.push(2));
    await Promise.all([slow, fast]);
    expect(order).toEqual([1, 2]);
  });

  it('keeps going after a task fails, and reports the failure to its caller', async () => {
    const queue = new SerialQueue();
    const failed = queue.push(() => {
      throw new Error('boom');
    });
    const next = queue.push(() => 'next');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});
