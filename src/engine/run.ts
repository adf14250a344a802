import type { SystemId } from '../config.js';
import { asRevokeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Account, ProviderMap, SessionProvider } from '../providers/types.js';
import type { Store } from '../store/types.js';
import { newRequestId } from '../util/ids.js';
import type { RunObserver } from './observer.js';
import { finalStatus, summarize } from './summary.js';
import {
  FINAL_STEP_STATES,
  type NewRequest,
  type RevocationRequest,
  type RevocationStep,
  type StepResult,
  type StepState,
} from './types.js';

export interface EngineDeps {
  store: Store;
  providers: ProviderMap;
  logger: Logger;
  observer?: RunObserver | undefined;
  now?: () => Date;
  newId?: () => string;
  sleep?: (ms: number) => Promise<void>;
  /** Pause before listing a second time when sessions are still listed right after revoking. */
  verifyRecheckMs?: number;
}

/**
 * The domain engine: records requests, then runs each system as an
 * independent step (in parallel; one failing never stops another), verifies by
 * listing again where the system can, and writes progress to the store before
 * and after every external call. Imports nothing from Slack's transport.
 */
export class RevocationEngine {
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? (() => newRequestId(this.now().getTime()));
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get providers(): ProviderMap {
    return this.deps.providers;
  }

  private iso(): string {
    return this.now().toISOString();
  }

  /** Records a new request (approved, or pending approval) and audits it. */
  async submit(input: NewRequest, options: { needsApproval: boolean }): Promise<RevocationRequest> {
    const unknown = input.systems.filter((s) => !this.deps.providers.has(s));
    if (unknown.length > 0) throw new Error(`Systems not configured: ${unknown.join(', ')}`);
    const status = options.needsApproval ? 'pending_approval' : 'approved';
    const request = await this.deps.store.createRequest(this.newId(), input, status, this.iso());
    await this.deps.store.appendAudit(
      {
        requestId: request.id,
        actor: `${input.requester.kind}:${input.requester.id}`,
        action: 'request_created',
        data: {
          source: input.source,
          target: input.target,
          systems: input.systems,
          slackScope: input.slackScope,
          selection: input.selection ?? null,
          reason: input.reason,
          status,
        },
      },
      this.iso(),
    );
    return request;
  }

  /**
   * Runs an approved request to a final state. Returns the final request, or
   * undefined when another runner already took it (compare-and-set).
   */
  async run(
    requestId: string,
    observer: RunObserver | undefined = this.deps.observer,
  ): Promise<RevocationRequest | undefined> {
    const { store } = this.deps;
    const claimed = await store.updateRequest(requestId, { status: 'running' }, this.iso(), ['approved']);
    if (!claimed) return undefined;
    await store.appendAudit({ requestId, actor: 'engine', action: 'run_started' }, this.iso());
    let request = await this.mustGet(requestId);
    const steps = await store.listSteps(requestId);
    await observer?.requestStarted(request, steps).catch((e) => this.warn(e));
    request = await this.mustGet(requestId);

    const current = new Map(steps.map((s) => [s.system, s]));
    await Promise.all(
      steps.map(async (step) => {
        const done = await this.runStep(request, step);
        current.set(done.system, done);
        await observer?.stepFinished(request, done, [...current.values()]).catch((e) => this.warn(e));
      }),
    );

    const finished = [...current.values()];
    const status = finalStatus(finished);
    const summary = summarize(finished);
    await store.updateRequest(requestId, { status, summary }, this.iso(), ['running']);
    await store.appendAudit(
      { requestId, actor: 'engine', action: 'run_finished', data: { status, summary } },
      this.iso(),
    );
    const final = await this.mustGet(requestId);
    await observer?.requestFinished(final, finished).catch((e) => this.warn(e));
    return final;
  }

  private async mustGet(id: string): Promise<RevocationRequest> {
    const r = await this.deps.store.getRequest(id);
    if (!r) throw new Error(`request ${id} vanished from the store`);
    return r;
  }

  private warn(error: unknown): void {
    this.deps.logger.warn('progress display failed:', asRevokeError(error).message);
  }

  /** Runs one system's step; a step already in a final state is returned as is (never repeated). */
  private async runStep(request: RevocationRequest, step: RevocationStep): Promise<RevocationStep> {
    if (FINAL_STEP_STATES.includes(step.state)) return step;
    const { store } = this.deps;
    const system = step.system;
    const provider = this.deps.providers.get(system);
    const attempts = step.attempts + 1;
    const startedAt = this.iso();
    await store.updateStep(request.id, system, { state: 'running', attempts, startedAt });
    await store.appendAudit(
      { requestId: request.id, actor: 'engine', action: 'step_started', data: { system, attempts } },
      startedAt,
    );

    let state: StepState;
    let result: StepResult;
    let account: Account | undefined;
    if (!provider) {
      state = 'failed';
      result = {
        error: { code: 'not_configured', message: `${system} is no longer configured on this server.` },
      };
    } else {
      ({ state, result, account } = await this.revoke(provider, request));
    }
    const finishedAt = this.iso();
    await store.updateStep(request.id, system, {
      state,
      result,
      finishedAt,
      ...(account ? { account } : {}),
    });
    await store.appendAudit(
      {
        requestId: request.id,
        actor: 'engine',
        action: 'step_finished',
        data: { system, state, account: account ? { id: account.id, login: account.login } : null, result },
      },
      finishedAt,
    );
    return { ...step, state, attempts, result, account, startedAt, finishedAt };
  }

  private async revoke(
    provider: SessionProvider,
    request: RevocationRequest,
  ): Promise<{ state: StepState; result: StepResult; account?: Account }> {
    const system: SystemId = provider.id;
    let account: Account | undefined;
    try {
      const lookup = await provider.findAccount(request.target);
      if (lookup.status === 'not_found') return { state: 'no_account', result: { detail: lookup.detail } };
      if (lookup.status === 'ambiguous') return { state: 'ambiguous', result: { detail: lookup.detail } };
      if (lookup.status === 'not_allowed') return { state: 'not_allowed', result: { detail: lookup.detail } };
      account = lookup.account;
      const selection = request.selection?.[system];
      const outcome =
        selection && selection.length > 0
          ? await provider.revokeSessions(account, selection)
          : await provider.revokeAll(account, { scope: request.slackScope });
      const result: StepResult = {
        revokedCount: outcome.count,
        vendorRequestId: outcome.requestId,
        detail: outcome.detail,
      };
      if (outcome.state === 'queued') return { state: 'queued', result, account };
      if (!provider.capabilities.listSessions) return { state: 'revoked', result, account };
      const inScope =
        selection !== undefined ? true : request.slackScope === 'all' || !provider.capabilities.scopes;
      const remaining = await this.verify(provider, account, selection, inScope);
      if (remaining === undefined) {
        return {
          state: 'revoked',
          result: { ...result, detail: joinDetail(result.detail, 'could not list again to verify') },
          account,
        };
      }
      const verified = { ...result, remaining, remainingInScope: inScope };
      return { state: remaining > 0 && inScope ? 'partial' : 'revoked', result: verified, account };
    } catch (error) {
      const e = asRevokeError(error, system);
      return {
        state: 'failed',
        result: {
          error: {
            code: e.code,
            message: e.message,
            vendorCode: e.vendorCode,
            requestId: e.requestId,
            status: e.status,
            retryable: e.retryable,
          },
        },
        ...(account ? { account } : {}),
      };
    }
  }

  /** Lists again after revoking; in-scope sessions still listed are re-checked once after a short pause. */
  private async verify(
    provider: SessionProvider,
    account: Account,
    selection: string[] | undefined,
    recheck: boolean,
  ): Promise<number | undefined> {
    const count = async () => {
      const sessions = await provider.listSessions(account);
      return selection ? sessions.filter((s) => selection.includes(s.id)).length : sessions.length;
    };
    try {
      const first = await count();
      if (first === 0 || !recheck) return first;
      await this.sleep(this.deps.verifyRecheckMs ?? 2_000);
      return await count();
    } catch (error) {
      this.deps.logger.warn(`${provider.id}: verification listing failed:`, asRevokeError(error).message);
      return undefined;
    }
  }
}

function joinDetail(a: string | undefined, b: string): string {
  return a ? `${a}; ${b}` : b;
}
