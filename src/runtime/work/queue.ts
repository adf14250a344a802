import { performance } from 'node:perf_hooks';
import type { Logger } from '../../log.js';
import { DEFAULT_URGENT_RESERVE } from '../../providers/budget/index.js';
import { type DurationEstimator, EwmaEstimator } from './estimate.js';
import type { Job, JobInfo, JobPriority, WorkQueueObserver, WorkQueueOptions } from './job.js';

export type { Job, JobInfo, JobLane, JobPriority, WorkQueueObserver, WorkQueueOptions } from './job.js';

type Line = JobPriority | 'runs' | 'bulk';
interface Entry {
  info: JobInfo;
  job: Job;
}
interface Running {
  info: JobInfo;
  key: string | undefined;
  startedAt: number;
}

/**
 * The process's one queue: the work a listener does after its ack, the runs and the housekeeping
 * rounds. Nothing starts before the next `setImmediate`, so the ack's response is written first;
 * at most `concurrency` interactive jobs (and `runConcurrency` runs) run at once; a job racing a
 * trigger deadline is refused at once (its `onRefused` runs instead) when the expected wait would
 * pass that deadline, and again at start if it passed meanwhile. Jobs without a deadline always
 * queue. `idle()` waits for all of it.
 *
 * Urgent work always has run capacity of its own, as it has vendor budget of its own: bulk work
 * never holds more than `runConcurrency` less the reserved share of the run slots, and when a run
 * slot frees, waiting urgent runs and housekeeping (first come first served) start before waiting
 * bulk work. With no bulk waiting, urgent runs may take every slot.
 */
export class WorkQueue {
  private readonly lines: Record<Line, Entry[]> = { urgent: [], normal: [], low: [], runs: [], bulk: [] };
  private readonly running = new Set<Running>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly reserved: number;
  private readonly runConcurrency: number;
  /** Run slots bulk work may hold at once: the rest are kept for urgent runs and housekeeping. */
  private readonly bulkSlots: number;
  private readonly estimator: DurationEstimator;
  private refusing = 0;
  private pumpScheduled = false;

  constructor(
    private readonly logger: Logger,
    private readonly options: WorkQueueOptions = {},
  ) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
    this.reserved = Math.min(this.concurrency - 1, Math.max(0, Math.floor(options.reserved ?? 2)));
    this.runConcurrency = Math.max(1, Math.floor(options.runConcurrency ?? 8));
    this.bulkSlots = this.runConcurrency - reservedRunSlots(this.runConcurrency, options.urgentReserve);
    this.estimator = options.estimator ?? new EwmaEstimator();
  }

  /** The queue's clock (ms); deadlines are on it. */
  now(): number {
    return this.options.now ? this.options.now() : performance.now();
  }

  /** Queues a job; `refused` when its deadline cannot be met (its `onRefused` then runs, after the ack). */
  enqueue(job: Job): 'queued' | 'refused' {
    const urgent = job.deadline !== undefined;
    const info: JobInfo = {
      kind: job.kind,
      name: job.name ?? job.kind,
      priority: urgent ? 'urgent' : (job.priority ?? 'normal'),
      lane: urgent ? 'interactive' : (job.lane ?? 'interactive'),
    };
    const entry = { info, job };
    if (job.deadline !== undefined) {
      const wait = this.expectedUrgentWait();
      if (this.now() + wait > job.deadline) {
        this.refuse(entry, 'busy', `expected wait ${Math.round(wait)} ms`);
        return 'refused';
      }
    }
    this.lines[info.lane === 'interactive' ? info.priority : info.lane].push(entry);
    this.schedulePump();
    return 'queued';
  }

  /**
   * Queues a run or a housekeeping round (never refused): in lane `runs`, or `bulk` for a bulk
   * request's run (see {@link JobLane}).
   */
  run(
    kind: string,
    task: () => Promise<unknown>,
    options: { name?: string; key?: string; lane?: 'runs' | 'bulk' } = {},
  ): void {
    const { name, key, lane = 'runs' } = options;
    this.enqueue({ kind, name, key, task, lane });
  }

  /** Whether a job with this key waits or runs. */
  has(key: string): boolean {
    const { urgent, normal, low, runs, bulk } = this.lines;
    return (
      [...this.running].some((r) => r.key === key) ||
      [urgent, normal, low, runs, bulk].some((line) => line.some((e) => e.job.key === key))
    );
  }

  /**
   * Expected wait (ms) before a new urgent job starts: the running interactive jobs' remaining
   * time and then the urgent jobs already waiting, each taking the slot that frees first.
   */
  expectedUrgentWait(): number {
    const now = this.now();
    const free = [...this.running]
      .filter((r) => r.info.lane === 'interactive')
      .map((r) => Math.max(0, this.estimator.estimate(r.info.kind) - (now - r.startedAt)));
    while (free.length < this.concurrency) free.push(0);
    for (const waiting of this.lines.urgent) {
      const i = free.indexOf(Math.min(...free));
      free[i] = (free[i] ?? 0) + this.estimator.estimate(waiting.info.kind);
    }
    return Math.min(...free);
  }

  /**
   * Jobs running and waiting, per lane and line (logs, tests). `runs` counts every job in a run
   * slot, `bulk` the bulk work among them.
   */
  counts(): { interactive: number; runs: number; bulk: number; waiting: Record<Line, number> } {
    const running = [...this.running];
    const interactive = running.filter((r) => r.info.lane === 'interactive').length;
    const { urgent, normal, low, runs, bulk } = this.lines;
    return {
      interactive,
      runs: running.length - interactive,
      bulk: running.filter((r) => r.info.lane === 'bulk').length,
      waiting: {
        urgent: urgent.length,
        normal: normal.length,
        low: low.length,
        runs: runs.length,
        bulk: bulk.length,
      },
    };
  }

  /** Resolves when nothing runs or waits (work started by the work included): shutdown waits here. */
  async idle(): Promise<void> {
    while (this.busy()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private busy(): boolean {
    const { urgent, normal, low, runs, bulk } = this.lines;
    return (
      this.pumpScheduled ||
      this.running.size > 0 ||
      this.refusing > 0 ||
      urgent.length + normal.length + low.length + runs.length + bulk.length > 0
    );
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    for (let next = this.takeNext(); next; next = this.takeNext()) this.start(next);
    if (!this.busy()) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private takeNext(): Entry | undefined {
    const { interactive, runs, bulk } = this.counts();
    if (interactive < this.concurrency && this.lines.urgent.length > 0) return this.lines.urgent.shift();
    if (runs < this.runConcurrency) {
      // Urgent runs and housekeeping first; bulk work only while it leaves the reserved slots free.
      if (this.lines.runs.length > 0) return this.lines.runs.shift();
      if (bulk < this.bulkSlots && this.lines.bulk.length > 0) return this.lines.bulk.shift();
    }
    if (interactive < this.concurrency - this.reserved)
      return this.lines.normal.shift() ?? this.lines.low.shift();
    return undefined;
  }

  private start(entry: Entry): void {
    const { info, job } = entry;
    if (job.deadline !== undefined && this.now() > job.deadline) {
      this.refuse(entry, 'expired', 'its deadline passed while it waited');
      return;
    }
    const running = { info, key: job.key, startedAt: this.now() };
    this.running.add(running);
    this.notify((o) => o.started?.(info));
    let done: Promise<unknown>;
    try {
      done = job.task();
    } catch (error) {
      done = Promise.reject(error);
    }
    done
      .then(
        () => true,
        (error: unknown) => {
          this.logger.error(`${info.name} failed:`, error);
          return false;
        },
      )
      .then((ok) => {
        const ms = this.now() - running.startedAt;
        this.estimator.record(info.kind, ms);
        this.running.delete(running);
        this.notify((o) => o.finished?.(info, ms, ok));
        this.schedulePump();
      });
  }

  private refuse(entry: Entry, why: 'busy' | 'expired', detail: string): void {
    const { info, job } = entry;
    this.refusing += 1;
    this.logger.warn(`busy: ${info.name} was not started (${detail}); the user is asked to try again`);
    this.notify((o) => o.refused?.(info, why));
    setImmediate(() => {
      Promise.resolve()
        .then(() => job.onRefused?.())
        .catch((error: unknown) => this.logger.warn(`could not say ${info.name} is refused:`, error))
        .finally(() => {
          this.refusing -= 1;
          this.schedulePump();
        });
    });
  }

  private notify(call: (observer: WorkQueueObserver) => void): void {
    const { observer } = this.options;
    if (!observer) return;
    try {
      call(observer);
    } catch {
      // an observer's bug never stops the work
    }
  }
}

/**
 * Run slots bulk work leaves free: `share` of them (`REVOKE_URGENT_RESERVE`), at least one, and
 * never all of them (with a single slot there is nothing to reserve: a bulk must still run).
 */
export function reservedRunSlots(slots: number, share = DEFAULT_URGENT_RESERVE): number {
  if (slots <= 1) return 0;
  return Math.min(slots - 1, Math.max(1, Math.ceil(slots * Math.max(0, share))));
}
