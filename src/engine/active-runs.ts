import type { Lease } from './lease.js';

/**
 * How a process stops its runs: the bounded drain on SIGTERM, Ctrl-C in the CLI. Every step it
 * takes leaves each request in a state the next runner resumes from, without repeating a step
 * that finished.
 */
export interface RunControl {
  /** Whether new runs are refused ({@link close}). */
  readonly closed: boolean;
  /** The requests this runner is running now. */
  running(): string[];
  /** No run is claimed any more: a request about to be claimed is left for another runner. */
  close(): void;
  /**
   * Every run stops before its next vendor call, step start or display; what a call in flight
   * answers is still recorded. Each run then releases its lease, so the next runner claims it at
   * once (no wait for the lease to lapse). A run claimed after this is stopped at once.
   */
  stop(why: string): void;
  /** Resolves once no run is in progress (their leases released); at once when none is. */
  idle(): Promise<void>;
  /**
   * The last step, when waiting is over: every run still in progress loses its lease (it writes
   * nothing more, whatever its calls in flight answer) and the lease is released in the store, so
   * that another runner claims the request at once. Answers the requests handed over.
   */
  handOver(why: string): Promise<string[]>;
}

/** The runner's {@link RunControl}: the leases of the runs in progress. */
export class ActiveRuns implements RunControl {
  private readonly leases = new Set<Lease>();
  private readonly waiters: (() => void)[] = [];
  private isClosed = false;
  private stopWhy: string | undefined;

  /** `release` gives a lease back in the store (only while it is still that claim's). */
  constructor(private readonly release: (lease: Lease) => Promise<void>) {}

  get closed(): boolean {
    return this.isClosed;
  }

  running(): string[] {
    return [...this.leases].map((l) => l.requestId);
  }

  close(): void {
    this.isClosed = true;
  }

  /** A run claimed `lease`: answers what to call once it ended and released its lease. */
  add(lease: Lease): () => void {
    if (this.stopWhy !== undefined) lease.stop(this.stopWhy);
    this.leases.add(lease);
    return () => {
      this.leases.delete(lease);
      if (this.leases.size === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  stop(why: string): void {
    this.isClosed = true;
    this.stopWhy ??= why;
    for (const lease of this.leases) lease.stop(why);
  }

  idle(): Promise<void> {
    return this.leases.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  async handOver(why: string): Promise<string[]> {
    this.stop(why);
    const leases = [...this.leases];
    for (const lease of leases) lease.lose(why);
    await Promise.all(leases.map((lease) => this.release(lease).catch(() => {})));
    return leases.map((l) => l.requestId);
  }
}
