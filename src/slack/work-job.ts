import type { DurationEstimator } from './work-estimate.js';

/**
 * Order among waiting jobs: `urgent` (racing a trigger's deadline) first, then `normal`
 * (requests, decisions: never refused), then `low` (previews and lookups).
 */
export type JobPriority = 'urgent' | 'normal' | 'low';

/**
 * `interactive`: a listener's short follow-up work, `concurrency` jobs at a time. `runs`:
 * revocation runs and housekeeping, in slots of their own, so an incident's long runs never keep
 * a form from opening.
 */
export type JobLane = 'interactive' | 'runs';

interface JobBase {
  /** What the job is: the key of its duration estimate (`command.open`, `preview`, `run`…). */
  kind: string;
  /** For the logs (default: the kind), e.g. `request R-…`. */
  name?: string;
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
  /** Runs and housekeeping at once (default 8). */
  runConcurrency?: number;
  /** Milliseconds, monotonic (default `performance.now`). */
  now?: () => number;
  /** Default: an EWMA of each kind's recent durations. */
  estimator?: DurationEstimator;
  observer?: WorkQueueObserver;
}
