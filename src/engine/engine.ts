import type { JWK } from 'jose';
import type { SystemId } from '../catalog.js';
import type { Person } from '../providers/types.js';
import type { RunControl } from './active-runs.js';
import type { DecisionKind } from './approval.js';
import { EngineContext, type EngineDeps } from './context.js';
import { type DecisionResult, Decisions } from './decisions.js';
import type { EvidenceExport } from './evidence-port.js';
import { recentRevocation } from './follow-up/repeat.js';
import { revokeAgain } from './follow-up/revoke-again.js';
import { confirmSlackResets } from './follow-up/slack-confirm.js';
import { watchCheck } from './follow-up/watch.js';
import { type HomeReads, homeReads } from './home.js';
import { IntakeJournal, type JournalEntry, type JournaledAsk } from './intake-journal.js';
import type { RunObserver } from './observer.js';
import type { SystemPreview } from './plan.js';
import { Records } from './records.js';
import { type Ask, type AskResult, Intake } from './request.js';
import { Runner } from './runner.js';
import {
  type Actor,
  allTargets,
  type RevocationRequest,
  type RevocationStep,
  type ThreadRef,
} from './types.js';

/** The key id in a compact JWS's protected header. */
function decodeKid(jws: string): string | null {
  try {
    const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
      kid?: unknown;
    };
    return typeof header.kid === 'string' ? header.kid : null;
  } catch {
    return null;
  }
}

export type { DecisionResult, EngineDeps, JournaledAsk, JournalEntry };

/**
 * The domain engine, one object over its parts: intake (the one use case every surface calls,
 * {@link RevocationEngine.ask}), decisions, the runner, and the records the surfaces read and
 * report facts to. It imports nothing from Slack's transport and hands out neither its store nor
 * its providers: it is the store's only writer, and the surfaces' only way to read it.
 */
export class RevocationEngine {
  private readonly intake: Intake;
  private readonly decisions: Decisions;
  private readonly runner: Runner;
  private readonly journal: IntakeJournal;
  private readonly records: Records;

  private readonly ctx: EngineContext;

  constructor(deps: EngineDeps) {
    const ctx = new EngineContext(deps);
    this.ctx = ctx;
    this.intake = new Intake(ctx);
    this.decisions = new Decisions(ctx);
    this.runner = new Runner(ctx);
    this.records = new Records(ctx);
    this.journal = new IntakeJournal(ctx, this.intake, this.runner.runnerId, deps.leaseMs ?? 30_000);
  }

  /** How this process stops taking runs and hands over the ones in progress (drain, Ctrl-C). */
  get runs(): RunControl {
    return this.runner.runs;
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

  /** Runs every request that is approved or whose runner died (lease expired), one after another. */
  async resumeRunnable(
    observerFor: (r: RevocationRequest) => RunObserver | undefined,
    limit = 20,
  ): Promise<number> {
    let ran = 0;
    for (const request of await this.records.runnable(limit))
      if (await this.runner.run(request.id, observerFor(request))) ran++;
    return ran;
  }

  /**
   * Journals a submission before its surface acknowledges it (see {@link IntakeJournal.receive}):
   * undefined when it is journaled already; rejects when it could not be journaled (the surface
   * then refuses it instead of acknowledging it).
   */
  receive(ask: JournaledAsk): Promise<JournalEntry | undefined> {
    return this.journal.receive(ask);
  }

  /**
   * {@link ask} for a journaled submission: the request completes its journal entry in the same
   * write, a refusal closes it. Undefined when another process took it over meanwhile.
   */
  recordJournaled(entry: JournalEntry): Promise<AskResult | undefined> {
    return this.journal.record(entry);
  }

  /** Housekeeping: the journaled submissions nobody recorded (their lease expired), taken over to record. */
  dueJournaled(limit?: number): Promise<JournalEntry[]> {
    return this.journal.due(limit);
  }

  /** A request as stored now (undefined when there is none). */
  request(id: string): Promise<RevocationRequest | undefined> {
    return this.records.request(id);
  }

  /** A request's steps as stored now, in plan order. */
  steps(requestId: string): Promise<RevocationStep[]> {
    return this.records.steps(requestId);
  }

  /** The newest requests naming a Slack user, newest first (`/revoke-sessions history`). */
  history(slackUserId: string, limit = 10): Promise<RevocationRequest[]> {
    return this.records.history(slackUserId, limit);
  }

  /** What a person's App Home shows (pending approvals only for an approver; own requests only for a requester). */
  home(slackUserId: string, options: { approver: boolean; requester: boolean }): Promise<HomeReads> {
    return homeReads(this.ctx, slackUserId, options);
  }

  /** Requests a runner may claim now (approved, or left by a runner whose lease expired). */
  runnable(limit = 20): Promise<RevocationRequest[]> {
    return this.records.runnable(limit);
  }

  /** Audits a surface's refusal of someone before anything was asked (e.g. not a requester). */
  refused(actor: Actor, why: string, via: string): Promise<void> {
    return this.records.refused(actor, why, via);
  }

  /** Audits an ask refused because its idempotency key is held by request `heldBy` for another ask. */
  idempotencyConflict(heldBy: string, actor: Actor, refused: Record<string, unknown>): Promise<void> {
    return this.records.idempotencyConflict(heldBy, actor, refused);
  }

  /** The workflow step token a journaled submission came with (see {@link Records.journaledStepToken}). */
  journaledStepToken(intakeKey: string): Promise<string | undefined> {
    return this.records.journaledStepToken(intakeKey);
  }

  /** Records where a request's results thread is (the outbox posted its parent, or its card became it). */
  threadPosted(requestId: string, thread: ThreadRef): Promise<void> {
    return this.records.threadPosted(requestId, thread);
  }

  /**
   * A finished request's signed evidence (see {@link EvidenceExporter}), exported for `actor`: a
   * Slack user must be a requester or approver who may see the people's session details; every
   * export is audited (`evidence_exported`).
   */
  async evidence(
    requestId: string,
    actor: Actor,
  ): Promise<EvidenceExport | { ok: false; code: 'not_allowed'; message: string }> {
    const exporter = this.ctx.deps.evidence;
    if (!exporter) return { ok: false, code: 'not_found', message: 'Evidence is not available here.' };
    const { approvals } = this.ctx.deps;
    if (actor.kind === 'slack' && approvals) {
      const request = await this.ctx.store.getRequest(requestId);
      if (request && !(await approvals.mayReadEvidence(actor.id, ...allTargets(request))))
        return {
          ok: false,
          code: 'not_allowed',
          message:
            'Only requesters and approvers who may see these people’s session details can take the evidence.',
        };
    }
    const result = await exporter.export(requestId);
    if (result.ok)
      await this.ctx.audit(requestId, `${actor.kind}:${actor.id}`, 'evidence_exported', {
        kid: decodeKid(result.file.signature),
        chainHead: result.file.evidence.audit.chainHead?.seq ?? null,
      });
    return result;
  }

  /** The public keys evidence is signed with (`/evidence/jwks.json`). */
  evidenceKeys(): Promise<{ keys: JWK[] }> {
    return this.ctx.deps.evidence?.keys() ?? Promise.resolve({ keys: [] });
  }

  /** The newest request that revoked this Slack user in the last 24 h, if any (the form's warning). */
  recentRevocation(slackUserId: string): Promise<{ requestId: string; at: string } | undefined> {
    return recentRevocation(this.ctx.store, { slackUserId }, this.ctx.now());
  }

  /** Revoke again after the watch found a new session (see {@link revokeAgain}). */
  revokeAgain(
    requestId: string,
    round: number,
    actor: Actor,
    origin: { channelId?: string | undefined },
  ): Promise<AskResult> {
    return revokeAgain(this.ctx, this.intake, requestId, round, actor, origin);
  }

  /** One look at Slack's audit log for a request's resets (the `slack_confirm` effect). */
  confirmSlackResets(requestId: string, round: number, until: string): Promise<void> {
    return confirmSlackResets(this.ctx, requestId, round, until);
  }

  /** One look of the watch for a return (the `watch_check` effect). */
  watchCheck(requestId: string, round: number, afterMs: number): Promise<void> {
    return watchCheck(this.ctx, requestId, round, afterMs);
  }

  /** Records (and audits) that a request's workflow step was ended; its token is forgotten. */
  workflowCompleted(requestId: string, functionExecutionId: string, outcome: string): Promise<boolean> {
    return this.records.workflowCompleted(requestId, functionExecutionId, outcome);
  }
}
