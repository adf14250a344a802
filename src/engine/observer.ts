import type { SystemId } from '../catalog.js';
import { FINAL_STEP_STATES, type RevocationRequest, type RevocationStep } from './types.js';

/**
 * A run's steps as they stand: one live, read-only view for the whole run, handed to every
 * {@link RunObserver.stepFinished} call — never a copy per step, so a display's work per finished
 * step does not grow with the request (a 1,000-person bulk has 7,000 steps). The counts are kept as
 * steps finish; only {@link list} and {@link ofSystem} walk steps, for work done once per system or
 * per throttled redraw, not once per step.
 */
export interface RunSteps {
  /** How many steps the run has, in all or in one system. O(1). */
  count(system?: SystemId): number;
  /** How many of them are final (see FINAL_STEP_STATES), in all or in one system. O(1). */
  finished(system?: SystemId): number;
  /** One step as it stands. O(1). */
  get(key: string): RevocationStep | undefined;
  /** One system's steps as they stand, in plan order: a new array, O(that system's steps). */
  ofSystem(system: SystemId): RevocationStep[];
  /** Every step as it stands, in plan order: a new array, O(steps). */
  list(): RevocationStep[];
}

const isFinal = (step: RevocationStep) => FINAL_STEP_STATES.includes(step.state);

/** The runner's {@link RunSteps}: steps by key, with their finished counts kept as they change. */
export class LiveSteps implements RunSteps {
  private readonly steps = new Map<string, RevocationStep>();
  /** Each system's step keys, in the order they were first seen. */
  private readonly keys = new Map<SystemId, string[]>();
  private readonly done = new Map<SystemId, number>();
  private doneAll = 0;

  constructor(steps: Iterable<RevocationStep> = []) {
    for (const step of steps) this.set(step);
  }

  /** Puts a step's new state in place of its old one (a new key goes last). O(1). */
  set(step: RevocationStep): void {
    const before = this.steps.get(step.key);
    if (!before) {
      const keys = this.keys.get(step.system);
      if (keys) keys.push(step.key);
      else this.keys.set(step.system, [step.key]);
    } else if (isFinal(before)) this.bump(before.system, -1);
    this.steps.set(step.key, step);
    if (isFinal(step)) this.bump(step.system, 1);
  }

  count(system?: SystemId): number {
    return system === undefined ? this.steps.size : (this.keys.get(system)?.length ?? 0);
  }

  finished(system?: SystemId): number {
    return system === undefined ? this.doneAll : (this.done.get(system) ?? 0);
  }

  get(key: string): RevocationStep | undefined {
    return this.steps.get(key);
  }

  ofSystem(system: SystemId): RevocationStep[] {
    return (this.keys.get(system) ?? []).flatMap((key) => {
      const step = this.steps.get(key);
      return step ? [step] : [];
    });
  }

  list(): RevocationStep[] {
    return [...this.steps.values()];
  }

  private bump(system: SystemId, by: number): void {
    this.done.set(system, (this.done.get(system) ?? 0) + by);
    this.doneAll += by;
  }
}

/**
 * Told about a run's progress so a watcher (the CLI's output, metrics) can show it. Slack's results
 * thread is not one: it is delivered from the outbox. Errors are logged and ignored: a display
 * never stops a revocation.
 */
export interface RunObserver {
  /** The run starts (or resumes: `steps` as they stand). */
  requestStarted(request: RevocationRequest, steps: RevocationStep[]): Promise<void>;
  /**
   * One step finished. `steps` is the run's live view ({@link RunSteps}), the same object on every
   * call: read what is needed before the first await (it moves on as other steps finish), and
   * keep the work per call independent of the number of steps.
   */
  stepFinished(request: RevocationRequest, step: RevocationStep, steps: RunSteps): Promise<void>;
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
  stepFinished(request: RevocationRequest, step: RevocationStep, steps: RunSteps): Promise<void> {
    return this.each((o) => o.stepFinished(request, step, steps));
  }
  requestFinished(request: RevocationRequest, steps: RevocationStep[]): Promise<void> {
    return this.each((o) => o.requestFinished(request, steps));
  }
}
