import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Budgets,
  inLane,
  type Lane,
  parseRate,
  parseReserve,
  RateBudget,
  rateTable,
} from '../../src/providers/budget/index.js';
import { withRetry } from '../../src/providers/retry.js';

const MINUTE = 60_000;

/** Starts `n` calls in `lane` and records, for each, when it was let through. */
function start(budget: RateBudget, lane: Lane, n: number, log: { lane: Lane; at: number }[]) {
  return Array.from({ length: n }, () =>
    inLane(lane, () => budget.ready()).then((answered) => {
      log.push({ lane, at: Date.now() });
      answered(); // answered at once: the window counts from here
    }),
  );
}

describe('RateBudget', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets at most the limit start in any window, and the next one when the oldest leaves it', async () => {
    const budget = new RateBudget('slack:users.info', { count: 3, perMs: MINUTE }, 0, () => Date.now());
    const log: { lane: Lane; at: number }[] = [];
    start(budget, 'urgent', 5, log);
    await vi.advanceTimersByTimeAsync(0);
    expect(log.map((l) => l.at)).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(MINUTE - 1);
    expect(log).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(log.map((l) => l.at)).toEqual([0, 0, 0, MINUTE, MINUTE]);
  });

  it('keeps the reserved share for urgent calls: a bulk that fills its share never delays one', async () => {
    // 20 a minute (Slack Tier 2), 5% reserved: bulk may start 19, urgent the 20th.
    const budget = new RateBudget('slack:admin.users.session.list', { count: 20, perMs: MINUTE }, 0.05, () =>
      Date.now(),
    );
    expect(budget.limit('bulk')).toBe(19);
    expect(budget.limit('urgent')).toBe(20);
    const log: { lane: Lane; at: number }[] = [];
    start(budget, 'bulk', 40, log);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(log.filter((l) => l.lane === 'bulk')).toHaveLength(19);
    start(budget, 'urgent', 1, log);
    await vi.advanceTimersByTimeAsync(0);
    expect(log.filter((l) => l.lane === 'urgent').map((l) => l.at)).toEqual([10_000]);
    expect(budget.usage().waiting).toEqual({ urgent: 0, bulk: 21 });
  });

  it('starts waiting urgent calls before waiting bulk calls when the window frees', async () => {
    const budget = new RateBudget('box', { count: 4, perMs: MINUTE }, 0.25, () => Date.now());
    const log: { lane: Lane; at: number }[] = [];
    start(budget, 'urgent', 4, log); // the whole window, at 0
    await vi.advanceTimersByTimeAsync(1_000);
    start(budget, 'bulk', 3, log);
    await vi.advanceTimersByTimeAsync(1_000);
    start(budget, 'urgent', 2, log);
    await vi.advanceTimersByTimeAsync(MINUTE);
    const afterWindow = log.filter((l) => l.at >= MINUTE).map((l) => l.lane);
    // Two urgent calls first, then bulk up to its share (3 of 4): the fourth slot stays reserved.
    expect(afterWindow).toEqual(['urgent', 'urgent', 'bulk']);
    expect(budget.usage().waiting).toEqual({ urgent: 0, bulk: 2 });
  });

  it('holds both lanes while a 429 wait runs, then lets urgent calls go first', async () => {
    const budget = new RateBudget('okta', undefined, 0.05, () => Date.now());
    let endPause: () => void = () => {};
    const pause = new Promise<void>((resolve) => {
      endPause = resolve;
    });
    budget.hold(5_000, pause);
    const log: { lane: Lane; at: number }[] = [];
    start(budget, 'bulk', 2, log);
    await vi.advanceTimersByTimeAsync(100);
    start(budget, 'urgent', 1, log);
    await vi.advanceTimersByTimeAsync(4_900);
    expect(log).toHaveLength(0);
    endPause();
    await vi.advanceTimersByTimeAsync(0);
    expect(log.map((l) => l.lane)).toEqual(['urgent', 'bulk', 'bulk']);
  });

  it('counts the window from each answer, in the order the answers came, not the order of the sends', async () => {
    const budget = new RateBudget('box', { count: 3, perMs: MINUTE }, 0, () => Date.now());
    const answers = await Promise.all([budget.ready(), budget.ready(), budget.ready()]);
    const started: number[] = [];
    for (let i = 0; i < 2; i++) void budget.ready().then(() => started.push(Date.now()));
    await vi.advanceTimersByTimeAsync(10_000);
    answers[1]?.(); // answered at 10 s
    await vi.advanceTimersByTimeAsync(10_000);
    answers[0]?.(); // at 20 s
    await vi.advanceTimersByTimeAsync(10_000);
    answers[2]?.(); // at 30 s
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(started).toEqual([10_000 + MINUTE, 20_000 + MINUTE]);
  });

  it('stays exact at 100,000 calls a window, each let through in constant time', async () => {
    const count = 100_000;
    const budget = new RateBudget('slack:users.info', { count, perMs: MINUTE }, 0.05, () => Date.now());
    const log: { lane: Lane; at: number }[] = [];
    start(budget, 'bulk', count, log);
    start(budget, 'urgent', 5_001, log);
    await vi.advanceTimersByTimeAsync(0);
    // Bulk takes its 95,000; urgent the reserved 5,000; one urgent call waits for the next window.
    expect(log.filter((l) => l.lane === 'bulk')).toHaveLength(95_000);
    expect(log.filter((l) => l.lane === 'urgent')).toHaveLength(5_000);
    expect(budget.usage()).toEqual({ inWindow: count, waiting: { urgent: 1, bulk: 5_000 } });
    await vi.advanceTimersByTimeAsync(MINUTE - 1);
    expect(log).toHaveLength(count);
    await vi.advanceTimersByTimeAsync(1);
    expect(log.slice(count).map((l) => [l.lane, l.at])).toEqual([
      ['urgent', MINUTE],
      ...Array.from({ length: 5_000 }, () => ['bulk', MINUTE]),
    ]);
    expect(budget.usage()).toEqual({ inWindow: 5_001, waiting: { urgent: 0, bulk: 0 } });
  });

  it("takes this replica's share of the limit", () => {
    const budget = new RateBudget('okta', { count: 600, perMs: MINUTE }, 0.05, () => Date.now());
    budget.setShare(1 / 3);
    expect(budget.limit('urgent')).toBe(200);
    expect(budget.limit('bulk')).toBe(190);
  });
});

describe('Budgets', () => {
  it('shares one budget per Slack method and one per other system, across clients', () => {
    const table = rateTable(
      { slack: { perMethod: true, limits: { 'users.info': '100/1m' } }, box: undefined },
      'box=1000/1m',
      [],
    );
    const budgets = new Budgets(table, new Set(['slack']));
    expect(budgets.for('slack', 'users.info')).toBe(budgets.for('slack', 'users.info'));
    expect(budgets.for('slack', 'users.info')).not.toBe(budgets.for('slack', 'admin.users.session.list'));
    expect(budgets.for('slack', 'users.info').rate).toEqual({ count: 100, perMs: MINUTE });
    expect(budgets.for('box', 'list_sessions')).toBe(budgets.for('box', 'terminate_sessions'));
    expect(budgets.for('box', 'terminate_sessions').rate).toEqual({ count: 1000, perMs: MINUTE });
  });
});

describe('limits from the environment', () => {
  it('reads counts per period and the reserve', () => {
    expect(parseRate('100/1m')).toEqual({ count: 100, perMs: MINUTE });
    expect(parseRate('600/12s')).toEqual({ count: 600, perMs: 12_000 });
    expect(parseRate('20/m')).toEqual({ count: 20, perMs: MINUTE });
    expect(parseRate('0/1m')).toBeUndefined();
    expect(parseRate('fast')).toBeUndefined();
    expect(parseReserve(undefined)).toBe(0.05);
    expect(parseReserve('10%')).toBe(0.1);
    expect(parseReserve('80%')).toBeUndefined();
  });

  it('names every entry it cannot read, and `off` leaves only the 429s', () => {
    const problems: string[] = [];
    const documented = { slack: { perMethod: true, limits: { 'users.info': '100/1m' } } };
    const table = rateTable(documented, 'slack:users.info=200/1m, acme=5/1s, slack:x=lots', problems);
    expect(table.get('slack:users.info')).toEqual({ count: 200, perMs: MINUTE });
    expect(problems).toEqual([
      expect.stringMatching(/^REVOKE_RATE_LIMITS: "acme" names no system/),
      expect.stringMatching(/^REVOKE_RATE_LIMITS: the limit for slack:x must be <count>\/<period>/),
    ]);
    expect(rateTable(documented, 'off', []).size).toBe(0);
  });
});

describe('withRetry on a budget', () => {
  it('does not count the wait for its turn against the retry time budget', async () => {
    let clock = 0;
    const gate = {
      ready: async () => {
        clock += 120_000; // two minutes in the queue behind a bulk
      },
      hold: () => {},
    };
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw new Error('busy');
        return 'done';
      },
      () => ({ retry: true, afterMs: 1_000 }),
      { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10, maxTotalMs: 60_000 },
      {
        gate,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      },
    );
    expect(result).toBe('done');
    expect(calls).toBe(2);
  });
});
