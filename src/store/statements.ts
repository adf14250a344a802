import sql, { empty, join, raw, type Sql } from 'sql-template-tag';
import type { AuditRecord, RequestPatch, StepPatch } from '../engine/store-port/index.js';
import type { RequestStatus } from '../engine/types.js';
import type { Dialect } from './backend.js';
import { REQUEST_PATCH_COLUMNS, type RequestRow, STEP_PATCH_COLUMNS } from './rows.js';

/*
 * Every statement of the store, written once for SQLite and PostgreSQL alike.
 * Values are always parameters; `raw` only ever takes column names from the
 * constant tables in rows.ts.
 */

/** `column = value` pairs for the patch's set fields, encoded as rows.ts says. */
function assignments<P extends object>(
  patch: P,
  columns: [keyof P, string, (v: unknown) => unknown][],
): Sql[] {
  return columns
    .filter(([key]) => patch[key] !== undefined)
    .map(([key, column, encode]) => sql`${raw(column)} = ${encode(patch[key])}`);
}

/** Inserts a request unless its idempotency key is taken (then it changes nothing, and waits for a racing insert to decide). */
export function insertRequest(row: RequestRow): Sql {
  const columns = Object.keys(row) as (keyof RequestRow)[];
  return sql`INSERT INTO requests (${raw(columns.join(', '))}) VALUES (${join(columns.map((c) => row[c]))})
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`;
}

/** One pending step per key, in one VALUES list so they are stored in the order of the keys. */
export const insertSteps = (requestId: string, keys: string[]): Sql =>
  sql`INSERT INTO steps (request_id, system, state, attempts)
    VALUES ${join(keys.map((key) => sql`(${requestId}, ${key}, 'pending', 0)`))}`;

export const selectRequest = (id: string): Sql => sql`SELECT * FROM requests WHERE id = ${id}`;

export const selectRequestByKey = (key: string): Sql =>
  sql`SELECT * FROM requests WHERE idempotency_key = ${key}`;

/** ` AND fence = token` when a token is given: the write happens only under that claim. */
const underFence = (fence: number | undefined): Sql =>
  fence === undefined ? empty : sql` AND fence = ${fence}`;

/**
 * Compare-and-set when `expected` is given (an empty list matches no row); with `fence`, only
 * while that is still the request's fencing token.
 */
export function updateRequest(
  id: string,
  patch: RequestPatch,
  now: string,
  expected: RequestStatus[] | undefined,
  fence?: number | undefined,
): Sql {
  const sets = [sql`updated_at = ${now}`, ...assignments(patch, REQUEST_PATCH_COLUMNS)];
  const status =
    expected === undefined
      ? empty
      : expected.length
        ? sql` AND status IN (${join(expected)})`
        : sql` AND 1 = 0`;
  return sql`UPDATE requests SET ${join(sets)} WHERE id = ${id}${status}${underFence(fence)}`;
}

export const selectStatus = (id: string, d: Dialect): Sql =>
  sql`SELECT status FROM requests WHERE id = ${id}${d.forUpdate}`;

/**
 * The request's status and current fencing token; with the dialect's `forUpdate` inside a write
 * transaction, locked (a claim waits for the transaction that read it).
 */
export const selectFence = (id: string, lock: Sql = empty): Sql =>
  sql`SELECT status, fence FROM requests WHERE id = ${id}${lock}`;

const runnable = (now: string): Sql =>
  sql`(status = 'approved' OR (status = 'running' AND (lease_until IS NULL OR lease_until < ${now})))`;

/** Takes an `approved` request, or a `running` one whose lease expired, with the next fencing token (returned). */
export const claim = (id: string, owner: string, leaseUntil: string, now: string): Sql =>
  sql`UPDATE requests SET status = 'running', lease_owner = ${owner}, lease_until = ${leaseUntil},
    fence = fence + 1, updated_at = ${now}
    WHERE id = ${id} AND ${runnable(now)} RETURNING fence`;

export const renewLease = (
  id: string,
  owner: string,
  leaseUntil: string,
  now: string,
  fence: number | undefined,
): Sql =>
  sql`UPDATE requests SET lease_until = ${leaseUntil}, updated_at = ${now}
    WHERE id = ${id} AND lease_owner = ${owner} AND status = 'running'${underFence(fence)}`;

export const releaseLease = (id: string, owner: string, fence: number | undefined): Sql =>
  sql`UPDATE requests SET lease_owner = NULL, lease_until = NULL
    WHERE id = ${id} AND lease_owner = ${owner}${underFence(fence)}`;

export const listRunnable = (now: string, limit: number): Sql =>
  sql`SELECT id FROM requests WHERE ${runnable(now)} ORDER BY created_at, id LIMIT ${limit}`;

export const listExpiredApprovals = (now: string, limit: number): Sql =>
  sql`SELECT id FROM requests WHERE status = 'pending_approval' AND expires_at IS NOT NULL AND expires_at <= ${now}
    ORDER BY expires_at, id LIMIT ${limit}`;

export const listSteps = (requestId: string, d: Dialect): Sql =>
  sql`SELECT * FROM steps WHERE request_id = ${requestId} ORDER BY ${d.stepOrder}`;

/** Patches one step; undefined when the patch sets nothing. */
export function updateStep(requestId: string, key: string, patch: StepPatch): Sql | undefined {
  const sets = assignments(patch, STEP_PATCH_COLUMNS);
  if (sets.length === 0) return undefined;
  return sql`UPDATE steps SET ${join(sets)} WHERE request_id = ${requestId} AND system = ${key}`;
}

/** The chain head: the last record's sequence number and hash (locked, in a write transaction, with the dialect's `forUpdate`). */
export const auditHead = (d: Dialect): Sql =>
  sql`SELECT seq, hash FROM audit_head WHERE id = 1${d.forUpdate}`;

export const moveAuditHead = (r: AuditRecord): Sql =>
  sql`UPDATE audit_head SET seq = ${r.seq}, hash = ${r.hash} WHERE id = 1`;

export const insertAudit = (records: readonly AuditRecord[]): Sql =>
  sql`INSERT INTO audit_log (seq, at, request_id, actor, action, data, prev_hash, hash)
    VALUES ${join(records.map((r) => sql`(${r.seq}, ${r.at}, ${r.requestId}, ${r.actor}, ${r.action}, ${JSON.stringify(r.data)}, ${r.prevHash}, ${r.hash})`))}`;

export const ping = (): Sql => sql`SELECT 1 AS ok`;

/** Requests by source and status, as the triggers of migration 8 keep them (no scan of the requests). */
export const countRequests = (): Sql =>
  sql`SELECT source, status, n AS count FROM request_counts WHERE n > 0`;

export const oldestPendingApproval = (): Sql =>
  sql`SELECT MIN(created_at) AS at FROM requests WHERE status = 'pending_approval'`;

export const countLiveLeases = (now: string): Sql =>
  sql`SELECT COUNT(*) AS n FROM requests WHERE status = 'running' AND lease_until > ${now}`;

/** Marks a replica alive at `now` (one row a replica). */
export const upsertReplica = (id: string, now: string): Sql =>
  sql`INSERT INTO replicas (id, seen_at) VALUES (${id}, ${now})
    ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`;

/** Forgets replicas not seen since `before` (stopped, or dead). */
export const deleteStaleReplicas = (before: string): Sql =>
  sql`DELETE FROM replicas WHERE seen_at < ${before}`;

export const deleteReplica = (id: string): Sql => sql`DELETE FROM replicas WHERE id = ${id}`;

export const countReplicas = (): Sql => sql`SELECT COUNT(*) AS n FROM replicas`;

export const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations
  (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`;

export const appliedMigrations = (): Sql => sql`SELECT version FROM schema_migrations`;

export const recordMigration = (version: number, name: string, at: string): Sql =>
  sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${version}, ${name}, ${at})`;
