import { randomUUID } from 'node:crypto';
import type { SystemId } from '../config.js';
import { asRevokeError } from '../errors.js';
import { type Logger, logFields } from '../log.js';
import type {
  Account,
  Person,
  ProviderMap,
  RevokeOutcome,
  Session,
  SessionProvider,
} from '../providers/types.js';
import type { CreateOptions, NewAuditRecord, Store } from '../store/types.js';
import { newRequestId } from '../util/ids.js';
import { mapLimit } from '../util/limit.js';
import type { Approvals, DecisionKind } from './approval.js';
import type { RunObserver } from './observer.js';
import { countsOnly, previewPerson, type SystemPreview } from './plan.js';
import { type BulkPhase, runProviderStep } from './step.js';
import { finalStatus, summarize } from './summary.js';
import {
  type Actor,
  allTargets,
  FINAL_STEP_STATES,
  type NewRequest,
  type RevocationRequest,
  type RevocationStep,
} from './types.js';

export interface EngineDeps {
  store: Store;
  providers: ProviderMap;
  logger: Logger;
  approvals?: Approvals | undefined;
  observer?: RunObserver | undefined;
  now?: () => Date;
  newId?: () => string;
  sleep?: (ms: number) => Promise<void>;
  /** Pause before listing a second time when sessions are still listed right after revoking. */
  verifyRecheckMs?: number;
  /** This process's identity for leases (default: a random UUID). */
  runnerId?: string;
  /** How long a claim lasts without a heartbeat; a dead runner's work is taken over after it. */
  leaseMs?: number;
  /** Steps of one system run at most this many at a time (bulk requests; vendors rate-limit). */
  perSystemConcurrency?: number;
}

export type DecisionResult =
  | { ok: true; request: RevocationRequest }
  | { ok: false; reason: string; request?: RevocationRequest | undefined };

/**
 * The domain engine: records requests, takes approval decisions with
 * compare-and-set, and runs each system as an independent step (in parallel;
 * one failing never stops another) under a renewed lease, writing progress to
 * the store before and after every external call. A finished step is never
 * repeated; an interrupted one is re-checked before it is retried.
 * Imports nothing from Slack's transport.
 */
export class RevocationEngine {
  readonly runnerId: string;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly leaseMs: number;
  private readonly perSystemConcurrency: number;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? (() => newRequestId(this.now().getTime()));
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.runnerId = deps.runnerId ?? randomUUID();
    this.leaseMs = deps.leaseMs ?? 30_000;
    this.perSystemConcurrency = deps.perSystemConcurrency ?? 4;
  }

  get providers(): ProviderMap {
    return this.deps.providers;
  }

  get store(): Store {
    return this.deps.store;
  }

  private iso(offsetMs = 0): string {
    return new Date(this.now().getTime() + offsetMs).toISOString();
  }

  private audit(
    requestId: string | undefined,
    actor: string,
    action: string,
    data?: Record<string, unknown>,
  ) {
    return this.deps.store.appendAudit({ requestId, actor, action, data }, this.iso());
  }

  /** Records a new request (approved, or pending approval until `ttlMs` from now) and audits it. */
  async submit(
    input: NewRequest,
    options: {
      needsApproval: boolean;
      approvalReason?: string | undefined;
      ttlMs?: number | undefined;
      /** Further records written in the same transaction, after `request_created` (e.g. `approval_bypassed`). */
      alsoAudit?: { action: string; data?: Record<string, unknown> }[] | undefined;
    } & Omit<CreateOptions, 'expiresAt' | 'audit'>,
  ): Promise<{ request: RevocationRequest; created: boolean }> {
    const unknown = input.systems.filter((s) => !this.deps.providers.has(s));
    if (unknown.length > 0) throw new Error(`Systems not configured: ${unknown.join(', ')}`);
    const actor = `${input.requester.kind}:${input.requester.id}`;
    // Policy is checked here too, whatever the surface decided: an entry point can add an approval
    // but never drop one the policy requires. (The CLI is break-glass: it bypasses, on record.)
    const { approvals } = this.deps;
    const targets = allTargets(input);
    const policyWhy =
      approvals && input.source !== 'cli'
        ? await approvals.approvalReason(input.source, ...targets)
        : undefined;
    if (policyWhy && !options.needsApproval) {
      this.deps.logger.warn(
        `a ${input.source} request was submitted without the approval the policy requires`,
      );
    }
    const needsApproval = options.needsApproval || policyWhy !== undefined;
    const approvalReason = needsApproval ? (options.approvalReason ?? policyWhy) : undefined;
    const protectedTarget = approvals ? await approvals.isProtected(...targets) : false;
    const status = needsApproval ? 'pending_approval' : 'approved';
    const expiresAt = needsApproval ? this.iso(options.ttlMs ?? 3_600_000) : undefined;
    const plan = {
      ...input.plan,
      ...(approvalReason ? { approvalReason } : {}),
      ...(protectedTarget ? { protectedTarget } : {}),
    };
    const record: NewRequest = { ...input, plan: Object.keys(plan).length > 0 ? plan : undefined };
    // The request and its `request_created` record are one write: a crash cannot keep one without the other.
    const result = await this.deps.store.createRequest(this.newId(), record, status, this.iso(), {
      expiresAt,
      idempotencyKey: options.idempotencyKey,
      workflow: options.workflow,
      audit: [
        {
          actor,
          action: 'request_created',
          data: {
            source: input.source,
            target: input.target,
            systems: input.systems,
            slackScope: input.slackScope,
            selection: input.selection ?? null,
            chosenSessions: input.plan?.chosenSessions ?? null,
            reason: input.reason,
            status,
            approvalReason: approvalReason ?? null,
            protectedTarget,
            expiresAt: expiresAt ?? null,
          },
        },
        ...(options.alsoAudit ?? []).map((a) => ({ actor, action: a.action, data: a.data })),
      ],
    });
    if (!result.created) return result;
    this.deps.logger.info(
      `request ${result.request.id} recorded (${status}) by ${input.requester.kind}:${input.requester.id}`,
      logFields({ request_id: result.request.id, actor: `${input.requester.kind}:${input.requester.id}` }),
    );
    return result;
  }

  /**
   * What each system reports for the person, for `viewer` to look at before asking: the look is
   * audited (`sessions_previewed`) before anything is shown, and a protected person's session
   * details reach approvers only (others see how many sessions there are).
   */
  async preview(viewer: Actor, person: Person, systems: SystemId[]): Promise<SystemPreview[]> {
    const full = this.deps.approvals
      ? await this.deps.approvals.maySeeSessionDetails(viewer.id, person)
      : true;
    const previews = await previewPerson(this.deps.providers, systems, person);
    await this.audit(undefined, `${viewer.kind}:${viewer.id}`, 'sessions_previewed', {
      target: { slackUserId: person.slackUserId ?? null, email: person.email ?? null },
      systems: previews.map((p) => ({ system: p.system, sessions: p.sessions?.length ?? null })),
      detail: full ? 'full' : 'counts',
    });
    return full ? previews : previews.map(countsOnly);
  }

  /** Approve, deny or break-glass a pending request: checked by policy, then compare-and-set, then audited. */
  async decide(requestId: string, actor: Actor, kind: DecisionKind, note?: string): Promise<DecisionResult> {
    const request = await this.deps.store.getRequest(requestId);
    if (!request) return { ok: false, reason: 'No such request.' };
    if (!this.deps.approvals) return { ok: false, reason: 'Approvals are not configured.', request };
    const check = await this.deps.approvals.check(request, actor.id, kind, this.now(), note);
    if (!check.allowed) {
      await this.audit(requestId, `${actor.kind}:${actor.id}`, 'decision_refused', {
        kind,
        why: check.reason,
      });
      return { ok: false, reason: check.reason, request };
    }
    const status = kind === 'deny' ? 'denied' : 'approved';
    const action = kind === 'break_glass' ? 'break_glass_approved' : kind === 'deny' ? 'denied' : 'approved';
    // Compare-and-set and its audit record in one transaction: the winner's decision is always audited.
    const changed = await this.deps.store.updateRequest(
      requestId,
      {
        status,
        decidedBy: `${actor.kind}:${actor.id}`,
        decidedAt: this.iso(),
        ...(note?.trim() ? { decisionNote: note.trim() } : {}),
        ...(kind === 'break_glass' ? { breakGlass: true } : {}),
      },
      this.iso(),
      ['pending_approval'],
      {
        requestId,
        actor: `${actor.kind}:${actor.id}`,
        action,
        ...(note?.trim() ? { data: { note: note.trim() } } : {}),
      },
    );
    const latest = await this.deps.store.getRequest(requestId);
    if (!changed) {
      return {
        ok: false,
        reason: `Someone else decided first: the request is ${latest?.status.replace('_', ' ')}.`,
        request: latest,
      };
    }
    return { ok: true, request: latest as RevocationRequest };
  }

  /**
   * Closes a pending request that can never be decided (its approval card could not be posted):
   * compare-and-set to `expired` with the reason, audited as `request_withdrawn`. Returns whether
   * it changed (false when someone decided first).
   */
  async withdraw(requestId: string, note: string): Promise<boolean> {
    return this.deps.store.updateRequest(
      requestId,
      { status: 'expired', decidedBy: 'system', decidedAt: this.iso(), decisionNote: note },
      this.iso(),
      ['pending_approval'],
      { requestId, actor: 'system', action: 'request_withdrawn', data: { note } },
    );
  }

  /** Marks lapsed approval requests expired (compare-and-set) and returns them. */
  async expireDue(limit = 50): Promise<RevocationRequest[]> {
    const expired: RevocationRequest[] = [];
    for (const id of await this.deps.store.listExpiredApprovals(this.iso(), limit)) {
      const changed = await this.deps.store.updateRequest(
        id,
        { status: 'expired', decidedBy: 'system', decidedAt: this.iso() },
        this.iso(),
        ['pending_approval'],
        { requestId: id, actor: 'system', action: 'expired' },
      );
      if (!changed) continue;
      const r = await this.deps.store.getRequest(id);
      if (r) expired.push(r);
    }
    return expired;
  }

  /** Runs every request that is approved or whose runner died (lease expired). */
  async resumeRunnable(
    observerFor: (r: RevocationRequest) => RunObserver | undefined,
    limit = 20,
  ): Promise<number> {
    let ran = 0;
    for (const id of await this.deps.store.listRunnable(this.iso(), limit)) {
      const request = await this.deps.store.getRequest(id);
      if (!request) continue;
      if (await this.run(id, observerFor(request))) ran++;
    }
    return ran;
  }

  /**
   * Claims and runs one request to a final state. Returns the final request, or
   * undefined when another runner holds it (compare-and-set on the lease).
   */
  async run(
    requestId: string,
    observer: RunObserver | undefined = this.deps.observer,
  ): Promise<RevocationRequest | undefined> {
    const { store } = this.deps;
    const owner = this.runnerId;
    // The claim and its run_started / run_resumed record are one write. A request still `running`
    // when claimed was left by a runner that died (its lease expired): that run is resumed.
    const claimed = await store.claim(requestId, owner, this.iso(this.leaseMs), this.iso(), (previous) => ({
      requestId,
      actor: 'engine',
      action: previous === 'running' ? 'run_resumed' : 'run_started',
      data: { runner: owner },
    }));
    if (!claimed) return undefined;
    let leaseLost = false;
    const heartbeat = setInterval(
      () => {
        store.renewLease(requestId, owner, this.iso(this.leaseMs), this.iso()).then(
          (ok) => {
            if (!ok) leaseLost = true;
          },
          (e: unknown) => this.deps.logger.warn('lease renewal failed:', asRevokeError(e).message),
        );
      },
      Math.max(1_000, Math.floor(this.leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      const steps = await store.listSteps(requestId);
      let request = await this.mustGet(requestId);
      await this.notify(() => observer?.requestStarted(request, steps));
      request = await this.mustGet(requestId);

      const current = new Map(steps.map((s) => [s.key, s]));
      const people = allTargets(request);
      const bySystem = new Map<SystemId, RevocationStep[]>();
      for (const step of steps) bySystem.set(step.system, [...(bySystem.get(step.system) ?? []), step]);
      await Promise.all(
        [...bySystem.entries()].map(async ([system, systemSteps]) => {
          const provider = this.deps.providers.get(system);
          const bulk =
            provider && people.length > 1
              ? await this.bulkPhase(request, provider, systemSteps, people)
              : undefined;
          await mapLimit(systemSteps, this.perSystemConcurrency, async (step) => {
            const done = await this.runStep(
              request,
              step,
              people[step.targetIndex] ?? request.target,
              bulk?.get(step.key),
            );
            current.set(done.key, done);
            if (!done.notifiedAt && observer) {
              const ok = await this.notify(() => observer.stepFinished(request, done, [...current.values()]));
              if (ok) {
                const notifiedAt = this.iso();
                await store.updateStep(requestId, done.key, { notifiedAt });
                current.set(done.key, { ...done, notifiedAt });
              }
            }
          });
        }),
      );
      if (leaseLost) {
        this.deps.logger.warn(
          `request ${requestId}: lease lost while running; another runner will finish it`,
        );
        return undefined;
      }
      const finished = [...current.values()];
      const status = finalStatus(finished);
      const summary = summarize(finished);
      // Show the outcome before recording it: a crash in between re-runs nothing (every step is final)
      // and shows it again, whereas the other order could leave a stale "in progress" message forever.
      const final: RevocationRequest = { ...(await this.mustGet(requestId)), status, summary };
      await this.notify(() => observer?.requestFinished(final, finished));
      await store.updateRequest(requestId, { status, summary }, this.iso(), ['running'], {
        requestId,
        actor: 'engine',
        action: 'run_finished',
        data: { status, summary },
      });
      this.deps.logger.info(
        `request ${requestId} finished: ${status} (${summary})`,
        logFields({ request_id: requestId }),
      );
      return this.mustGet(requestId);
    } finally {
      clearInterval(heartbeat);
      await store.releaseLease(requestId, owner).catch(() => {});
    }
  }

  private async mustGet(id: string): Promise<RevocationRequest> {
    const r = await this.deps.store.getRequest(id);
    if (!r) throw new Error(`request ${id} vanished from the store`);
    return r;
  }

  /** Runs an observer call; display problems never stop a revocation. */
  private async notify(fn: () => Promise<void> | undefined): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (error) {
      this.deps.logger.warn('progress display failed:', asRevokeError(error).message);
      return false;
    }
  }

  /**
   * For a bulk request on a system with a bulk API (Slack resetBulk): find
   * everyone, record their steps as running, then make one chunked bulk call.
   * Each step then verifies its own person. Steps already started before a
   * crash are left to the one-by-one path, which re-checks them first.
   */
  private async bulkPhase(
    request: RevocationRequest,
    provider: SessionProvider,
    steps: RevocationStep[],
    people: Person[],
  ): Promise<Map<string, BulkPhase> | undefined> {
    const pending = steps.filter((s) => s.state === 'pending');
    if (!provider.revokeAllBulk || request.selection?.[provider.id] || pending.length < 2) return undefined;
    const phases = new Map<string, BulkPhase>();
    const found: { step: RevocationStep; account: Account }[] = [];
    await mapLimit(pending, this.perSystemConcurrency, async (step) => {
      try {
        const lookup = await provider.findAccount(people[step.targetIndex] ?? request.target);
        phases.set(step.key, { lookup });
        if (lookup.status === 'found') found.push({ step, account: lookup.account });
      } catch (error) {
        phases.set(step.key, { lookup: { status: 'not_found', detail: 'lookup failed' }, error });
      }
    });
    const startedAt = this.iso();
    // Every step marked running and the bulk_started record: one write, before the bulk call.
    await this.deps.store.updateSteps(
      request.id,
      found.map(({ step }) => ({
        key: step.key,
        patch: { state: 'running', attempts: step.attempts + 1, startedAt },
      })),
      {
        requestId: request.id,
        actor: 'engine',
        action: 'bulk_started',
        data: { system: provider.id, people: found.length },
      },
      startedAt,
    );
    for (const { step } of found) step.attempts += 1;
    let outcomes: Map<string, RevokeOutcome | Error>;
    try {
      outcomes =
        found.length > 0
          ? await provider.revokeAllBulk(
              found.map((f) => f.account),
              { scope: request.slackScope },
            )
          : new Map();
    } catch (error) {
      outcomes = new Map(
        found.map((f) => [f.account.id, error instanceof Error ? error : new Error(String(error))]),
      );
    }
    // Verification of the whole bulk in one walk of the vendor's listing where it can (Slack:
    // a few pages of the organisation's sessions instead of a Tier-2 call per person).
    let listed: Map<string, Session[]> | undefined;
    const revoked = found.filter((f) => !(outcomes.get(f.account.id) instanceof Error));
    if (provider.listSessionsBulk && revoked.length >= 2) {
      listed = await provider.listSessionsBulk(revoked.map((f) => f.account)).catch((e: unknown) => {
        this.deps.logger.warn(`${provider.id}: bulk verification listing failed:`, asRevokeError(e).message);
        return undefined;
      });
    }
    for (const [key, phase] of phases)
      phases.set(key, { ...phase, started: found.some((f) => f.step.key === key) ? startedAt : undefined });
    for (const { step, account } of found) {
      const result = outcomes.get(account.id) ?? new Error('the bulk call returned nothing for this person');
      const phase = phases.get(step.key);
      if (phase)
        phases.set(step.key, {
          ...phase,
          ...(result instanceof Error ? { error: result } : { outcome: result }),
          ...(listed?.has(account.id) ? { listed: listed.get(account.id) } : {}),
        });
    }
    return phases;
  }

  /** Runs one system's step; a step already in a final state is returned as is (never repeated). */
  private async runStep(
    request: RevocationRequest,
    step: RevocationStep,
    person: Person,
    bulk?: BulkPhase,
  ): Promise<RevocationStep> {
    if (FINAL_STEP_STATES.includes(step.state)) return step;
    const { store } = this.deps;
    const system = step.system;
    const provider = this.deps.providers.get(system);
    // A bulk phase already recorded this attempt as running before its external call.
    const interrupted = step.state === 'running' && !bulk?.started;
    const attempts = bulk?.started ? step.attempts : step.attempts + 1;
    const startedAt = bulk?.started ?? this.iso();
    if (!bulk?.started) {
      // The step's start and its step_started record are one write.
      await store.updateSteps(
        request.id,
        [{ key: step.key, patch: { state: 'running', attempts, startedAt } }],
        {
          requestId: request.id,
          actor: 'engine',
          action: 'step_started',
          data: { system, person: step.targetIndex, attempts, interrupted },
        },
        startedAt,
      );
    }
    const outcome = provider
      ? await runProviderStep(
          {
            logger: this.deps.logger,
            sleep: this.sleep,
            verifyRecheckMs: this.deps.verifyRecheckMs ?? 2_000,
          },
          provider,
          request,
          person,
          interrupted,
          bulk,
        )
      : {
          state: 'failed' as const,
          result: {
            error: { code: 'not_configured', message: `${system} is no longer configured on this server.` },
          },
          account: undefined,
        };
    const finishedAt = this.iso();
    const { state, result, account } = outcome;
    // The outcome and its audit record are written together: a crash cannot leave a finished step unaudited.
    const records: NewAuditRecord[] = [];
    if (result.refusedSessions?.length) {
      // Chosen sessions this account does not own (now): refused, and the attempt is on record.
      records.push({
        requestId: request.id,
        actor: 'engine',
        action: 'session_not_owned',
        data: {
          system,
          person: step.targetIndex,
          account: account ? { id: account.id, login: account.login } : null,
          sessionIds: result.refusedSessions,
          requestedBy: `${request.requester.kind}:${request.requester.id}`,
        },
      });
    }
    records.push({
      requestId: request.id,
      actor: 'engine',
      action: 'step_finished',
      data: {
        system,
        person: step.targetIndex,
        state,
        account: account ? { id: account.id, login: account.login } : null,
        result,
      },
    });
    await store.finishStep(
      request.id,
      step.key,
      { state, result, finishedAt, ...(account ? { account } : {}) },
      records,
      finishedAt,
    );
    this.deps.logger.info(
      `request ${request.id}: ${step.key} ${state}${result.error ? ` — ${result.error.code}: ${result.error.message}` : ''}`,
      logFields({ request_id: request.id, system: step.system }),
    );
    return { ...step, state, attempts, result, account, startedAt, finishedAt };
  }
}
