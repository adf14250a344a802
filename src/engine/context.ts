import type { Logger } from '../log.js';
import type { DirectoryUser, ProviderMap } from '../providers/types.js';
import { newRequestId } from '../util/ids.js';
import type { Approvals } from './approval.js';
import type { ContainEvent } from './containment.js';
import type { EvidenceExporter } from './evidence-port.js';
import type { FollowUpSettings } from './follow-up/settings.js';
import type { Lane } from './lane.js';
import type { RunObserver } from './observer.js';
import type { PeopleDirectory } from './people.js';
import type { AuditRecord, Store } from './store-port/index.js';
import type { VendorCallScope } from './vendor-calls.js';

/** What every part of the engine is built from (the composition root passes it once). */
export interface EngineDeps {
  store: Store;
  providers: ProviderMap;
  logger: Logger;
  /**
   * Scopes the vendor calls of a piece of work: in a lane (the engine says which lane each
   * request's work is in; bulk work leaves urgent work its reserved share), and guarded by a check
   * before every attempt (a runner that lost its lease sends nothing more).
   */
  vendorCalls: VendorCallScope;
  approvals?: Approvals | undefined;
  /** Where people are looked up (the Slack directory); absent without a bot token. */
  directory?: PeopleDirectory | undefined;
  now?: () => Date;
  newId?: () => string;
  sleep?: (ms: number) => Promise<void>;
  /** Pause before listing a second time when sessions are still listed right after revoking. */
  verifyRecheckMs?: number;
  /** This process's identity for leases (default: a random UUID). */
  runnerId?: string;
  /** How long a claim lasts without a heartbeat; a dead runner's work is taken over after it. */
  leaseMs?: number;
  /** The local monotonic clock (ms) a runner keeps its lease deadline on (default `performance.now()`). */
  monotonicNow?: () => number;
  /** Steps of one system run at most this many at a time (bulk requests; vendors rate-limit). */
  perSystemConcurrency?: number;
  /** Told about every run that is given no observer of its own (metrics). */
  observer?: RunObserver | undefined;
  /** How long an approval request stays open (default 1 h). */
  approvalTtlMs?: number;
  /** A bulk run's results parent is redrawn at most this often (default 2 s). */
  progressIntervalMs?: number;
  /** The Shared Signals transmitter is on: write a session-revoked effect for every system that ended sessions. */
  signalsOut?: boolean | undefined;
  /** Told after a write that added outbox effects (the outbox worker delivers them at once). */
  effectsWritten?: (() => void) | undefined;
  /** Told of each step's time to contain as it is recorded (the metric), once per stage. */
  onContain?: ((event: ContainEvent) => void) | undefined;
  /** Exports a finished request's signed evidence (absent: evidence is not available here). */
  evidence?: EvidenceExporter | undefined;
  /** What happens after a run: confirmations awaited from vendors, and the watch for a return. */
  followUp?: FollowUpSettings | undefined;
}

/** The injected clock and ids, and the audit helper, shared by the engine's parts. */
export class EngineContext {
  readonly now: () => Date;
  readonly newId: () => string;

  constructor(readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? (() => newRequestId(this.now().getTime()));
  }

  get store(): Store {
    return this.deps.store;
  }

  get providers(): ProviderMap {
    return this.deps.providers;
  }

  get logger(): Logger {
    return this.deps.logger;
  }

  /**
   * Directory answers for the people of requests recorded to run at once, kept for their run in
   * this process (one lookup per person per run); taken once, dropped after a minute.
   */
  private readonly fresh = new Map<string, { at: number; users: (DirectoryUser | undefined)[] }>();

  keepFreshLookups(requestId: string, users: (DirectoryUser | undefined)[]): void {
    const now = this.now().getTime();
    for (const [id, entry] of this.fresh) if (now - entry.at > 60_000) this.fresh.delete(id);
    this.fresh.set(requestId, { at: now, users });
  }

  takeFreshLookups(requestId: string): (DirectoryUser | undefined)[] | undefined {
    const entry = this.fresh.get(requestId);
    this.fresh.delete(requestId);
    return entry && this.now().getTime() - entry.at <= 60_000 ? entry.users : undefined;
  }

  /** Runs `fn` with every vendor call it makes in `lane`. */
  inLane<T>(lane: Lane, fn: () => T): T {
    return this.deps.vendorCalls.inLane(lane, fn);
  }

  /** Runs `fn` with `check` awaited before every attempt of every vendor call it makes. */
  guarded<T>(check: () => void | Promise<void>, fn: () => T): T {
    return this.deps.vendorCalls.guarded(check, fn);
  }

  /** Tells the outbox worker that effects were written (no-op without one). */
  effectsWritten(): void {
    this.deps.effectsWritten?.();
  }

  /** Tells the metric of a step's time to contain (never throws: a metric never stops a run). */
  contained(events: readonly ContainEvent[]): void {
    for (const event of events) {
      try {
        this.deps.onContain?.(event);
      } catch (error) {
        this.logger.warn('time-to-contain metric failed:', String(error));
      }
    }
  }

  /** Now (plus an offset) as an ISO timestamp. */
  iso(offsetMs = 0): string {
    return new Date(this.now().getTime() + offsetMs).toISOString();
  }

  /** Appends one audit record on its own (for facts that change no state). */
  audit(
    requestId: string | undefined,
    actor: string,
    action: string,
    data?: Record<string, unknown>,
  ): Promise<AuditRecord> {
    return this.deps.store.appendAudit({ requestId, actor, action, data }, this.iso());
  }
}
