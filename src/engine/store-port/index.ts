import type {
  NewRequest,
  RequestStatus,
  RevocationRequest,
  RevocationStep,
  StepState,
  ThreadRef,
  WorkflowLink,
} from '../types.js';

export type { Effect, EffectOutcome, EffectState, NewEffect, OutboxHealth } from './outbox.js';
export {
  type IntakeEntry,
  type IntakeState,
  IntakeTakenError,
  type NewIntake,
  type StoreQueues,
} from './queues.js';

import type { AuditQuery, AuditRecord, NewAuditRecord } from './audit-record.js';
import type { AuditStreamStore } from './audit-stream.js';
import type { StoreHome } from './home.js';
import type { NewEffect } from './outbox.js';
import type { StoreProof } from './proof.js';
import type { StoreQueues } from './queues.js';

export type { AuditQuery, AuditRecord, NewAuditRecord } from './audit-record.js';
export type { QueuedSet, SignalStore, StreamRecord, StreamStatus } from './signals.js';

import type { SignalStore } from './signals.js';

export type { AuditStreamPosition, AuditStreamStore } from './audit-stream.js';
export type { KeptSigningKey } from './proof.js';

/** An audit record written with the request that a create makes (its `requestId` is the new id). */
export type AuditDraft = Omit<NewAuditRecord, 'requestId'>;

/** One step's patch within {@link Store.updateSteps}. */
export interface StepUpdate {
  key: string;
  patch: StepPatch;
}

/** The audit records a create writes with the request, in order. */
export function auditDrafts(options: CreateOptions): AuditDraft[] {
  const { audit } = options;
  return audit === undefined ? [] : Array.isArray(audit) ? audit : [audit];
}

export interface CreateOptions {
  expiresAt?: string | undefined;
  /** A second create with the same key returns the first request instead (`created: false`). */
  idempotencyKey?: string | undefined;
  workflow?: WorkflowLink | undefined;
  /** Written in the same transaction when the request is created, in order (their `requestId` is the new id). */
  audit?: AuditDraft | AuditDraft[] | undefined;
  /** Outbox effects written in the same transaction when the request is created (their `requestId` is the new id). */
  effects?: Omit<NewEffect, 'requestId'>[] | undefined;
  /**
   * The intake journal entry this request records: it is marked `done` in the same transaction.
   * Only while `owner` holds it: otherwise nothing is created and {@link IntakeTakenError} is
   * thrown (another process took the entry over). An idempotency key that names an existing request
   * completes the entry with that request.
   */
  intake?: { key: string; owner: string } | undefined;
}

export interface RequestPatch {
  status?: RequestStatus;
  thread?: ThreadRef;
  summary?: string;
  approvalCard?: ThreadRef;
  decidedBy?: string;
  decidedAt?: string;
  decisionNote?: string;
  breakGlass?: boolean;
  workflow?: WorkflowLink;
}

export interface StepPatch {
  state?: StepState;
  attempts?: number;
  account?: RevocationStep['account'];
  result?: RevocationStep['result'];
  startedAt?: string;
  finishedAt?: string;
}

/**
 * The fencing token of one claim of a request: every successful {@link Store.claim} of the request
 * takes the next one (1, 2, …), so a later claim always holds a higher token than an earlier one.
 * A write given a token is *fenced*: it happens only while that token is still the request's
 * current one and the request is still `running` — checked in the same transaction as the write,
 * so a runner whose lease was taken over (paused past its lease, a stalled VM, another replica's
 * clock ahead) changes nothing and writes no audit record, however late its write arrives.
 */
export type FencingToken = number;

/** Counts read at metrics scrape time (across every replica sharing the store). */
export interface StoreMetrics {
  /** Requests in the store by source and status. */
  requests: { source: string; status: RequestStatus; count: number }[];
  /** `createdAt` of the oldest request still waiting for an approver, if any. */
  oldestPendingApprovalAt: string | undefined;
  /** Requests `running` under a lease that has not expired (a live runner holds them). */
  runsInFlight: number;
}

/**
 * The single source of truth: requests, their per-system steps, and the audit log.
 * Every method is atomic on its own; the ones named "compare-and-set" change
 * nothing unless the row is still in the expected state, so two replicas (or
 * two clicks) can race them safely. A run's writes are also fenced: given the
 * {@link FencingToken} its claim took, they change nothing (and write no audit
 * record) once another claim took the request or the request stopped `running`.
 */
export interface Store extends StoreQueues, StoreProof, StoreHome {
  /** The Shared Signals tables: streams, the SETs waiting in them, inbound jtis seen. */
  readonly signals: SignalStore;
  /** Where each SIEM sink is in the audit log (docs/siem.md). */
  readonly auditStream: AuditStreamStore;
  /** Applies pending migrations; safe to call on every start, from several replicas at once. */
  migrate(): Promise<void>;
  /** Inserts a request and one pending step per system in one transaction; with an idempotency key already used, returns that request. */
  createRequest(
    id: string,
    request: NewRequest,
    status: RequestStatus,
    now: string,
    options?: CreateOptions,
  ): Promise<{ request: RevocationRequest; created: boolean }>;
  getRequest(id: string): Promise<RevocationRequest | undefined>;
  /**
   * Compare-and-set when `expected` is given: updates only while the status is one of them (an
   * empty list matches nothing). Returns whether it changed. `record`, when given, is appended to
   * the audit log in the same transaction, and only if the request changed; so are `effects`
   * written to the outbox. With `fence`, also only while that is the request's current fencing
   * token (a run's finish: `expected` is `['running']` and `fence` its claim's token, so a runner
   * that lost its lease finishes nothing).
   */
  updateRequest(
    id: string,
    patch: RequestPatch,
    now: string,
    expected?: RequestStatus[],
    record?: NewAuditRecord,
    effects?: NewEffect[],
    fence?: FencingToken,
  ): Promise<boolean>;
  /**
   * Compare-and-set claim for running: takes the request when it is `approved`,
   * or `running` with an expired lease (a dead or paused runner), sets it `running` with
   * `owner`'s lease until `leaseUntil` and takes the next {@link FencingToken}. Returns that
   * token, or undefined when the request was not claimed (another runner holds it, or it is not
   * runnable). `record`, given the status the request had before the claim and the new token, is
   * the audit record written in the same transaction when the claim succeeds; so are `effects`
   * written to the outbox (a key already written adds nothing).
   */
  claim(
    id: string,
    owner: string,
    leaseUntil: string,
    now: string,
    record?: (previous: RequestStatus, fence: FencingToken) => NewAuditRecord,
    effects?: NewEffect[],
  ): Promise<FencingToken | undefined>;
  /**
   * Extends the lease while `owner` still holds it (and, with `fence`, under that claim). Returns
   * false when the lease was lost.
   */
  renewLease(
    id: string,
    owner: string,
    leaseUntil: string,
    now: string,
    fence?: FencingToken,
  ): Promise<boolean>;
  /** Ends `owner`'s lease (the run finished or gave up); with `fence`, only that claim's lease. */
  releaseLease(id: string, owner: string, fence?: FencingToken): Promise<void>;
  /**
   * Whether `fence` is still the request's current token and the request still `running` (a read:
   * a runner asks before each vendor call, so one that lost its lease sends nothing more).
   */
  holdsFence(id: string, fence: FencingToken): Promise<boolean>;
  /** IDs of requests a runner should pick up: `approved`, or `running` with a lease expired by `now`. Oldest first. */
  listRunnable(now: string, limit: number): Promise<string[]>;
  /** IDs of `pending_approval` requests whose `expiresAt` has passed. */
  listExpiredApprovals(now: string, limit: number): Promise<string[]>;
  listSteps(requestId: string): Promise<RevocationStep[]>;
  /**
   * Records a step's outcome and its audit record(s) in one transaction (a crash cannot keep one
   * without the other). Returns the last record written. With `fence`, fenced: when the token is
   * no longer the request's (or the request is no longer `running`) it writes neither the step
   * nor its records and returns undefined. `effects` are written to the outbox in the same transaction.
   */
  finishStep(
    requestId: string,
    stepKey: string,
    patch: StepPatch,
    record: NewAuditRecord | NewAuditRecord[],
    now: string,
    fence?: FencingToken,
    effects?: NewEffect[],
  ): Promise<AuditRecord | undefined>;
  /**
   * Patches one step, named by its key (`slack`, or `slack#3` for a bulk request's fourth person).
   * With `fence`, fenced. Returns false only when the fence refused the write.
   */
  updateStep(requestId: string, stepKey: string, patch: StepPatch, fence?: FencingToken): Promise<boolean>;
  /**
   * Patches several steps and appends `record` (when given) in one transaction: a crash keeps
   * all of it or none (a step is never marked started without its audit record). With `fence`,
   * fenced: returns false, having written nothing, when the fence refused it. `effects` are written
   * to the outbox in the same transaction.
   */
  updateSteps(
    requestId: string,
    updates: StepUpdate[],
    record: NewAuditRecord | undefined,
    now: string,
    fence?: FencingToken,
    effects?: NewEffect[],
  ): Promise<boolean>;
  /** Recent requests naming this Slack user as a target (first or further person), newest first: an index search on the people of each request. */
  listRequestsForTarget(slackUserId: string, limit: number): Promise<RevocationRequest[]>;
  /** Appends to the hash-chained audit log (serialised: gap-free sequence, each record linked to its true predecessor). */
  appendAudit(record: NewAuditRecord, now: string): Promise<AuditRecord>;
  /**
   * One page of the audit log in sequence order, found from the primary key (see
   * {@link AuditQuery}): whatever the log's size, a reader holds one page (`streamAudit` pages
   * through it).
   */
  readAudit(query: AuditQuery): Promise<AuditRecord[]>;
  /** The audit log (or one request's records, or the first `limit`) in sequence order, all in memory: for tests and small reads; stream large ones with {@link Store.readAudit}. */
  listAudit(options?: { requestId?: string; limit?: number }): Promise<AuditRecord[]>;
  /**
   * Marks this replica alive at `now`, forgets replicas not seen since `staleBefore`, and returns
   * how many replicas share the store (this one included): each takes that share of the vendor budgets.
   */
  heartbeat(replicaId: string, now: string, staleBefore: string): Promise<number>;
  /** This replica stops: the others take its share at their next heartbeat. */
  leave(replicaId: string): Promise<void>;
  /** A cheap read for readiness probes; rejects when the database cannot answer. */
  ping(): Promise<void>;
  /** Read-only counts for metrics (see {@link StoreMetrics}). */
  metricsSnapshot(now: string): Promise<StoreMetrics>;
  close(): Promise<void>;
}
