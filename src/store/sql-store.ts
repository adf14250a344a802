import {
  type AuditQuery,
  type AuditRecord,
  auditDrafts,
  type CreateOptions,
  type FencingToken,
  IntakeTakenError,
  type KeptSigningKey,
  type NewAuditRecord,
  type NewEffect,
  type RequestPatch,
  type StepPatch,
  type StepUpdate,
  type Store,
  type StoreMetrics,
} from '../engine/store-port/index.js';
import {
  type NewRequest,
  type RequestStatus,
  type RevocationRequest,
  type RevocationStep,
  stepKeys,
} from '../engine/types.js';
import { appendAllIn, appendAuditIn, changeWithRecord } from './audit-append.js';
import { AUDIT_PAGE, readAuditIn, streamAudit } from './audit-read.js';
import { SqlAuditStream } from './audit-stream.js';
import type { Backend, Executor } from './backend.js';
import { claimIn, holdsIn } from './fence.js';
import { requestsAskedBy, requestsInStatus } from './home.js';
import { completeIntakeIn } from './intake.js';
import { applyMigrations, type Migration } from './migrate.js';
import { insertEffectsIn } from './outbox.js';
import { insertPeopleIn, peopleOf, requestsNaming, slackPerson } from './people.js';
import { auditHeadIn, keepSigningKeyIn, signingKeyIn } from './proof.js';
import { type RequestRow, requestToRow, rowToRequest, rowToStep, type StepRow } from './rows.js';
import { SqlQueues } from './sql-queues.js';
import { SqlSignalStore } from './ssf.js';
import * as q from './statements.js';

/**
 * The {@link Store} written once over any {@link Backend}: single-statement
 * methods (compare-and-sets included) run on their own; every change that
 * comes with audit records runs in one write transaction with them.
 */
export class SqlStore extends SqlQueues implements Store {
  readonly signals: SqlSignalStore;
  readonly auditStream: SqlAuditStream;

  constructor(
    db: Backend,
    private readonly migrations: readonly Migration[],
  ) {
    super(db);
    this.signals = new SqlSignalStore(db);
    this.auditStream = new SqlAuditStream(db);
  }

  async migrate(): Promise<void> {
    await applyMigrations(this.db, this.migrations);
  }

  async createRequest(
    id: string,
    request: NewRequest,
    status: RequestStatus,
    now: string,
    options: CreateOptions = {},
  ): Promise<{ request: RevocationRequest; created: boolean }> {
    const row = requestToRow(id, request, status, now, options);
    return this.db.transaction(async (tx) => {
      // With the key already used (or being used by a racing create, which the
      // insert waits for), nothing is inserted and the first request is returned.
      const { intake } = options;
      if ((await tx.run(q.insertRequest(row))) !== 1) {
        const [first] = options.idempotencyKey
          ? await tx.all<RequestRow>(q.selectRequestByKey(options.idempotencyKey))
          : [];
        if (!first) throw new Error(`request ${id} was neither inserted nor found by its idempotency key`);
        if (intake) await completeIntakeIn(tx, intake.key, first.id, now);
        return { request: rowToRequest(first), created: false };
      }
      // A journal entry's request is recorded only by the entry's holder (rolled back otherwise).
      if (intake && !(await completeIntakeIn(tx, intake.key, id, now, intake.owner)))
        throw new IntakeTakenError(intake.key);
      const keys = stepKeys(request);
      if (keys.length > 0) await tx.run(q.insertSteps(id, keys));
      await insertPeopleIn(tx, id, now, peopleOf(request));
      const drafts = auditDrafts(options).map((d) => ({ ...d, requestId: id }));
      await appendAllIn(tx, this.db.dialect, drafts, now);
      await insertEffectsIn(
        tx,
        (options.effects ?? []).map((e) => ({ ...e, requestId: id })),
        now,
      );
      return { request: rowToRequest(row), created: true };
    });
  }

  async getRequest(id: string): Promise<RevocationRequest | undefined> {
    const [row] = await this.db.all<RequestRow>(q.selectRequest(id));
    return row ? rowToRequest(row) : undefined;
  }

  async updateRequest(
    id: string,
    patch: RequestPatch,
    now: string,
    expected?: RequestStatus[],
    record?: NewAuditRecord,
    effects: NewEffect[] = [],
    fence?: FencingToken,
  ): Promise<boolean> {
    if (expected?.length === 0) return false;
    return changeWithRecord(this.db, q.updateRequest(id, patch, now, expected, fence), now, record, effects);
  }

  async claim(
    id: string,
    owner: string,
    leaseUntil: string,
    now: string,
    record?: (previous: RequestStatus, fence: FencingToken) => NewAuditRecord,
    effects?: NewEffect[],
  ): Promise<FencingToken | undefined> {
    return claimIn(this.db, id, owner, leaseUntil, now, record, effects);
  }

  async renewLease(
    id: string,
    owner: string,
    leaseUntil: string,
    now: string,
    fence?: FencingToken,
  ): Promise<boolean> {
    return (await this.db.run(q.renewLease(id, owner, leaseUntil, now, fence))) === 1;
  }

  async releaseLease(id: string, owner: string, fence?: FencingToken): Promise<void> {
    await this.db.run(q.releaseLease(id, owner, fence));
  }

  async holdsFence(id: string, fence: FencingToken): Promise<boolean> {
    return holdsIn(this.db, id, fence);
  }

  async listRunnable(now: string, limit: number): Promise<string[]> {
    return (await this.db.all<{ id: string }>(q.listRunnable(now, limit))).map((r) => r.id);
  }

  async listExpiredApprovals(now: string, limit: number): Promise<string[]> {
    return (await this.db.all<{ id: string }>(q.listExpiredApprovals(now, limit))).map((r) => r.id);
  }

  async listSteps(requestId: string): Promise<RevocationStep[]> {
    return (await this.db.all<StepRow>(q.listSteps(requestId, this.db.dialect))).map(rowToStep);
  }

  async updateStep(
    requestId: string,
    stepKey: string,
    patch: StepPatch,
    fence?: FencingToken,
  ): Promise<boolean> {
    if (fence === undefined) {
      await updateStepIn(this.db, requestId, stepKey, patch);
      return true;
    }
    return this.db.transaction(async (tx) => {
      if (!(await holdsIn(tx, requestId, fence, this.db.dialect.forUpdate))) return false;
      await updateStepIn(tx, requestId, stepKey, patch);
      return true;
    });
  }

  async updateSteps(
    requestId: string,
    updates: StepUpdate[],
    record: NewAuditRecord | undefined,
    now: string,
    fence?: FencingToken,
    effects: NewEffect[] = [],
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (fence !== undefined && !(await holdsIn(tx, requestId, fence, this.db.dialect.forUpdate)))
        return false;
      for (const u of updates) await updateStepIn(tx, requestId, u.key, u.patch);
      await insertEffectsIn(tx, effects, now);
      if (record) await appendAuditIn(tx, this.db.dialect, record, now);
      return true;
    });
  }

  async finishStep(
    requestId: string,
    stepKey: string,
    patch: StepPatch,
    record: NewAuditRecord | NewAuditRecord[],
    now: string,
    fence?: FencingToken,
    effects: NewEffect[] = [],
  ): Promise<AuditRecord | undefined> {
    const records = Array.isArray(record) ? record : [record];
    if (records.length === 0) throw new Error('finishStep needs an audit record');
    return this.db.transaction(async (tx) => {
      if (fence !== undefined && !(await holdsIn(tx, requestId, fence, this.db.dialect.forUpdate)))
        return undefined;
      await updateStepIn(tx, requestId, stepKey, patch);
      await insertEffectsIn(tx, effects, now);
      return appendAllIn(tx, this.db.dialect, records, now);
    });
  }

  async listRequestsForTarget(slackUserId: string, limit: number): Promise<RevocationRequest[]> {
    return (await this.db.all<RequestRow>(requestsNaming(slackPerson(slackUserId), limit))).map(rowToRequest);
  }

  async listRequestsByRequester(actor: string, limit: number): Promise<RevocationRequest[]> {
    return (await this.db.all<RequestRow>(requestsAskedBy(actor, limit))).map(rowToRequest);
  }

  async listRequestsInStatus(
    statuses: readonly RequestStatus[],
    limit: number,
  ): Promise<RevocationRequest[]> {
    return (await this.db.all<RequestRow>(requestsInStatus(statuses, limit))).map(rowToRequest);
  }

  auditHead(): Promise<{ seq: number; hash: string } | undefined> {
    return auditHeadIn(this.db);
  }

  signingKey(): Promise<KeptSigningKey | undefined> {
    return signingKeyIn(this.db);
  }

  keepSigningKey(key: KeptSigningKey): Promise<KeptSigningKey> {
    return this.db.transaction((tx) => keepSigningKeyIn(tx, key));
  }

  async appendAudit(record: NewAuditRecord, now: string): Promise<AuditRecord> {
    return this.db.transaction((tx) => appendAuditIn(tx, this.db.dialect, record, now));
  }

  async readAudit(query: AuditQuery): Promise<AuditRecord[]> {
    return readAuditIn(this.db, query);
  }

  async listAudit(options: { requestId?: string; limit?: number } = {}): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    const pageSize = Math.min(options.limit ?? AUDIT_PAGE, AUDIT_PAGE);
    for await (const r of streamAudit((page) => this.readAudit(page), {
      requestId: options.requestId,
      pageSize,
    })) {
      records.push(r);
      if (records.length === options.limit) break;
    }
    return records;
  }

  async heartbeat(replicaId: string, now: string, staleBefore: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.run(q.upsertReplica(replicaId, now));
      await tx.run(q.deleteStaleReplicas(staleBefore));
      const [row] = await tx.all<{ n: number | string }>(q.countReplicas());
      return Math.max(1, Number(row?.n ?? 1));
    });
  }

  async leave(replicaId: string): Promise<void> {
    await this.db.run(q.deleteReplica(replicaId));
  }

  async ping(): Promise<void> {
    await this.db.all(q.ping());
  }

  async metricsSnapshot(now: string): Promise<StoreMetrics> {
    type Count = { source: string; status: RequestStatus; count: number | string };
    const requests = await this.db.all<Count>(q.countRequests());
    const [oldest] = await this.db.all<{ at: string | null }>(q.oldestPendingApproval());
    const [running] = await this.db.all<{ n: number | string }>(q.countLiveLeases(now));
    return {
      requests: requests.map((r) => ({ source: r.source, status: r.status, count: Number(r.count) })),
      oldestPendingApprovalAt: oldest?.at ?? undefined,
      runsInFlight: Number(running?.n ?? 0),
    };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

async function updateStepIn(db: Executor, requestId: string, key: string, patch: StepPatch): Promise<void> {
  const update = q.updateStep(requestId, key, patch);
  if (update) await db.run(update);
}
