import type { NewAuditRecord } from './audit-record.js';
import type { Effect, EffectOutcome, NewEffect, OutboxHealth } from './outbox.js';

/** What became of a submission in the intake journal. */
export type IntakeState = 'pending' | 'done' | 'refused';

/** A submission as journaled before its surface acknowledged it. */
export interface NewIntake {
  /** The idempotency key its request gets. */
  key: string;
  /** Who submitted it (`slack:U…`). */
  actor: string;
  /** The submission as the engine will ask for it (JSON). */
  form: Record<string, unknown>;
  /** Where it was submitted from, when known. */
  channelId?: string | undefined;
}

/** One intake journal entry. */
export interface IntakeEntry extends NewIntake {
  state: IntakeState;
  /** 1 for the surface's own attempt; each claim after a lease expired adds one. */
  attempts: number;
  owner?: string | undefined;
  leaseUntil?: string | undefined;
  /** The request it became (`done`). */
  requestId?: string | undefined;
  /** Why no request was recorded (`refused`). */
  message?: string | undefined;
  createdAt: string;
  updatedAt: string;
}

/** A create that completes an intake entry which its owner no longer holds: nothing was written. */
export class IntakeTakenError extends Error {
  constructor(readonly key: string) {
    super(`intake entry ${key} is held by another process`);
    this.name = 'IntakeTakenError';
  }
}

/**
 * The store's two queues: the outbox (effects of state changes, delivered at least once) and the
 * intake journal (forms recorded before their ack). Part of {@link Store}.
 */
export interface StoreQueues {
  /** Writes effects to the outbox on their own (an effect of an effect); a key already written is skipped. */
  addEffects(effects: NewEffect[], now: string): Promise<void>;
  /**
   * Claims up to `limit` due effects for `owner` until `leaseUntil`: pending, not held (or held
   * past its lease), and the first still pending of its request. Each claim counts an attempt.
   */
  claimEffects(owner: string, now: string, leaseUntil: string, limit: number): Promise<Effect[]>;
  /** Extends `owner`'s hold on an effect it is still delivering (false: it lost it). */
  renewEffectLease(id: number, owner: string, leaseUntil: string): Promise<boolean>;
  /** Records what a delivery achieved so far, while `owner` holds the effect (false: it does not). */
  saveEffectProgress(id: number, owner: string, progress: Record<string, unknown>): Promise<boolean>;
  /** Ends `owner`'s delivery: done, to be retried at a time, or failed for good. False when `owner` lost it. */
  settleEffect(id: number, owner: string, outcome: EffectOutcome, now: string): Promise<boolean>;
  /** The outbox's effects (one request's, or all), in the order they were written. */
  listEffects(requestId?: string): Promise<Effect[]>;
  /**
   * Forgets up to `limit` effects settled (done or failed for good) before `before`, of requests that
   * are over or of none; returns how many. A request still open keeps its effects (their keys make
   * a repeated write add nothing).
   */
  pruneEffects(before: string, limit: number): Promise<number>;
  /** Pending and failed effects at a glance (metrics, readiness, doctor, the CLI). */
  outboxHealth(): Promise<OutboxHealth>;
  /**
   * Journals a submission before its surface acknowledges it: `pending`, attempt 1, held by
   * `owner` until `leaseUntil`. False, changing nothing, when the key is journaled already and
   * pending or done; a refused entry (nothing was recorded for it) is replaced by the new one.
   */
  journalIntake(entry: NewIntake, owner: string, leaseUntil: string, now: string): Promise<boolean>;
  /** Keys of `pending` entries whose lease expired by `now` (their process died or gave up), oldest first. */
  listDueIntake(now: string, limit: number): Promise<string[]>;
  /**
   * Compare-and-set claim of a `pending` entry whose lease expired by `now`: held by `owner` until
   * `leaseUntil`, one more attempt counted. Returns the entry when this owner got it.
   */
  claimIntake(key: string, owner: string, leaseUntil: string, now: string): Promise<IntakeEntry | undefined>;
  /** Extends `owner`'s lease on a `pending` entry. Returns false when it was lost (or settled). */
  renewIntake(key: string, owner: string, leaseUntil: string, now: string): Promise<boolean>;
  /**
   * Compare-and-set: a `pending` entry held by `owner` becomes `refused` with `message`; `record`,
   * when given, is audited in the same transaction, and `effects` written (the requester's note).
   * Returns whether it changed.
   */
  refuseIntake(
    key: string,
    owner: string,
    message: string,
    now: string,
    record?: NewAuditRecord,
    effects?: NewEffect[],
  ): Promise<boolean>;
  getIntake(key: string): Promise<IntakeEntry | undefined>;
  /** Forgets settled (`done`, `refused`) entries last changed before `before`; returns how many. */
  pruneIntake(before: string): Promise<number>;
}
