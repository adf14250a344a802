import type { DurationEstimator } from './estimate.js';

/**
 * Order among waiting jobs: `urgent` (racing a trigger's deadline) first, then `normal`
 * (requests, decisions: never refused), then `low` (previews and lookups).
 */
export type JobPriority = 'urgent' | 'normal' | 'low';

/**
 * `interactive`: a listener's short follow-up work, `concurrency` jobs at a time. `runs`: urgent
 * revocation runs (one person, or an alert) and housekeeping, in slots of their own, so an
 * incident's long runs never keep a form from opening. `bulk`: a bulk request's recording and run,
 * in the same run slots but never in the last `urgentReserve` of them, so urgent work always has
 * run capacity of its own.
 */
export type JobLane = 'interactive' | 'runs' | 'bulk';

interface JobBase {
  /** What the job is: the key of its duration estimate (`command.open`, `preview`, `run`…). */
  kind: string;
  /** For the logs (default: the kind), e.g. `request R-…`. */
  name?: string;
  /** What the job works on, e.g. `run:R-…` (`WorkQueue.has` tells whether such a job waits or runs). */
  key?: string;
  task: () => Promise<unknown>;
}

/** One piece of after-ack work. A job with a deadline is always `urgent` and `interactive`. */
export type Job = JobBase &
  (
    | { priority?: JobPriority; lane?: JobLane; deadline?: undefined; onRefused?: undefined }
    | {
        /** The latest start on the queue's clock (a trigger_id expires 3 s after the user acted). */
        deadline: number;
        /** Runs instead of the task when the job cannot start by its deadline (the busy message). */
        onRefused: () => Promise<unknown>;
      }
  );

/** What an observer learns of a job. */
export interface JobInfo {
  kind: string;
  name: string;
  priority: JobPriority;
  lane: JobLane;
}

/** Hooks for metrics and tests; an observer that throws is ignored. */
export interface WorkQueueObserver {
  started?(job: JobInfo): void;
  finished?(job: JobInfo, ms: number, ok: boolean): void;
  /** `busy`: refused when queued (expected wait past the deadline); `expired`: the deadline passed while it waited. */
  refused?(job: JobInfo, why: 'busy' | 'expired'): void;
}

export interface WorkQueueOptions {
  /** Interactive jobs running at once (default 8). */
  concurrency?: number;
  /** Of those, slots only urgent jobs may take (default 2), so slow previews cannot block a form. */
  reserved?: number;
  /** Runs and housekeeping at once, bulk work included (default 8). */
  runConcurrency?: number;
  /**
   * The share of the run slots bulk work leaves to urgent runs and housekeeping
   * (`REVOKE_URGENT_RESERVE`, default 5%): at least one slot, whenever there are two or more.
   */
  urgentReserve?: number;
  /** Milliseconds, monotonic (default `performance.now`). */
  now?: () => number;
  /** Default: an EWMA of each kind's recent durations. */
  estimator?: DurationEstimator;
  observer?: WorkQueueObserver;
}
