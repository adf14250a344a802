import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { EwmaEstimator } from '../../src/runtime/work/estimate.js';
import {
  type JobPriority,
  reservedRunSlots,
  WorkQueue,
  type WorkQueueOptions,
} from '../../src/runtime/work/queue.js';

function logger(lines: string[] = []): Logger {
  const push = (...m: unknown[]) => lines.push(m.map(String).join(' '));
  return { debug: push, info: push, warn: push, error: push };
}

/** A promise the test resolves when it wants the job to finish. */
function gate() {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await turn();
}

/** A fixed estimate per kind: no learning, so admission decisions depend only on the test. */
function fixed(estimates: Record<string, number>, otherwise = 10) {
  return { estimate: (kind: string) => estimates[kind] ?? otherwise, record: () => {} };
}

function queue(options: WorkQueueOptions, lines?: string[]) {
  return new WorkQueue(logger(lines), options);
}

describe('WorkQueue', () => {
  it('never runs more interactive jobs at once than its concurrency, and runs every one', async () => {
    const q = queue({ concurrency: 3, reserved: 0 });
    let running = 0;
    let most = 0;
    let done = 0;
    const gates = Array.from({ length: 20 }, () => gate());
    for (const g of gates) {
      q.enqueue({
        kind: 'job',
        task: async () => {
          running += 1;
          most = Math.max(most, running);
          await g.promise;
          running -= 1;
          done += 1;
        },
      });
    }
    await settle();
    expect(running).toBe(3);
    expect(q.counts().waiting.normal).toBe(17);
    for (const g of gates) {
      g.open();
      await settle();
      expect(running).toBeLessThanOrEqual(3);
    }
    await q.idle();
    expect(most).toBe(3);
    expect(done).toBe(20);
  });

  it('keeps reserved slots for urgent jobs and gives runs their own bound', async () => {
    const q = queue({ concurrency: 3, reserved: 1, runConcurrency: 2 });
    const hold = gate();
    const started: string[] = [];
    const job = (name: string) => async () => {
      started.push(name);
      await hold.promise;
    };
    for (const n of ['n1', 'n2', 'n3']) q.enqueue({ kind: 'job', task: job(n) });
    for (const r of ['r1', 'r2', 'r3']) q.run('run', job(r));
    await settle();
    expect(started.sort()).toEqual(['n1', 'n2', 'r1', 'r2']);
    q.enqueue({ kind: 'job', priority: 'urgent', task: job('u1') });
    await settle();
    // Two normal jobs (3 − 1 reserved), the urgent one in the reserved slot, two runs beside them.
    expect(started.sort()).toEqual(['n1', 'n2', 'r1', 'r2', 'u1']);
    expect(q.counts()).toMatchObject({ interactive: 3, runs: 2, waiting: { normal: 1, runs: 1 } });
    hold.open();
    await q.idle();
    expect(started).toHaveLength(7);
  });

  it('never lets bulk work take the reserved run slots; urgent runs and housekeeping take them', async () => {
    // 4 run slots, 25% reserved: bulk work holds at most 3.
    const q = queue({ runConcurrency: 4, urgentReserve: 0.25 });
    const hold = gate();
    const started: string[] = [];
    const job = (name: string) => async () => {
      started.push(name);
      await hold.promise;
    };
    for (const b of ['b1', 'b2', 'b3', 'b4', 'b5']) q.run('run', job(b), { lane: 'bulk' });
    await settle();
    expect(started).toEqual(['b1', 'b2', 'b3']);
    expect(q.counts()).toMatchObject({ runs: 3, bulk: 3, waiting: { bulk: 2, runs: 0 } });
    // The reserved slot is free for an urgent run (or a housekeeping round)…
    q.run('run', job('u1'));
    await settle();
    expect(started).toEqual(['b1', 'b2', 'b3', 'u1']);
    // …and a form or a decision never waits for bulk work either.
    q.enqueue({ kind: 'request.submit', task: job('n1') });
    await settle();
    expect(started).toEqual(['b1', 'b2', 'b3', 'u1', 'n1']);
    expect(q.counts()).toMatchObject({ interactive: 1, runs: 4, bulk: 3, waiting: { bulk: 2 } });
    hold.open();
    await q.idle();
    expect(started).toHaveLength(7);
  });

  it('starts a waiting urgent run before waiting bulk work when a run slot frees', async () => {
    // 3 run slots, the default 5% reserved: one slot, so bulk work holds at most 2.
    const q = queue({ runConcurrency: 3 });
    const gates = new Map<string, ReturnType<typeof gate>>();
    const started: string[] = [];
    const run = (name: string, lane: 'runs' | 'bulk') => {
      const g = gate();
      gates.set(name, g);
      q.run(
        'run',
        async () => {
          started.push(name);
          await g.promise;
        },
        { lane },
      );
    };
    const finish = async (name: string) => {
      gates.get(name)?.open();
      await settle();
    };
    run('b1', 'bulk');
    await settle();
    run('u1', 'runs');
    run('u2', 'runs');
    await settle();
    expect(started).toEqual(['b1', 'u1', 'u2']); // urgent runs take any free slot
    run('b2', 'bulk');
    run('b3', 'bulk');
    run('u3', 'runs');
    run('h1', 'runs'); // a housekeeping round: in the same line as urgent runs, in turn
    await settle();
    expect(q.counts().waiting).toMatchObject({ runs: 2, bulk: 2 });
    await finish('b1'); // bulk work queued first, yet the urgent run goes first
    expect(started).toEqual(['b1', 'u1', 'u2', 'u3']);
    await finish('u1');
    expect(started).toEqual(['b1', 'u1', 'u2', 'u3', 'h1']);
    await finish('h1'); // nothing urgent waits: bulk work, first come first served
    expect(started).toEqual(['b1', 'u1', 'u2', 'u3', 'h1', 'b2']);
    await finish('u2');
    expect(started).toEqual(['b1', 'u1', 'u2', 'u3', 'h1', 'b2', 'b3']);
    expect(q.counts()).toMatchObject({ runs: 3, bulk: 2 });
    for (const g of gates.values()) g.open();
    await q.idle();
  });

  it('lets urgent runs take every run slot when no bulk work waits, and bulk work every slot but the reserve', async () => {
    const q = queue({ runConcurrency: 8 });
    const hold = gate();
    const started: string[] = [];
    const job = (name: string) => async () => {
      started.push(name);
      await hold.promise;
    };
    for (let i = 1; i <= 9; i++) q.run('run', job(`u${i}`));
    await settle();
    expect(started).toEqual(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8']);
    expect(q.counts()).toMatchObject({ runs: 8, bulk: 0, waiting: { runs: 1 } });
    hold.open();
    await q.idle();

    const next = gate();
    const bulk: string[] = [];
    for (let i = 1; i <= 9; i++)
      q.run(
        'run',
        async () => {
          bulk.push(`b${i}`);
          await next.promise;
        },
        { lane: 'bulk' },
      );
    await settle();
    expect(bulk).toEqual(['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']);
    expect(q.counts()).toMatchObject({ runs: 7, bulk: 7, waiting: { bulk: 2 } });
    next.open();
    await q.idle();
    expect(bulk).toHaveLength(9); // never refused: it waits its turn
  });

  it('reserves the urgent share of the run slots: at least one, never all', () => {
    expect(reservedRunSlots(8)).toBe(1); // the default 5%
    expect(reservedRunSlots(8, 0.05)).toBe(1);
    expect(reservedRunSlots(8, 0)).toBe(1);
    expect(reservedRunSlots(8, 0.25)).toBe(2);
    expect(reservedRunSlots(8, 0.5)).toBe(4);
    expect(reservedRunSlots(40, 0.05)).toBe(2);
    expect(reservedRunSlots(2, 0.5)).toBe(1);
    expect(reservedRunSlots(1, 0.5)).toBe(0); // one slot: a bulk must still run
  });

  it('with a single run slot, bulk work still runs (runs are never refused)', async () => {
    const q = queue({ runConcurrency: 1 });
    const order: string[] = [];
    q.run('run', async () => void order.push('b1'), { lane: 'bulk' });
    q.run('run', async () => void order.push('u1'));
    await q.idle();
    expect(order.sort()).toEqual(['b1', 'u1']);
  });

  it('tells whether a job with a key waits or runs', async () => {
    const q = queue({ runConcurrency: 1 });
    const hold = gate();
    q.run('run', () => hold.promise, { key: 'run:r-1' });
    q.run('run', async () => {}, { key: 'run:r-2', lane: 'bulk' });
    expect(q.has('run:r-1')).toBe(true); // waiting
    await settle();
    expect(q.has('run:r-1')).toBe(true); // running
    expect(q.has('run:r-2')).toBe(true); // waiting behind it
    expect(q.has('run:r-3')).toBe(false);
    hold.open();
    await q.idle();
    expect(q.has('run:r-1')).toBe(false);
    expect(q.has('run:r-2')).toBe(false);
  });

  it('starts waiting jobs by priority, first come first served within one', async () => {
    const q = queue({ concurrency: 1, reserved: 0 });
    const hold = gate();
    const order: string[] = [];
    q.enqueue({ kind: 'job', task: () => hold.promise });
    const add = (name: string, priority: JobPriority) =>
      q.enqueue({ kind: 'job', priority, task: async () => void order.push(name) });
    add('low-1', 'low');
    add('normal-1', 'normal');
    add('urgent-1', 'urgent');
    add('low-2', 'low');
    add('normal-2', 'normal');
    await settle();
    hold.open();
    await q.idle();
    expect(order).toEqual(['urgent-1', 'normal-1', 'normal-2', 'low-1', 'low-2']);
  });

  it('starts nothing before the next setImmediate (the ack is written first)', async () => {
    const q = queue({});
    let started = false;
    q.enqueue({
      kind: 'job',
      task: async () => {
        started = true;
      },
    });
    await Promise.resolve();
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(started).toBe(false);
    await turn();
    expect(started).toBe(true);
  });

  it('refuses a job whose expected wait passes its deadline; it tells the user instead, after the ack', async () => {
    let now = 1_000;
    const lines: string[] = [];
    const q = queue(
      { concurrency: 1, reserved: 0, now: () => now, estimator: fixed({ slow: 3_000 }) },
      lines,
    );
    const hold = gate();
    q.enqueue({ kind: 'slow', priority: 'urgent', task: () => hold.promise });
    await settle();
    expect(q.expectedUrgentWait()).toBe(3_000);
    now += 1_000; // a third of it has run: two seconds remain
    expect(q.expectedUrgentWait()).toBe(2_000);
    let ran = false;
    let told = 0;
    const open = {
      kind: 'open',
      task: async () => {
        ran = true;
      },
      onRefused: async () => void told++,
    };
    expect(q.enqueue({ ...open, deadline: now + 1_500 })).toBe('refused');
    expect(told).toBe(0); // not before the ack's response
    await settle();
    expect(told).toBe(1);
    expect(lines.some((l) => l.includes('busy: open was not started (expected wait 2000 ms)'))).toBe(true);
    // One that fits waits for the slot and runs.
    expect(q.enqueue({ ...open, deadline: now + 2_500 })).toBe('queued');
    hold.open();
    await q.idle();
    expect(ran).toBe(true);
    expect(told).toBe(1);
  });

  it('counts the urgent jobs already waiting, each in the slot that frees first', async () => {
    const now = 0;
    const q = queue({ concurrency: 2, reserved: 0, now: () => now, estimator: fixed({ a: 1_000, b: 400 }) });
    const hold = gate();
    q.enqueue({ kind: 'a', priority: 'urgent', task: () => hold.promise });
    q.enqueue({ kind: 'b', priority: 'urgent', task: () => hold.promise });
    await settle();
    expect(q.expectedUrgentWait()).toBe(400);
    q.enqueue({ kind: 'b', priority: 'urgent', task: () => hold.promise }); // frees at 800
    expect(q.expectedUrgentWait()).toBe(800);
    q.enqueue({ kind: 'b', priority: 'urgent', task: () => hold.promise }); // slot a, frees at 1,400
    expect(q.expectedUrgentWait()).toBe(1_000);
    // Normal and low jobs waiting never delay an urgent one.
    q.enqueue({ kind: 'a', task: () => hold.promise });
    expect(q.expectedUrgentWait()).toBe(1_000);
    hold.open();
    await q.idle();
  });

  it('refuses at start a job whose deadline passed while it waited (no expired trigger is used)', async () => {
    let now = 0;
    const q = queue({ concurrency: 1, reserved: 0, now: () => now, estimator: fixed({ slow: 100 }) });
    const hold = gate();
    q.enqueue({ kind: 'slow', priority: 'urgent', task: () => hold.promise });
    await settle();
    let ran = false;
    let told = false;
    const admitted = q.enqueue({
      kind: 'open',
      deadline: now + 2_500,
      task: async () => {
        ran = true;
      },
      onRefused: async () => {
        told = true;
      },
    });
    expect(admitted).toBe('queued');
    now += 3_000; // the slow job took far longer than its estimate
    hold.open();
    await q.idle();
    expect(ran).toBe(false);
    expect(told).toBe(true);
  });

  it('never refuses a job without a deadline, however saturated', async () => {
    const q = queue({ concurrency: 1, reserved: 0, estimator: fixed({ slow: 60_000 }) });
    const hold = gate();
    q.enqueue({ kind: 'slow', priority: 'urgent', task: () => hold.promise });
    let ran = 0;
    for (let i = 0; i < 50; i++)
      expect(q.enqueue({ kind: 'submit', task: async () => void ran++ })).toBe('queued');
    hold.open();
    await q.idle();
    expect(ran).toBe(50);
  });

  it('logs a failed job and goes on; idle() waits for work that jobs queue', async () => {
    const lines: string[] = [];
    const q = queue({ concurrency: 1 }, lines);
    let second = false;
    q.enqueue({
      kind: 'job',
      name: 'request R-1',
      task: async () => {
        q.enqueue({
          kind: 'job',
          task: async () => {
            second = true;
          },
        });
        throw new Error('vendor down');
      },
    });
    q.enqueue({
      kind: 'job',
      task: () => {
        throw new Error('thrown synchronously');
      },
    });
    await q.idle();
    expect(second).toBe(true);
    expect(lines.filter((l) => l.includes('failed:'))).toEqual([
      'request R-1 failed: Error: vendor down',
      'job failed: Error: thrown synchronously',
    ]);
  });

  it('learns each kind’s duration from the jobs that finish', async () => {
    let now = 0;
    const estimator = new EwmaEstimator({ alpha: 0.5, initialMs: 300 });
    const q = queue({ now: () => now, estimator });
    const hold = gate();
    q.enqueue({ kind: 'open', task: () => hold.promise });
    await settle();
    now += 100;
    hold.open();
    await q.idle();
    expect(estimator.estimate('open')).toBe(100);
    estimator.record('open', 300);
    expect(estimator.estimate('open')).toBe(200);
    expect(estimator.estimate('never-seen')).toBe(300);
  });
});
