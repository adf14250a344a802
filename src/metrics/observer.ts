import type { RunObserver } from '../engine/observer.js';
import type { RevocationRequest, RevocationStep } from '../engine/types.js';

interface Counters {
  steps: { inc(labels: { system: string; outcome: string }): void };
  takeovers: { inc(): void };
}

/** Steps already counted, so a display retry never counts one twice (bounded memory). */
const SEEN_LIMIT = 10_000;

/**
 * Counts finished steps by system and outcome, and runs that resume a request
 * whose earlier runner stopped part-way (the engine's own "resumed" test:
 * some step is no longer pending when the run starts). Never throws.
 */
export class MetricsObserver implements RunObserver {
  constructor(
    private readonly counters: Counters,
    /** Shared by every observer of one metrics registry. */
    private readonly seen: Set<string>,
  ) {}

  async requestStarted(_request: RevocationRequest, steps: RevocationStep[]): Promise<undefined> {
    if (steps.some((s) => s.state !== 'pending')) this.counters.takeovers.inc();
    return undefined;
  }

  async stepFinished(request: RevocationRequest, step: RevocationStep): Promise<void> {
    const key = `${request.id}/${step.key}`;
    const seen = this.seen;
    if (seen.has(key)) return;
    if (seen.size >= SEEN_LIMIT) seen.clear();
    seen.add(key);
    this.counters.steps.inc({ system: step.system, outcome: step.state });
  }

  async requestFinished(): Promise<void> {}
}
