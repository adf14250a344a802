import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  type NewRequest,
  type RequestStatus,
  type RevocationRequest,
  type RevocationStep,
  stepKeys,
} from '../engine/types.js';
import { auditHash, GENESIS_HASH } from './audit-chain.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite.js';
import {
  type AuditRow,
  REQUEST_PATCH_COLUMNS,
  type RequestRow,
  requestToRow,
  rowToAudit,
  rowToRequest,
  rowToStep,
  STEP_PATCH_COLUMNS,
  type StepRow,
} from './rows.js';
import {
  type AuditRecord,
  auditDrafts,
  type CreateOptions,
  type NewAuditRecord,
  type RequestPatch,
  type StepPatch,
  type StepUpdate,
  type Store,
  type StoreMetrics,
} from './types.js';

/**
 * The embedded store: one SQLite file (WAL mode), created with its folder on
 * first use. better-sqlite3 is synchronous, so every method is atomic in-process;
 * multi-statement writes run in a transaction.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // Wait for other processes' locks before anything else (the WAL switch on a new file included).
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = FULL');
  }

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    );
    for (const m of SQLITE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db
        .transaction(() => {
          // Another process may have applied it since we looked: check again under the write lock.
          if (this.db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version)) return;
          this.db.exec(m.sql);
          this.db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(m.version, m.name, new Date().toISOString());
        })
        .immediate();
    }
  }

  async createRequest(
    id: string,
    request: NewRequest,
    status: RequestStatus,
    now: string,
    options: CreateOptions = {},
  ): Promise<{ request: RevocationRequest; created: boolean }> {
    const row = requestToRow(id, request, status, now, options);
    return this.db
      .transaction(() => {
        if (options.idempotencyKey) {
          const existing = this.db
            .prepare('SELECT * FROM requests WHERE idempotency_key = ?')
            .get(options.idempotencyKey) as RequestRow | undefined;
          if (existing) return { request: rowToRequest(existing), created: false };
        }
        const columns = Object.keys(row);
        this.db
          .prepare(
            `INSERT INTO requests (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
          )
          .run(row);
        const step = this.db.prepare(
          "INSERT INTO steps (request_id, system, state, attempts) VALUES (?, ?, 'pending', 0)",
        );
        for (const key of stepKeys(request)) step.run(id, key);
        for (const draft of auditDrafts(options)) this.appendAuditSync({ ...draft, requestId: id }, now);
        return { request: rowToRequest(row), created: true };
      })
      .immediate();
  }

  async getRequest(id: string): Promise<RevocationRequest | undefined> {
    const row = this.db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as RequestRow | undefined;
    return row ? rowToRequest(row) : undefined;
  }

  async updateRequest(
    id: string,
    patch: RequestPatch,
    now: string,
    expected?: RequestStatus[],
    record?: NewAuditRecord,
  ): Promise<boolean> {
    const sets = ['updated_at = @now'];
    const params: Record<string, unknown> = { id, now };
    for (const [key, column, encode] of REQUEST_PATCH_COLUMNS) {
      if (patch[key] === undefined) continue;
      sets.push(`${column} = @${column}`);
      params[column] = encode(patch[key]);
    }
    let where = 'id = @id';
    if (expected?.length === 0) return false;
    if (expected && expected.length > 0) {
      where += ` AND status IN (${expected.map((_, i) => `@e${i}`).join(', ')})`;
      expected.forEach((s, i) => {
        params[`e${i}`] = s;
      });
    }
    const update = this.db.prepare(`UPDATE requests SET ${sets.join(', ')} WHERE ${where}`);
    return this.db
      .transaction((): boolean => {
        const changed = update.run(params).changes === 1;
        if (changed && record) this.appendAuditSync(record, now);
        return changed;
      })
      .immediate();
  }

  async claim(
    id: string,
    owner: string,
    leaseUntil: string,
    now: string,
    record?: (previous: RequestStatus) => NewAuditRecord,
  ): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const before = this.db.prepare('SELECT status FROM requests WHERE id = ?').get(id) as
          | { status: RequestStatus }
          | undefined;
        const info = this.db
          .prepare(
            `UPDATE requests SET status = 'running', lease_owner = ?, lease_until = ?, updated_at = ?
             WHERE id = ? AND (status = 'approved' OR (status = 'running' AND (lease_until IS NULL OR lease_until < ?)))`,
          )
          .run(owner, leaseUntil, now, id, now);
        if (info.changes !== 1) return false;
        if (record && before) this.appendAuditSync(record(before.status), now);
        return true;
      })
      .immediate();
  }

  async renewLease(id: string, owner: string, leaseUntil: string, now: string): Promise<boolean> {
    const info = this.db
      .prepare(
        "UPDATE requests SET lease_until = ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'running'",
      )
      .run(leaseUntil, now, id, owner);
    return info.changes === 1;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    this.db
      .prepare('UPDATE requests SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?')
      .run(id, owner);
  }

  async listRunnable(now: string, limit: number): Promise<string[]> {
    const rows = this.db
      .prepare(
        `SELECT id FROM requests WHERE status = 'approved' OR (status = 'running' AND (lease_until IS NULL OR lease_until < ?))
         ORDER BY created_at, id LIMIT ?`,
      )
      .all(now, limit) as { id: string }[];
    return rows.map((r) => r.id);
  }

  async listExpiredApprovals(now: string, limit: number): Promise<string[]> {
    const rows = this.db
      .prepare(
        `SELECT id FROM requests WHERE status = 'pending_approval' AND expires_at IS NOT NULL AND expires_at <= ?
         ORDER BY expires_at, id LIMIT ?`,
      )
      .all(now, limit) as { id: string }[];
    return rows.map((r) => r.id);
  }

  async listSteps(requestId: string): Promise<RevocationStep[]> {
    const rows = this.db
      .prepare('SELECT * FROM steps WHERE request_id = ? ORDER BY rowid')
      .all(requestId) as StepRow[];
    return rows.map(rowToStep);
  }

  async updateStep(requestId: string, system: string, patch: StepPatch): Promise<void> {
    this.updateStepSync(requestId, system, patch);
  }

  async updateSteps(
    requestId: string,
    updates: StepUpdate[],
    record: NewAuditRecord | undefined,
    now: string,
  ): Promise<void> {
    this.db
      .transaction(() => {
        for (const u of updates) this.updateStepSync(requestId, u.key, u.patch);
        if (record) this.appendAuditSync(record, now);
      })
      .immediate();
  }

  async finishStep(
    requestId: string,
    stepKey: string,
    patch: StepPatch,
    record: NewAuditRecord | NewAuditRecord[],
    now: string,
  ): Promise<AuditRecord> {
    const records = Array.isArray(record) ? record : [record];
    if (records.length === 0) throw new Error('finishStep needs an audit record');
    return this.db
      .transaction((): AuditRecord => {
        this.updateStepSync(requestId, stepKey, patch);
        return records.map((r) => this.appendAuditSync(r, now)).at(-1) as AuditRecord;
      })
      .immediate();
  }

  private updateStepSync(requestId: string, system: string, patch: StepPatch): void {
    const sets: string[] = [];
    const params: Record<string, unknown> = { requestId, system };
    for (const [key, column, encode] of STEP_PATCH_COLUMNS) {
      if (patch[key] === undefined) continue;
      sets.push(`${column} = @${column}`);
      params[column] = encode(patch[key]);
    }
    if (sets.length === 0) return;
    this.db
      .prepare(`UPDATE steps SET ${sets.join(', ')} WHERE request_id = @requestId AND system = @system`)
      .run(params);
  }

  async listRequestsForTarget(slackUserId: string, limit: number): Promise<RevocationRequest[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM requests WHERE target_slack_id = ? OR (target LIKE '[%' AND target LIKE ?)
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(slackUserId, `%"slackUserId":"${slackUserId.replace(/[^A-Z0-9]/g, '')}"%`, limit) as RequestRow[];
    return rows.map(rowToRequest);
  }

  async appendAudit(record: NewAuditRecord, now: string): Promise<AuditRecord> {
    return this.db.transaction((): AuditRecord => this.appendAuditSync(record, now)).immediate();
  }

  /** Appends inside the caller's transaction. */
  private appendAuditSync(record: NewAuditRecord, now: string): AuditRecord {
    const last = this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: string }
      | undefined;
    const base = {
      seq: (last?.seq ?? 0) + 1,
      at: now,
      requestId: record.requestId ?? null,
      actor: record.actor,
      action: record.action,
      data: record.data ?? {},
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const full: AuditRecord = { ...base, hash: auditHash(base) };
    this.db
      .prepare(
        'INSERT INTO audit_log (seq, at, request_id, actor, action, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        full.seq,
        full.at,
        full.requestId,
        full.actor,
        full.action,
        JSON.stringify(full.data),
        full.prevHash,
        full.hash,
      );
    return full;
  }

  async listAudit(options: { requestId?: string; limit?: number } = {}): Promise<AuditRecord[]> {
    const limit = options.limit ?? -1;
    const rows = (
      options.requestId
        ? this.db
            .prepare('SELECT * FROM audit_log WHERE request_id = ? ORDER BY seq LIMIT ?')
            .all(options.requestId, limit)
        : this.db.prepare('SELECT * FROM audit_log ORDER BY seq LIMIT ?').all(limit)
    ) as AuditRow[];
    return rows.map(rowToAudit);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async metricsSnapshot(now: string): Promise<StoreMetrics> {
    const requests = this.db
      .prepare('SELECT source, status, COUNT(*) AS count FROM requests GROUP BY source, status')
      .all() as StoreMetrics['requests'];
    const oldest = this.db
      .prepare("SELECT MIN(created_at) AS at FROM requests WHERE status = 'pending_approval'")
      .get() as { at: string | null };
    const running = this.db
      .prepare("SELECT COUNT(*) AS n FROM requests WHERE status = 'running' AND lease_until > ?")
      .get(now) as { n: number };
    return { requests, oldestPendingApprovalAt: oldest.at ?? undefined, runsInFlight: running.n };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
