import type { RevocationRequest, RevocationStep } from './types.js';

/**
 * Told about a request's progress so a surface (Slack thread, CLI output) can
 * show it. Implementations must not throw for display problems that should not
 * stop a revocation; the engine logs and ignores their errors anyway.
 */
export interface RunObserver {
  requestStarted(request: RevocationRequest, steps: RevocationStep[]): Promise<void>;
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

  requestStarted(request: RevocationRequest, steps: RevocationStep[]): Promise<void> {
    return this.each((o) => o.requestStarted(request, steps));
  }
  stepFinished(request: RevocationRequest, step: RevocationStep, steps: RevocationStep[]): Promise<void> {
    return this.each((o) => o.stepFinished(request, step, steps));
  }
  requestFinished(request: RevocationRequest, steps: RevocationStep[]): Promise<void> {
    return this.each((o) => o.requestFinished(request, steps));
  }
}
