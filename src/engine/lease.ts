import type { RunObserver } from './observer.js';
import type {
  AuditRecord,
  FencingToken,
  NewAuditRecord,
  NewEffect,
  RequestPatch,
  StepPatch,
  StepUpdate,
  Store,
} from './store-port/index.js';
import type { RequestStatus, RevocationRequest, RevocationStep } from './types.js';

/** Thrown where a run finds it lost its lease: the run stops at once and writes nothing more. */
export class LeaseLost extends Error {
  constructor(
    readonly requestId: string,
    readonly why: string,
  ) {
    super(`request ${requestId}: lease lost (${why})`);
    this.name = 'LeaseLost';
  }
}

/**
 * Thrown where a run finds it was told to stop (its process is stopping, or the CLI was
 * interrupted): the run stops before its next vendor call, step start or display, and releases its
 * lease; the runner that claims the request next resumes it. What a call already in flight answers
 * is still recorded (the lease is not lost).
 */
export class RunStopped extends LeaseLost {
  constructor(requestId: string, why: string) {
    super(requestId, why);
    this.message = `request ${requestId}: stopped (${why})`;
    this.name = 'RunStopped';
  }
}

/**
 * One claim of a request by this runner: the claim's fencing token, and the lease's deadline as
 * last renewed, by the local monotonic clock (a pause of the whole process — a GC pause, a stopped
 * or migrated VM — moves that clock on, and no wall-clock step or skew can move it back). Once
 * lost, a lease stays lost: the run stops, and the runner that claims the request next resumes it.
 */
export class Lease {
  private deadline: number;
  private lostWhy: string | undefined;
  private stopWhy: string | undefined;

  constructor(
    readonly requestId: string,
    readonly owner: string,
    readonly fence: FencingToken,
    private readonly ms: number,
    /** The local monotonic clock, in ms. */
    readonly clock: () => number,
    /** When the claim was sent, by `clock`: the store's lease runs from no earlier than that. */
    claimedAt: number,
  ) {
    this.deadline = claimedAt + ms;
  }

  /** Whether the run was told to stop ({@link stop}). */
  get stopped(): boolean {
    return this.stopWhy !== undefined;
  }

  /** Whether the lease is known lost (a refused write or renewal, or a check past the deadline). */
  get lost(): boolean {
    return this.lostWhy !== undefined;
  }

  /**
   * Run before each vendor call and each display: throws {@link LeaseLost} when the lease is
   * lost, or when its deadline has passed by the local clock (another runner may hold the request
   * by now, so nothing may be sent any more).
   */
  check(): void {
    if (this.lostWhy === undefined && this.clock() >= this.deadline)
      this.lostWhy = `its deadline passed ${Math.round(this.clock() - this.deadline)} ms ago, unrenewed`;
    if (this.lostWhy !== undefined) throw new LeaseLost(this.requestId, this.lostWhy);
    if (this.stopWhy !== undefined) throw new RunStopped(this.requestId, this.stopWhy);
  }

  /**
   * The run is to stop: every later {@link check} throws {@link RunStopped}, so no vendor call,
   * step start or display follows; outcomes of calls already in flight are still written.
   */
  stop(why: string): void {
    this.stopWhy ??= why;
  }

  /** Throws {@link LeaseLost} when the lease is known lost (the deadline alone is left to the fence). */
  ensureHeld(): void {
    if (this.lostWhy !== undefined) throw new LeaseLost(this.requestId, this.lostWhy);
  }

  /** The lease is lost: every later check throws. */
  lose(why: string): void {
    this.lostWhy ??= why;
  }

  /** A renewal sent at `sentAt` (by `clock`) succeeded: the store's lease runs until at least `sentAt` + its length. */
  renewed(sentAt: number): void {
    if (this.lostWhy === undefined) this.deadline = Math.max(this.deadline, sentAt + this.ms);
  }
}

/**
 * The store as one run writes it, with the store's signatures: every write is fenced by the run's
 * claim (see {@link FencingToken}); a write the fence refuses marks the lease lost and throws
 * {@link LeaseLost} (nothing of it was written). Reads pass through.
 */
export class FencedWrites {
  constructor(
    private readonly store: Store,
    readonly lease: Lease,
  ) {}

  /**
   * Before a vendor call or a display: the lease by the local clock, then the claim's token in the
   * store (another replica may have taken the request while this one was inside a call).
   */
  async confirm(): Promise<void> {
    this.lease.check();
    if (!(await this.store.holdsFence(this.lease.requestId, this.lease.fence))) this.refused('a vendor call');
  }

  listSteps(requestId: string): Promise<RevocationStep[]> {
    return this.store.listSteps(requestId);
  }

  getRequest(requestId: string): Promise<RevocationRequest | undefined> {
    return this.store.getRequest(requestId);
  }

  /** Marks steps started (with their record) before a vendor call: checks the lease first, by the local clock too. */
  async updateSteps(
    requestId: string,
    updates: StepUpdate[],
    record: NewAuditRecord | undefined,
    now: string,
  ): Promise<void> {
    this.lease.check();
    if (!(await this.store.updateSteps(this.own(requestId), updates, record, now, this.lease.fence)))
      this.refused('a step start');
  }

  /** Records a step's outcome, unless the lease is known lost; the fence decides the rest. */
  async finishStep(
    requestId: string,
    key: string,
    patch: StepPatch,
    records: NewAuditRecord[],
    now: string,
    effects: NewEffect[] = [],
  ): Promise<AuditRecord> {
    this.lease.ensureHeld();
    const last = await this.store.finishStep(
      this.own(requestId),
      key,
      patch,
      records,
      now,
      this.lease.fence,
      effects,
    );
    if (!last) this.refused(`step ${key}'s outcome`);
    return last;
  }

  /**
   * Writes display effects of the run (a bulk system's reply, a progress redraw) while the lease is
   * held. They follow no write of their own: run_finished writes each again (a key already written
   * adds nothing), so one lost to a crash here is written then.
   */
  async addEffects(effects: NewEffect[], now: string): Promise<void> {
    this.lease.ensureHeld();
    await this.store.addEffects(effects, now);
  }

  /** Patches the running request (with `record`, when given) while it is in `expected`, under the fence. */
  async updateRequest(
    requestId: string,
    patch: RequestPatch,
    now: string,
    expected: RequestStatus[],
    record?: NewAuditRecord,
    effects: NewEffect[] = [],
  ): Promise<void> {
    this.lease.ensureHeld();
    if (
      !(await this.store.updateRequest(
        this.own(requestId),
        patch,
        now,
        expected,
        record,
        effects,
        this.lease.fence,
      ))
    )
      this.refused('a change of the request');
  }

  /** A run writes its own request only. */
  private own(requestId: string): string {
    if (requestId !== this.lease.requestId)
      throw new Error(`a run of ${this.lease.requestId} tried to write request ${requestId}`);
    return requestId;
  }

  private refused(what: string): never {
    this.lease.lose('another runner took the request');
    throw new LeaseLost(
      this.lease.requestId,
      `${what} was refused: another runner took the request, or it is no longer running`,
    );
  }
}

/** The observer as a run with this lease shows progress: nothing is shown once the lease is lost. */
export function fencedObserver(observer: RunObserver, lease: Lease): RunObserver {
  return {
    requestStarted: async (request: RevocationRequest, steps: RevocationStep[]) => {
      lease.check();
      return observer.requestStarted(request, steps);
    },
    stepFinished: async (request, step, steps) => {
      lease.check();
      await observer.stepFinished(request, step, steps);
    },
    requestFinished: async (request, steps) => {
      lease.check();
      await observer.requestFinished(request, steps);
    },
  };
}
