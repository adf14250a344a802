import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { EwmaEstimator } from '../../src/slack/work-estimate.js';
import { type JobPriority, WorkQueue, type WorkQueueOptions } from '../../src/slack/work-queue.js';

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
