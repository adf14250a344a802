import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { SystemId } from '../catalog.js';
import { asRevokeError } from '../errors.js';
import { logFields } from '../log.js';
import type { DirectoryUser } from '../providers/types.js';
import { mapLimit } from '../util/limit.js';
import { ActiveRuns, type RunControl } from './active-runs.js';
import { bulkPhase } from './bulk.js';
import type { EngineContext } from './context.js';
import { runFinishedEffects, threadParentEffect } from './effects.js';
import { followUpEffects } from './follow-up/schedule.js';
import { laneOfRequest } from './lane.js';
import { FencedWrites, fencedObserver, Lease, LeaseLost } from './lease.js';
import { LiveSteps, type RunObserver } from './observer.js';
import { sessionRevokedEffects } from './signal-effects.js';
import { runStep } from './step-record.js';
import { finalStatus, summarize } from './summary.js';
import { BulkThreadEffects } from './thread-effects.js';
import { allTargets, type RevocationRequest, type RevocationStep } from './types.js';

/**
 * Runs requests: claims one with a renewed lease (compare-and-set, so one runner at a time and a
 * dead runner's work is taken over), runs each system as an independent step (in parallel; one
 * failing never stops another; a bulk request's people at most `perSystemConcurrency` at a time per
 * system), and records the outcome. What the world is told (the results thread, a workflow step's
 * end) is written to the outbox with the writes that cause it, never shown from here; a run's own
 * observer (the CLI's progress, metrics) only watches.
 *
 * Leases are fenced: each claim takes a new fencing token and every write of the run is
 * conditional on it (see `FencingToken`), and the lease is checked before every vendor call and
 * every write — by the fence, and by its deadline on the local monotonic clock. A runner that
 * lost its lease (paused past it, or another replica's clock ahead) stops at once: no further
 * vendor call or write; the runner that claimed the request finishes it.
 */
export class Runner {
  readonly runnerId: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  /** The local monotonic clock (ms) that lease deadlines are kept on. */
  private readonly clock: () => number;
  /** The fresh lookups of the requests this runner is running now. */
  private readonly lookups = new Map<string, (DirectoryUser | undefined)[]>();
  /** The runs in progress: how the process stops taking runs and hands them over (drain, Ctrl-C). */
  private readonly active: ActiveRuns;

  constructor(private readonly ctx: EngineContext) {
    const { deps } = ctx;
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.runnerId = deps.runnerId ?? randomUUID();
    this.leaseMs = deps.leaseMs ?? 30_000;
    this.concurrency = deps.perSystemConcurrency ?? 4;
    this.clock = deps.monotonicNow ?? (() => performance.now());
    this.active = new ActiveRuns((lease) =>
      ctx.store.releaseLease(lease.requestId, lease.owner, lease.fence),
    );
  }

  /** Stops taking runs, stops the runs in progress, hands them over (see {@link RunControl}). */
  get runs(): RunControl {
    return this.active;
  }

  /**
   * Claims and runs one request to a final state. Returns the final request, or undefined when
   * another runner holds it.
   */
  async run(
    requestId: string,
    observer: RunObserver | undefined = this.ctx.deps.observer,
  ): Promise<RevocationRequest | undefined> {
    // A stopping runner claims nothing more: the request is left for the next runner.
    if (this.active.closed) return undefined;
    const owner = this.runnerId;
    const claimedAt = this.clock();
    // The claim and its run_started / run_resumed record are one write. A request still `running`
    // when claimed was left by a runner that died (its lease expired): that run is resumed.
    const fence = await this.ctx.store.claim(
      requestId,
      owner,
      this.ctx.iso(this.leaseMs),
      this.ctx.iso(),
      (previous, token) => ({
        requestId,
        actor: 'engine',
        action: previous === 'running' ? 'run_resumed' : 'run_started',
        data: { runner: owner, fence: token },
      }),
      // The results thread's parent is the outbox's to show, once (a resumed run adds nothing).
      [threadParentEffect(requestId)],
    );
    if (fence === undefined) return undefined;
    this.ctx.effectsWritten();
    const lease = new Lease(requestId, owner, fence, this.leaseMs, this.clock, claimedAt);
    const ended = this.active.add(lease);
    // Every write of this run is fenced by its claim; nothing is shown once its lease is lost.
    const store = new FencedWrites(this.ctx.store, lease);
    if (observer) observer = fencedObserver(observer, lease);
    const heartbeat = setInterval(
      () => {
        const sentAt = this.clock();
        this.ctx.store.renewLease(requestId, owner, this.ctx.iso(this.leaseMs), this.ctx.iso(), fence).then(
          (ok) => (ok ? lease.renewed(sentAt) : lease.lose('another runner took the request')),
          (e: unknown) => this.ctx.logger.warn('lease renewal failed:', asRevokeError(e).message),
        );
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    heartbeat.unref();
    // Work started inside the run (a timer, a worker kicked from it) inherits its guard: once the
    // run is over the guard lets it be.
    let running = true;
    // Lookups made when the request was recorded, moments ago with no approval wait, are reused.
    const fresh = this.ctx.takeFreshLookups(requestId);
    if (fresh) this.lookups.set(requestId, fresh);
    let bulkThread: BulkThreadEffects | undefined;
    try {
      const request = await this.mustGet(requestId);
      if (request.additionalTargets?.length) bulkThread = new BulkThreadEffects(this.ctx, store, requestId);
      const steps = await store.listSteps(requestId);
      await this.notify(() => observer?.requestStarted(request, steps));
      // One live view of the steps for the whole run, updated in place as each finishes and handed
      // to every display call: no copy per step, so a display's work per step stays constant.
      const current = new LiveSteps(steps);
      // Displays run beside the next vendor calls, never in front of them. (The results thread is
      // not one of them: its effects are written with the run's own writes.)
      const displays: Promise<unknown>[] = [];
      // Every vendor call of the run is in its lane: a bulk leaves urgent requests their share.
      // And every attempt of every vendor call first checks the lease, and the claim's token.
      await this.ctx.inLane(laneOfRequest(request), () =>
        this.ctx.guarded(
          () => (running ? store.confirm() : undefined),
          () =>
            this.fanOut(store, request, steps, async (done) => {
              current.set(done);
              // Told first, while the view shows exactly this step more (see RunObserver.stepFinished).
              if (observer) displays.push(this.notify(() => observer.stepFinished(request, done, current)));
              await bulkThread?.stepFinished(done, current);
            }),
        ),
      );
      await Promise.all(displays);
      bulkThread?.stop();
      return await this.finish(store, request, current.list(), observer);
    } catch (error) {
      if (!(error instanceof LeaseLost)) throw error;
      this.ctx.logger.warn(
        `${error.message}; stopped without another vendor call or write — the runner that claims it finishes it`,
        logFields({ request_id: requestId }),
      );
      return undefined;
    } finally {
      bulkThread?.stop();
      running = false;
      this.lookups.delete(requestId);
      clearInterval(heartbeat);
      await this.ctx.store.releaseLease(requestId, owner, fence).catch(() => {});
      ended();
    }
  }

  /**
   * The identity providers first (in parallel), then every downstream system (in parallel): a
   * person signed out at single sign-on cannot sign in again to the others while they are revoked.
   * Within one system, the bulk phase first, then each person's step.
   */
  private async fanOut(
    store: FencedWrites,
    request: RevocationRequest,
    steps: RevocationStep[],
    onDone: (step: RevocationStep) => Promise<void>,
  ): Promise<void> {
    const bySystem = new Map<SystemId, RevocationStep[]>();
    for (const step of steps) {
      const mine = bySystem.get(step.system);
      if (mine) mine.push(step);
      else bySystem.set(step.system, [step]);
    }
    const isIdp = (system: SystemId) =>
      this.ctx.providers.get(system)?.capabilities.identityProvider === true;
    const systems = [...bySystem.entries()];
    await this.runSystems(
      store,
      request,
      systems.filter(([s]) => isIdp(s)),
      onDone,
    );
    await this.runSystems(
      store,
      request,
      systems.filter(([s]) => !isIdp(s)),
      onDone,
    );
  }

  /**
   * Runs these systems' steps side by side. When one throws (a lost lease), the others stop at
   * their next check, and this rejects once none is still in a vendor call.
   */
  private async runSystems(
    store: FencedWrites,
    request: RevocationRequest,
    systems: [SystemId, RevocationStep[]][],
    onDone: (step: RevocationStep) => Promise<void>,
  ): Promise<void> {
    const fresh = this.lookups.get(request.id);
    const people = allTargets(request).map((p, i) => (fresh?.[i] ? { ...p, directoryUser: fresh[i] } : p));
    const settled = await Promise.allSettled(
      systems.map(async ([system, systemSteps]) => {
        const provider = this.ctx.providers.get(system);
        const bulk =
          provider && people.length > 1
            ? await bulkPhase(this.ctx, store, this.concurrency, request, provider, systemSteps, people)
            : undefined;
        await mapLimit(systemSteps, this.concurrency, async (step) => {
          const person = people[step.targetIndex] ?? request.target;
          await onDone(
            await runStep(this.ctx, store, this.sleep, request, step, person, bulk?.get(step.key)),
          );
        });
      }),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Records the outcome with run_finished (one write, fenced: a runner that lost its lease finishes
   * nothing), and with it what the world is told of it: the results thread's final state (every
   * reply, then the redraw) and a waiting workflow step's end, as outbox effects.
   */
  private async finish(
    store: FencedWrites,
    request: RevocationRequest,
    finished: RevocationStep[],
    observer: RunObserver | undefined,
  ): Promise<RevocationRequest> {
    const status = finalStatus(finished);
    const summary = summarize(finished);
    await store.updateRequest(
      request.id,
      { status, summary },
      this.ctx.iso(),
      ['running'],
      { requestId: request.id, actor: 'engine', action: 'run_finished', data: { status, summary } },
      [
        ...runFinishedEffects(request, finished),
        ...followUpEffects(this.ctx, request, finished),
        ...sessionRevokedEffects(this.ctx, request.id, finished),
      ],
    );
    this.ctx.effectsWritten();
    this.ctx.logger.info(
      `request ${request.id} finished: ${status} (${summary})`,
      logFields({ request_id: request.id }),
    );
    const final = await this.mustGet(request.id);
    await this.notify(() => observer?.requestFinished(final, finished));
    return final;
  }

  private async mustGet(id: string): Promise<RevocationRequest> {
    const r = await this.ctx.store.getRequest(id);
    if (!r) throw new Error(`request ${id} vanished from the store`);
    return r;
  }

  /** Runs an observer call; display problems never stop a revocation (a lost lease shows nothing). */
  private async notify(fn: () => Promise<unknown> | undefined): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (error) {
      if (error instanceof LeaseLost) this.ctx.logger.info(`${error.message}: not shown`);
      else this.ctx.logger.warn('progress display failed:', asRevokeError(error).message);
      return false;
    }
  }
}
