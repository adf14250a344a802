import { describe, expect, it } from 'vitest';
import { RingQueue } from '../../src/util/ring-queue.js';

describe('RingQueue', () => {
  it('gives items back first in, first out, across growth and wrap-around', () => {
    const q = new RingQueue<number>();
    const expected: number[] = [];
    const got: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps around while the buffer grows.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < round + 3; i++) {
        q.push(next);
        expected.push(next++);
      }
      for (let i = 0; i < round; i++) got.push(q.shift() as number);
      expect(q.size).toBe(expected.length - got.length);
      expect(q.peek()).toBe(expected[got.length]);
    }
    while (q.size > 0) got.push(q.shift() as number);
    expect(got).toEqual(expected);
    expect(q.shift()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });
});
