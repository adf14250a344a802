import type { EngineContext } from './context.js';
import type { Actor, RevocationRequest, RevocationStep, ThreadRef } from './types.js';

/**
 * What the surfaces read, and the facts they report that change no request's lifecycle: the
 * only way Slack's listeners and the alert API reach the store (they never hold it). Every fact
 * is written with its audit record in the same write.
 */
export class Records {
  constructor(private readonly ctx: EngineContext) {}

  request(id: string): Promise<RevocationRequest | undefined> {
    return this.ctx.store.getRequest(id);
  }

  steps(requestId: string): Promise<RevocationStep[]> {
    return this.ctx.store.listSteps(requestId);
  }

  /** The newest requests naming a Slack user (first or further person), newest first. */
  history(slackUserId: string, limit: number): Promise<RevocationRequest[]> {
    return this.ctx.store.listRequestsForTarget(slackUserId, limit);
  }

  /** Requests a runner may claim now: approved, or running under an expired lease. */
  async runnable(limit: number): Promise<RevocationRequest[]> {
    const requests: RevocationRequest[] = [];
    for (const id of await this.ctx.store.listRunnable(this.ctx.iso(), limit)) {
      const request = await this.ctx.store.getRequest(id);
      if (request) requests.push(request);
    }
    return requests;
  }

  /** A surface refused someone before anything was asked of the engine (e.g. not a requester). */
  async refused(actor: Actor, why: string, via: string): Promise<void> {
    await this.ctx.audit(undefined, `${actor.kind}:${actor.id}`, 'request_refused', { why, via });
  }

  /**
   * An idempotency key was reused for a different ask: the request holding it is kept, and what
   * the refused ask wanted is kept in the audit log so that it is not lost silently.
   */
  async idempotencyConflict(heldBy: string, actor: Actor, data: Record<string, unknown>): Promise<void> {
    await this.ctx.audit(heldBy, `${actor.kind}:${actor.id}`, 'idempotency_conflict', data);
  }

  /**
   * A request's Workflow Builder step was ended (`complete` or `fail` went through): its link
   * keeps the execution id and when, and forgets the step's token. False when there is no such
   * request.
   */
  workflowCompleted(requestId: string, functionExecutionId: string, outcome: string): Promise<boolean> {
    const now = this.ctx.iso();
    return this.ctx.store.updateRequest(
      requestId,
      { workflow: { functionExecutionId, completedAt: now } },
      now,
      undefined,
      { requestId, actor: 'system', action: 'workflow_completed', data: { functionExecutionId, outcome } },
    );
  }

  /** Where the request's results thread is (its parent was posted, or its approval card became it). */
  async threadPosted(requestId: string, thread: ThreadRef): Promise<void> {
    await this.ctx.store.updateRequest(requestId, { thread }, this.ctx.iso());
  }

  /**
   * The workflow step token a journaled submission came with (to fail the step when the submission
   * is refused). Kept in the journal only, never in the outbox; undefined once the entry is gone.
   */
  async journaledStepToken(intakeKey: string): Promise<string | undefined> {
    const entry = await this.ctx.store.getIntake(intakeKey);
    const workflow = entry?.form.workflow as { botAccessToken?: unknown } | undefined;
    return typeof workflow?.botAccessToken === 'string' ? workflow.botAccessToken : undefined;
  }
}
