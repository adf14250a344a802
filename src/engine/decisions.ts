import { Approvals, type DecisionKind } from './approval.js';
import type { EngineContext } from './context.js';
import { cardRedrawEffect, homePublishEffect, requesterNoteEffect, workflowEndEffect } from './effects.js';
import type { Actor, RevocationRequest, ThreadRef } from './types.js';

export type DecisionResult =
  | { ok: true; request: RevocationRequest }
  | { ok: false; reason: string; request?: RevocationRequest | undefined };

/**
 * Approve, deny, break-glass, expire and withdraw: each is checked by policy, then a
 * compare-and-set on `pending_approval` written with its audit record in one transaction, so two
 * clicks, two approvers or two replicas lead to one decision, always audited.
 */
export class Decisions {
  constructor(private readonly ctx: EngineContext) {}

  /** Approve, deny or break-glass a pending request. */
  async decide(requestId: string, actor: Actor, kind: DecisionKind, note?: string): Promise<DecisionResult> {
    const { store, approvals } = this.ctx.deps;
    const request = await store.getRequest(requestId);
    if (!request) return { ok: false, reason: 'No such request.' };
    if (!approvals) return { ok: false, reason: 'Approvals are not configured.', request };
    const who = `${actor.kind}:${actor.id}`;
    const check = await approvals.check(
      request,
      actor.id,
      kind,
      this.ctx.now(),
      note,
      Approvals.needsActorEmail(request) ? await this.actorEmail(actor.id) : undefined,
    );
    if (!check.allowed) {
      await this.ctx.audit(requestId, who, 'decision_refused', { kind, why: check.reason });
      return { ok: false, reason: check.reason, request };
    }
    const status = kind === 'deny' ? 'denied' : 'approved';
    // What the world is told of the decision, written with it (the run redraws an approved card).
    const effects =
      kind === 'deny'
        ? [
            cardRedrawEffect(requestId, 'denied'),
            ...requesterNoteEffect(request, 'denied'),
            ...workflowEndEffect(request),
            homePublishEffect(requestId, 'denied'),
          ]
        : [
            ...(kind === 'approve' ? requesterNoteEffect(request, 'approved') : []),
            homePublishEffect(requestId, 'approved'),
          ];
    const action = kind === 'break_glass' ? 'break_glass_approved' : kind === 'deny' ? 'denied' : 'approved';
    const trimmed = note?.trim();
    const changed = await store.updateRequest(
      requestId,
      {
        status,
        decidedBy: who,
        decidedAt: this.ctx.iso(),
        ...(trimmed ? { decisionNote: trimmed } : {}),
        ...(kind === 'break_glass' ? { breakGlass: true } : {}),
      },
      this.ctx.iso(),
      ['pending_approval'],
      { requestId, actor: who, action, ...(trimmed ? { data: { note: trimmed } } : {}) },
      effects,
    );
    if (changed && effects.length > 0) this.ctx.effectsWritten();
    const latest = await store.getRequest(requestId);
    if (!changed) {
      return {
        ok: false,
        reason: `Someone else decided first: the request is ${latest?.status.replace('_', ' ')}.`,
        request: latest,
      };
    }
    return { ok: true, request: latest as RevocationRequest };
  }

  /** The actor's Slack profile email (folded), '' when they have none, null when it could not be read. */
  private async actorEmail(actorId: string): Promise<string | null> {
    const { directory } = this.ctx.deps;
    if (!directory) return null;
    try {
      return (await directory.getUser(actorId))?.email ?? '';
    } catch {
      return null;
    }
  }

  /**
   * Closes a pending request that can never be decided (its approval card could not be posted):
   * to `expired` with the reason, audited as `request_withdrawn`, the requester told and a waiting
   * workflow step failed (outbox effects of the same write). False when someone decided first.
   */
  async withdraw(requestId: string, note: string): Promise<boolean> {
    const request = await this.ctx.store.getRequest(requestId);
    if (!request) return false;
    const changed = await this.ctx.store.updateRequest(
      requestId,
      { status: 'expired', decidedBy: 'system', decidedAt: this.ctx.iso(), decisionNote: note },
      this.ctx.iso(),
      ['pending_approval'],
      { requestId, actor: 'system', action: 'request_withdrawn', data: { note } },
      [
        ...requesterNoteEffect(request, 'withdrawn'),
        ...workflowEndEffect(request),
        homePublishEffect(requestId, 'withdrawn'),
      ],
    );
    if (changed) this.ctx.effectsWritten();
    return changed;
  }

  /**
   * Records where the approval card of a pending request was posted, and (an effect of the same
   * write) tells the requester where to find it. Posting it again later finds it recorded.
   */
  async cardPosted(requestId: string, card: ThreadRef): Promise<void> {
    const request = await this.ctx.store.getRequest(requestId);
    if (!request) return;
    await this.ctx.store.updateRequest(
      requestId,
      { approvalCard: card },
      this.ctx.iso(),
      undefined,
      undefined,
      request.status === 'pending_approval' ? requesterNoteEffect(request, 'needs_approval') : [],
    );
    this.ctx.effectsWritten();
  }

  /** Marks lapsed approval requests expired and returns them. */
  async expireDue(limit = 50): Promise<RevocationRequest[]> {
    const { store } = this.ctx;
    const expired: RevocationRequest[] = [];
    for (const id of await store.listExpiredApprovals(this.ctx.iso(), limit)) {
      const before = await store.getRequest(id);
      if (!before) continue;
      const changed = await store.updateRequest(
        id,
        { status: 'expired', decidedBy: 'system', decidedAt: this.ctx.iso() },
        this.ctx.iso(),
        ['pending_approval'],
        { requestId: id, actor: 'system', action: 'expired' },
        [
          cardRedrawEffect(id, 'expired'),
          ...requesterNoteEffect(before, 'expired'),
          ...workflowEndEffect(before),
          homePublishEffect(id, 'expired'),
        ],
      );
      if (!changed) continue;
      this.ctx.effectsWritten();
      const r = await store.getRequest(id);
      if (r) expired.push(r);
    }
    return expired;
  }
}
