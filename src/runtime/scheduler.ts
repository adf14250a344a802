/** One periodic job: picks up runnable work, expires lapsed approvals… */
export interface Housekeeping {
  name: string;
  run(): Promise<unknown>;
}

/**
 * Runs the housekeeping jobs once at start and then every `intervalMs`, each time through
 * `runInBackground` (which tracks and logs them), until stopped. A slow round never overlaps the
 * next one: a job still running when its time comes again is skipped that time.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<string>();

  constructor(
    private readonly jobs: Housekeeping[],
    private readonly intervalMs: number,
    private readonly runInBackground: (name: string, fn: () => Promise<unknown>) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    for (const job of this.jobs) {
      if (this.running.has(job.name)) continue;
      this.running.add(job.name);
      this.runInBackground(job.name, () => job.run().finally(() => this.running.delete(job.name)));
    }
  }
}
