import { describe, expect, it } from 'vitest';
import { guardVendorCalls, withRetry } from '../../src/providers/retry.js';
import { mapLimit } from '../../src/util/limit.js';

const POLICY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, maxTotalMs: 1_000 };

describe('a guard on vendor calls (a runner checking its lease)', () => {
  it('is asked before every attempt, retries included, and a refusal sends nothing', async () => {
    const sent: number[] = [];
    let allowed = 2;
    const checks: number[] = [];
    const guard = () => {
      checks.push(sent.length);
      if (allowed-- <= 0) throw new Error('lease lost');
    };
    const op = async (attempt: number) => {
      sent.push(attempt);
      throw new Error(`failure ${attempt}`);
    };
    const call = guardVendorCalls(guard, () =>
      withRetry(op, () => ({ retry: true }), POLICY, { sleep: async () => {} }),
    );
    await expect(call).rejects.toThrow('lease lost');
    // Two attempts went out; the third was refused before it was sent.
    expect(sent).toEqual([1, 2]);
    expect(checks).toEqual([0, 1, 2]);
  });

  it('waits for a check that asks elsewhere (the store), and a rejection sends nothing', async () => {
    const sent: string[] = [];
    let current = 1;
    const check = async () => {
      await new Promise((r) => setTimeout(r, 1));
      if (current !== 1) throw new Error('lease lost');
    };
    const op = (name: string) =>
      withRetry(
        async () => {
          sent.push(name);
          return name;
        },
        () => ({ retry: false }),
      );
    await guardVendorCalls(check, async () => {
      expect(await op('first')).toBe('first');
      current = 2; // another runner claimed the request
      await expect(op('second')).rejects.toThrow('lease lost');
    });
    expect(sent).toEqual(['first']);
  });

  it('reaches calls made deep inside, across awaits, and only inside', async () => {
    const sent: string[] = [];
    const call = (name: string) =>
      withRetry(
        async () => {
          sent.push(name);
          return name;
        },
        () => ({ retry: false }),
      );
    const deep = async () => {
      await new Promise((r) => setTimeout(r, 1));
      return call('inside');
    };
    await expect(
      guardVendorCalls(
        () => {
          throw new Error('lease lost');
        },
        () => deep(),
      ),
    ).rejects.toThrow('lease lost');
    expect(await call('outside')).toBe('outside');
    expect(sent).toEqual(['outside']);
  });

  it('tells a budget gate its turn is over when it refuses, so the other calls are not held', async () => {
    let told = 0;
    const gate = {
      ready: async () => () => {
        told++;
      },
      hold: () => {},
    };
    await expect(
      guardVendorCalls(
        () => {
          throw new Error('lease lost');
        },
        () =>
          withRetry(
            async () => 'sent',
            () => ({ retry: false }),
            POLICY,
            { gate },
          ),
      ),
    ).rejects.toThrow('lease lost');
    expect(told).toBe(1);
  });
});

describe('mapLimit after a failure', () => {
  it('starts no further item and rejects once the items in flight have settled', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    let releaseSlow = () => {};
    const slow = new Promise<void>((r) => {
      releaseSlow = r;
    });
    let settled = false;
    const run = mapLimit([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      if (i === 0) await slow;
      if (i === 1) throw new Error('lease lost');
      finished.push(i);
      return i;
    }).finally(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    // Item 1 failed: item 0 is still in flight, so nothing is reported yet, and nothing new started.
    expect(settled).toBe(false);
    expect(started).toEqual([0, 1]);
    releaseSlow();
    await expect(run).rejects.toThrow('lease lost');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });

  it('keeps the input order of the results when nothing fails', async () => {
    expect(await mapLimit([3, 1, 2], 2, async (n) => n * 10)).toEqual([30, 10, 20]);
  });
});
