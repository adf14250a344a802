/** How long a kind of after-ack job takes, learnt from the ones that finished. */
export interface DurationEstimator {
  /** Expected duration of one job of `kind`, in milliseconds. */
  estimate(kind: string): number;
  /** Records how long one job of `kind` took. */
  record(kind: string, ms: number): void;
}

export interface EwmaOptions {
  /** Weight of the newest duration (0 < alpha ≤ 1; default 0.3: about the last five jobs count). */
  alpha?: number;
  /** Estimate of a kind that has not finished yet (default 300 ms). */
  initialMs?: number;
}

/**
 * A per-kind exponentially weighted moving average of recent durations: cheap,
 * no history kept, and it follows a vendor that slows down within a few jobs.
 */
export class EwmaEstimator implements DurationEstimator {
  private readonly averages = new Map<string, number>();
  private readonly alpha: number;
  private readonly initialMs: number;

  constructor(options: EwmaOptions = {}) {
    this.alpha = Math.min(1, Math.max(0.01, options.alpha ?? 0.3));
    this.initialMs = Math.max(0, options.initialMs ?? 300);
  }

  estimate(kind: string): number {
    return this.averages.get(kind) ?? this.initialMs;
  }

  record(kind: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const previous = this.averages.get(kind);
    this.averages.set(kind, previous === undefined ? ms : previous + this.alpha * (ms - previous));
  }
}
