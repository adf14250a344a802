import type { RevocationRequest, RevocationStep, ThreadRef } from './types.js';

/**
 * Told about a request's progress so a surface (Slack thread, CLI output) can
 * show it. Implementations must not throw for display problems that should not
 * stop a revocation; the engine logs and ignores their errors anyway.
 */
export interface RunObserver {
  /**
   * The run starts. A display that shows the request somewhere (a Slack thread) answers with
   * where: the engine records it before any vendor call and hands it back on every later call.
   */
  requestStarted(request: RevocationRequest, steps: RevocationStep[]): Promise<ThreadRef | undefined>;
  stepFinished(request: RevocationRequest, step: RevocationStep, steps: RevocationStep[]): Promise<void>;
  requestFinished(request: RevocationRequest, steps: RevocationStep[]): Promise<void>;
}

/** Fans progress out to several observers; one failing does not stop the others. */
export class ObserverList implements RunObserver {
  constructor(
    private readonly observers: RunObserver[],
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs every observer; reports each failure, then rejects if any failed (so the engine retries the display later). */
  private async each(fn: (o: RunObserver) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(this.observers.map((o) => fn(o)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const f of failed) this.onError(f.reason);
    if (failed[0]) throw failed[0].reason;
  }

  /**
   * Every observer is told; the first thread any of them answers with is the request's. A thread
   * that was posted is answered even when another observer failed (so it is recorded, not posted
   * again); otherwise a failure rejects, as for the other calls.
   */
  async requestStarted(request: RevocationRequest, steps: RevocationStep[]): Promise<ThreadRef | undefined> {
    const results = await Promise.allSettled(this.observers.map((o) => o.requestStarted(request, steps)));
    const thread = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []))[0];
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const f of failed) this.onError(f.reason);
    if (!thread && failed[0]) throw failed[0].reason;
    return thread;
  }
  stepFinished(request: RevocationRequest, step: RevocationStep, steps: RevocationStep[]): Promise<void> {
    return this.each((o) => o.stepFinished(request, step, steps));
  }
  requestFinished(request: RevocationRequest, steps: RevocationStep[]): Promise<void> {
    return this.each((o) => o.requestFinished(request, steps));
  }
}
