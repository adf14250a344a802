import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import { type DurationEstimator, EwmaEstimator } from './work-estimate.js';
import type { Job, JobInfo, JobPriority, WorkQueueObserver, WorkQueueOptions } from './work-job.js';

export type { Job, JobInfo, JobLane, JobPriority, WorkQueueObserver, WorkQueueOptions } from './work-job.js';

type Line = JobPriority | 'runs';
interface Entry {
  info: JobInfo;
  job: Job;
}
interface Running {
  info: JobInfo;
  startedAt: number;
}

/**
 * The one queue for the work every Slack listener does after its ack. Nothing starts before the
 * next `setImmediate`, so the ack's response is written first; at most `concurrency` interactive
 * jobs (and `runConcurrency` runs) run at once; a job racing a trigger deadline is refused at once
 * (its `onRefused` runs instead) when the expected wait would pass that deadline, and again at start
 * if it passed meanwhile. Jobs without a deadline always queue. `idle()` waits for all of it.
 */
export class WorkQueue {
  private readonly lines: Record<Line, Entry[]> = { urgent: [], normal: [], low: [], runs: [] };
  private readonly running = new Set<Running>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly reserved: number;
  private readonly runConcurrency: number;
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
    this.lines[info.lane === 'runs' ? 'runs' : info.priority].push(entry);
    this.schedulePump();
    return 'queued';
  }

  /** Queues a run or a housekeeping round (lane `runs`; never refused). */
  run(kind: string, task: () => Promise<unknown>, name?: string): void {
    this.enqueue({ kind, name, task, lane: 'runs' });
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

  /** Jobs running and waiting, per lane and line (logs, tests). */
  counts(): { interactive: number; runs: number; waiting: Record<Line, number> } {
    const interactive = [...this.running].filter((r) => r.info.lane === 'interactive').length;
    const { urgent, normal, low, runs } = this.lines;
    return {
      interactive,
      runs: this.running.size - interactive,
      waiting: { urgent: urgent.length, normal: normal.length, low: low.length, runs: runs.length },
    };
  }

  /** Resolves when nothing runs or waits (work started by the work included): shutdown waits here. */
  async idle(): Promise<void> {
    while (this.busy()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private busy(): boolean {
    const { urgent, normal, low, runs } = this.lines;
    return (
      this.pumpScheduled ||
      this.running.size > 0 ||
      this.refusing > 0 ||
      urgent.length + normal.length + low.length + runs.length > 0
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
    const { interactive, runs } = this.counts();
    if (interactive < this.concurrency && this.lines.urgent.length > 0) return this.lines.urgent.shift();
    if (runs < this.runConcurrency && this.lines.runs.length > 0) return this.lines.runs.shift();
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
    const running = { info, startedAt: this.now() };
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
