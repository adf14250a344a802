import { describe, expect, it } from 'vitest';
import {
  parseRetryAfter,
  RateGate,
  RetryBudgetExceeded,
  type RetryDecision,
  type RetryPolicy,
  withRetry,
} from '../../src/providers/retry.js';

const POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, maxTotalMs: 60_000 };
const RETRY: RetryDecision = { retry: true };

/** A clock that only moves when the code under test sleeps: no real waiting. */
function fakeTime(start = 1_000_000) {
  let t = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** Lets every pending promise callback run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An op that fails `failures` times with numbered errors, then returns 'ok'. */
function failing(failures: number) {
  const seen: number[] = [];
  const op = async (attempt: number) => {
    seen.push(attempt);
    if (seen.length <= failures) throw new Error(`failure ${seen.length}`);
    return 'ok';
  };
  return { op, seen };
}

/** A sleep whose waits end only when the test says so. */
function manualSleep() {
  const waits: { ms: number; end: () => void }[] = [];
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      waits.push({ ms, end: resolve });
    });
  return { sleep, waits };
}

describe('withRetry: backoff', () => {
  it('returns the first success and passes the attempt number to each try', async () => {
    const time = fakeTime();
    const { op, seen } = failing(2);
    await expect(withRetry(op, () => RETRY, POLICY, { ...time, random: () => 0.5 })).resolves.toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('doubles the backoff each attempt, scaled by the injected random (full jitter)', async () => {
    const time = fakeTime();
    const { op } = failing(4);
    await withRetry(op, () => RETRY, POLICY, { ...time, random: () => 0.5 });
    // base 100 → 100, 200, 400, 800; half of each.
    expect(time.slept).toEqual([50, 100, 200, 400]);
  });

  it('waits between 0 and the full backoff: random 0 gives no wait, random near 1 the whole backoff', async () => {
    const low = fakeTime();
    await withRetry(failing(3).op, () => RETRY, POLICY, { ...low, random: () => 0 });
    expect(low.slept).toEqual([0, 0, 0]);

    const high = fakeTime();
    await withRetry(failing(3).op, () => RETRY, POLICY, { ...high, random: () => 0.999999 });
    expect(high.slept).toEqual([100, 200, 400]);
  });

  it('caps a single backoff at maxDelayMs', async () => {
    const time = fakeTime();
    const policy = { ...POLICY, maxAttempts: 8 };
    await withRetry(failing(6).op, () => RETRY, policy, { ...time, random: () => 0.999999 });
    expect(time.slept).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(Math.max(...time.slept)).toBeLessThanOrEqual(policy.maxDelayMs);
  });

  it('tells onRetry the attempt, the delay and the error before each wait', async () => {
    const time = fakeTime();
    const told: { attempt: number; delayMs: number; message: string }[] = [];
    await withRetry(failing(2).op, () => RETRY, POLICY, {
      ...time,
      random: () => 0.5,
      onRetry: ({ attempt, delayMs, error }) =>
        told.push({ attempt, delayMs, message: error instanceof Error ? error.message : String(error) }),
    });
    expect(told).toEqual([
      { attempt: 1, delayMs: 50, message: 'failure 1' },
      { attempt: 2, delayMs: 100, message: 'failure 2' },
    ]);
  });

  it('rethrows at once, without waiting, an error the classifier says not to retry', async () => {
    const time = fakeTime();
    const fatal = new Error('invalid_auth');
    const op = async () => {
      throw fatal;
    };
    await expect(withRetry(op, () => ({ retry: false }), POLICY, time)).rejects.toBe(fatal);
    expect(time.slept).toEqual([]);
  });
});

describe('withRetry: Retry-After', () => {
  it('waits exactly the vendor’s delay, even longer than maxDelayMs, without jitter', async () => {
    const time = fakeTime();
    const decision: RetryDecision = { retry: true, afterMs: 7_300 };
    await withRetry(failing(2).op, () => decision, POLICY, { ...time, random: () => 0 });
    expect(time.slept).toEqual([7_300, 7_300]);
  });

  it('honours a Retry-After of 0 as no wait', async () => {
    const time = fakeTime();
    await withRetry(failing(1).op, () => ({ retry: true, afterMs: 0 }), POLICY, {
      ...time,
      random: () => 0.999999,
    });
    expect(time.slept).toEqual([0]);
  });
});

describe('withRetry: budgets', () => {
  it('gives up after maxAttempts with reason "attempts", carrying the last error', async () => {
    const time = fakeTime();
    const { op, seen } = failing(100);
    const policy = { ...POLICY, maxAttempts: 3 };
    const error = await withRetry(op, () => RETRY, policy, { ...time, random: () => 0.5 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RetryBudgetExceeded);
    const exceeded = error as RetryBudgetExceeded;
    expect(exceeded.reason).toBe('attempts');
    expect(exceeded.attempts).toBe(3);
    expect((exceeded.lastError as Error).message).toBe('failure 3');
    expect(exceeded.message).toBe('gave up after 3 attempt(s) (attempts budget)');
    expect(seen).toEqual([1, 2, 3]);
    // No wait after the last attempt.
    expect(time.slept).toEqual([50, 100]);
  });

  it('gives up with reason "time" rather than wait past maxTotalMs — and never shortens the wait to fit', async () => {
    const time = fakeTime();
    const { op, seen } = failing(100);
    const policy = { ...POLICY, maxTotalMs: 10_000 };
    const error = await withRetry(op, () => ({ retry: true, afterMs: 6_000 }), policy, time).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RetryBudgetExceeded);
    const exceeded = error as RetryBudgetExceeded;
    expect(exceeded.reason).toBe('time');
    expect(exceeded.attempts).toBe(2);
    expect((exceeded.lastError as Error).message).toBe('failure 2');
    expect(seen).toEqual([1, 2]);
    expect(time.slept).toEqual([6_000]);
  });

  it('counts the time the attempts themselves took against maxTotalMs', async () => {
    const time = fakeTime();
    const policy = { ...POLICY, maxTotalMs: 10_000 };
    const slowOp = async () => {
      time.advance(9_500);
      throw new Error('timeout');
    };
    const error = await withRetry(slowOp, () => ({ retry: true, afterMs: 600 }), policy, time).catch(
      (e: unknown) => e,
    );
    expect((error as RetryBudgetExceeded).reason).toBe('time');
    expect((error as RetryBudgetExceeded).attempts).toBe(1);
    expect(time.slept).toEqual([]);
  });

  it('retries when the wait ends exactly at maxTotalMs', async () => {
    const time = fakeTime();
    const policy = { ...POLICY, maxTotalMs: 6_000 };
    await expect(
      withRetry(failing(1).op, () => ({ retry: true, afterMs: 6_000 }), policy, time),
    ).resolves.toBe('ok');
    expect(time.slept).toEqual([6_000]);
  });
});

describe('RateGate', () => {
  it('holds every call through the gate while one call waits out a 429', async () => {
    const gate = new RateGate(() => 0);
    const { sleep, waits } = manualSleep();
    let limited = true;
    const first = withRetry(
      async () => {
        if (limited) {
          limited = false;
          throw new Error('ratelimited');
        }
        return 'first';
      },
      () => ({ retry: true, afterMs: 30_000, rateLimited: true }),
      POLICY,
      { sleep, now: () => 0, gate },
    );
    await settle();
    expect(waits.map((w) => w.ms)).toEqual([30_000]);

    const sent: string[] = [];
    const second = withRetry(
      async () => {
        sent.push('second');
        return 'second';
      },
      () => RETRY,
      POLICY,
      { sleep, now: () => 0, gate },
    );
    await settle();
    expect(sent).toEqual([]);

    waits[0]?.end();
    await expect(second).resolves.toBe('second');
    await expect(first).resolves.toBe('first');
    expect(sent).toEqual(['second']);
  });

  it('keeps every call waiting for the longer of two 429 waits announced by different calls', async () => {
    let now = 0;
    const gate = new RateGate(() => now);
    const { sleep, waits } = manualSleep();
    const limitedOnce = (after: number, name: string) => {
      let limited = true;
      return withRetry(
        async () => {
          if (limited) {
            limited = false;
            throw new Error('ratelimited');
          }
          return name;
        },
        () => ({ retry: true, afterMs: after, rateLimited: true }),
        POLICY,
        { sleep, now: () => now, gate },
      );
    };
    const long = limitedOnce(20_000, 'long');
    const short = limitedOnce(5_000, 'short');
    await settle();
    expect(waits.map((w) => w.ms)).toEqual([20_000, 5_000]);

    const sent: string[] = [];
    const third = withRetry(
      async () => {
        sent.push('third');
        return 'third';
      },
      () => RETRY,
      POLICY,
      { sleep, now: () => now, gate },
    );
    now = 5_000;
    waits[1]?.end();
    await settle();
    // The short wait is over, but the vendor asked for 20 s: nobody is sent yet, the short call neither.
    expect(sent).toEqual([]);
    let shortDone = false;
    void short.then(() => {
      shortDone = true;
    });
    await settle();
    expect(shortDone).toBe(false);

    now = 20_000;
    waits[0]?.end();
    await expect(Promise.all([long, short, third])).resolves.toEqual(['long', 'short', 'third']);
    expect(sent).toEqual(['third']);
  });

  it('lets calls through at once when no 429 was announced', async () => {
    const gate = new RateGate(() => 0);
    let resolved = false;
    void gate.ready().then(() => {
      resolved = true;
    });
    await settle();
    expect(resolved).toBe(true);
  });

  it('does not hold other calls for a retry that was not a 429', async () => {
    const gate = new RateGate(() => 0);
    const { sleep, waits } = manualSleep();
    let failed = false;
    const first = withRetry(
      async () => {
        if (!failed) {
          failed = true;
          throw new Error('503');
        }
        return 'first';
      },
      () => ({ retry: true, afterMs: 30_000 }),
      POLICY,
      { sleep, now: () => 0, gate },
    );
    await settle();
    expect(waits).toHaveLength(1);
    await expect(
      withRetry(
        async () => 'second',
        () => RETRY,
        POLICY,
        { sleep, gate },
      ),
    ).resolves.toBe('second');
    waits[0]?.end();
    await expect(first).resolves.toBe('first');
  });

  it('keeps a longer wait when a shorter one is announced during it', async () => {
    let now = 0;
    const gate = new RateGate(() => now);
    const long = manualSleep();
    const short = manualSleep();
    gate.hold(10_000, long.sleep(10_000));
    now = 1_000;
    gate.hold(2_000, short.sleep(2_000));

    let open = false;
    void gate.ready().then(() => {
      open = true;
    });
    for (const w of short.waits) w.end();
    await settle();
    expect(open).toBe(false);

    for (const w of long.waits) w.end();
    await settle();
    expect(open).toBe(true);
  });

  it('replaces a shorter wait by a longer one announced during it, even for calls already waiting', async () => {
    let now = 0;
    const gate = new RateGate(() => now);
    const short = manualSleep();
    const long = manualSleep();
    gate.hold(2_000, short.sleep(2_000));

    let open = false;
    void gate.ready().then(() => {
      open = true;
    });
    now = 1_000;
    gate.hold(10_000, long.sleep(10_000));

    for (const w of short.waits) w.end();
    await settle();
    expect(open).toBe(false);

    for (const w of long.waits) w.end();
    await settle();
    expect(open).toBe(true);
  });

  it('opens again once the wait ended, even when that wait failed', async () => {
    const gate = new RateGate(() => 0);
    let fail: (e: Error) => void = () => {};
    const pause = new Promise<void>((_, reject) => {
      fail = reject;
    });
    pause.catch(() => {});
    gate.hold(5_000, pause);
    fail(new Error('aborted'));
    await settle();
    let open = false;
    void gate.ready().then(
      () => {
        open = true;
      },
      () => {
        open = true;
      },
    );
    await settle();
    expect(open).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  const now = () => Date.parse('2026-03-01T12:00:00Z');

  it('reads delta-seconds, including fractions, as milliseconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 30 ', now)).toBe(30_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads a numeric value and the first of several header values', () => {
    expect(parseRetryAfter(3, now)).toBe(3_000);
    expect(parseRetryAfter(['2', '9'], now)).toBe(2_000);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:45 GMT', now)).toBe(45_000);
  });

  it('never returns a negative wait (a date in the past, a negative number)', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(-5, now)).toBe(0);
  });

  it('returns undefined for a missing, empty or unreadable header', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('   ', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(Number.NaN, now)).toBeUndefined();
    expect(parseRetryAfter({ seconds: 3 }, now)).toBeUndefined();
  });
});
