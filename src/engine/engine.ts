import type { SystemId } from '../config.js';
import type { Person } from '../providers/types.js';
import type { DecisionKind } from './approval.js';
import { EngineContext, type EngineDeps } from './context.js';
import { type DecisionResult, Decisions } from './decisions.js';
import type { RunObserver } from './observer.js';
import type { SystemPreview } from './plan.js';
import { type Ask, type AskResult, Intake } from './request.js';
import { Runner } from './runner.js';
import type { Actor, RevocationRequest, ThreadRef } from './types.js';

export type { DecisionResult, EngineDeps };

/**
 * The domain engine, one object over its parts: intake (the one use case every surface calls,
 * {@link RevocationEngine.ask}), decisions, and the runner. It imports nothing from Slack's
 * transport and hands out neither its store nor its providers.
 */
export class RevocationEngine {
  private readonly intake: Intake;
  private readonly decisions: Decisions;
  private readonly runner: Runner;

  constructor(deps: EngineDeps) {
    const ctx = new EngineContext(deps);
    this.intake = new Intake(ctx);
    this.decisions = new Decisions(ctx);
    this.runner = new Runner(ctx);
  }

  /** This process's identity for leases. */
  get runnerId(): string {
    return this.runner.runnerId;
  }

  /** Request a revocation: requester, people, policy, plan, recorded in one write. */
  ask(ask: Ask): Promise<AskResult> {
    return this.intake.ask(ask);
  }

  /** Records an already-resolved request (the lower half of {@link ask}; tests and tools). */
  submit(...args: Parameters<Intake['submit']>): ReturnType<Intake['submit']> {
    return this.intake.submit(...args);
  }

  /** A person's sessions as `viewer` may see them; the look is audited. */
  preview(viewer: Actor, person: Person, systems: SystemId[]): Promise<SystemPreview[]> {
    return this.intake.preview(viewer, person, systems);
  }

  decide(requestId: string, actor: Actor, kind: DecisionKind, note?: string): Promise<DecisionResult> {
    return this.decisions.decide(requestId, actor, kind, note);
  }

  withdraw(requestId: string, note: string): Promise<boolean> {
    return this.decisions.withdraw(requestId, note);
  }

  /** Records where a pending request's approval card was posted (the requester is told, through the outbox). */
  cardPosted(requestId: string, card: ThreadRef): Promise<void> {
    return this.decisions.cardPosted(requestId, card);
  }

  expireDue(limit?: number): Promise<RevocationRequest[]> {
    return this.decisions.expireDue(limit);
  }

  run(requestId: string, observer?: RunObserver): Promise<RevocationRequest | undefined> {
    return this.runner.run(requestId, observer);
  }

  resumeRunnable(
    observerFor: (r: RevocationRequest) => RunObserver | undefined,
    limit?: number,
  ): Promise<number> {
    return this.runner.resumeRunnable(observerFor, limit);
  }
}
