import pg from 'pg';
import {
  type NewRequest,
  type RequestStatus,
  type RevocationRequest,
  type RevocationStep,
  stepKeys,
} from '../engine/types.js';
import { auditHash, GENESIS_HASH } from './audit-chain.js';
import { POSTGRES_MIGRATIONS } from './migrations/postgres.js';
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

/** pg wants result rows with an index signature; the row interfaces in rows.ts have none. */
type Row<T> = T & pg.QueryResultRow;

/** A schema name usable unquoted, in SQL and in the `-c search_path=` startup option alike. */
const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresStoreOptions {
  /**
   * Keep every table in this schema (created by {@link PostgresStore.migrate}
   * when missing) instead of the server's default search path. Lower-case
   * letters, digits and `_` only. Meant for tests: each file gets its own
   * schema and drops it afterwards.
   */
  schema?: string | undefined;
  /** Errors of idle pooled connections (e.g. the server restarted); the pool drops such a connection and opens a new one when needed. */
  onError?: ((error: Error) => void) | undefined;
  /** Most connections the pool opens (default 10). */
  max?: number | undefined;
}

/**
 * The shared store for several replicas: PostgreSQL through a `pg` connection
 * pool, with the same behaviour as the SQLite store. Single-statement
 * compare-and-sets rely on row locks (a concurrent UPDATE re-checks its WHERE
 * clause after the other one commits); multi-statement writes run in a
 * transaction; audit appends are serialised with a table lock so the sequence
 * is gap-free and each record links to its true predecessor, even across
 * processes.
 */
export class PostgresStore implements Store {
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private ended = false;

  constructor(url: string, options: PostgresStoreOptions = {}) {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_RE.test(schema)) {
      throw new Error('PostgreSQL schema names must be lower-case letters, digits and _ (at most 63)');
    }
    this.schema = schema;
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      // Set at connection start-up, so no query can ever run with another search path.
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    const onError = options.onError ?? (() => {});
    // Without a listener, an idle connection's error would crash the process.
    this.pool.on('error', (error) => onError(error));
  }

  async migrate(): Promise<void> {
    await this.transaction(async (c) => {
      // Replicas starting together queue here; the lock ends with the transaction.
      await c.query("SELECT pg_advisory_xact_lock(hashtext('revoke-sessions:migrate:' || $1))", [
        this.schema ?? '',
      ]);
      if (this.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const applied = new Set(
        (await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (r) => r.version,
        ),
      );
      for (const m of POSTGRES_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
      }
    });
  }

  async createRequest(
    id: string,
    request: NewRequest,
    status: RequestStatus,
    now: string,
    options: CreateOptions = {},
  ): Promise<{ request: RevocationRequest; created: boolean }> {
    const row = requestToRow(id, request, status, now, options);
    const columns = Object.keys(row) as (keyof RequestRow)[];
    return this.transaction(async (c) => {
      // With a key already used (or being used by a concurrent create, which
      // this waits for), nothing is inserted and the first request is returned.
      const inserted = await c.query(
        `INSERT INTO requests (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
         ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`,
        columns.map((k) => row[k]),
      );
      if (inserted.rowCount !== 1) {
        const existing = await c.query<Row<RequestRow>>('SELECT * FROM requests WHERE idempotency_key = $1', [
          options.idempotencyKey,
        ]);
        const first = existing.rows[0];
        if (!first) throw new Error(`request ${id} was neither inserted nor found by its idempotency key`);
        return { request: rowToRequest(first), created: false };
      }
      const keys = stepKeys(request);
      if (keys.length > 0) {
        // One multi-row VALUES list: steps get their `ord` in the order of the keys.
        await c.query(
          `INSERT INTO steps (request_id, system, state, attempts) VALUES ${keys
            .map((_, i) => `($1, $${i + 2}, 'pending', 0)`)
            .join(', ')}`,
          [id, ...keys],
        );
      }
      for (const draft of auditDrafts(options))
        await this.appendAuditWith(c, { ...draft, requestId: id }, now);
      return { request: rowToRequest(row), created: true };
    });
  }

  async getRequest(id: string): Promise<RevocationRequest | undefined> {
    const { rows } = await this.pool.query<Row<RequestRow>>('SELECT * FROM requests WHERE id = $1', [id]);
    const row = rows[0];
    return row ? rowToRequest(row) : undefined;
  }

  async updateRequest(
    id: string,
    patch: RequestPatch,
    now: string,
    expected?: RequestStatus[],
    record?: NewAuditRecord,
  ): Promise<boolean> {
    const params: unknown[] = [id, now];
    const sets = ['updated_at = $2'];
    for (const [key, column, encode] of REQUEST_PATCH_COLUMNS) {
      if (patch[key] === undefined) continue;
      params.push(encode(patch[key]));
      sets.push(`${column} = $${params.length}`);
    }
    let where = 'id = $1';
    if (expected?.length === 0) return false;
    if (expected && expected.length > 0) {
      params.push(expected);
      where += ` AND status = ANY($${params.length}::text[])`;
    }
    const sql = `UPDATE requests SET ${sets.join(', ')} WHERE ${where}`;
    if (!record) return (await this.pool.query(sql, params)).rowCount === 1;
    return this.transaction(async (c) => {
      const changed = (await c.query(sql, params)).rowCount === 1;
      if (changed) await this.appendAuditWith(c, record, now);
      return changed;
    });
  }

  async claim(
    id: string,
    owner: string,
    leaseUntil: string,
    now: string,
    record?: (previous: RequestStatus) => NewAuditRecord,
  ): Promise<boolean> {
    const sql = `UPDATE requests SET status = 'running', lease_owner = $2, lease_until = $3, updated_at = $4
       WHERE id = $1 AND (status = 'approved' OR (status = 'running' AND (lease_until IS NULL OR lease_until < $4)))`;
    const params = [id, owner, leaseUntil, now];
    if (!record) return (await this.pool.query(sql, params)).rowCount === 1;
    return this.transaction(async (c) => {
      // The row lock makes the status read here the one the UPDATE below changes.
      const before = await c.query<{ status: RequestStatus }>(
        'SELECT status FROM requests WHERE id = $1 FOR UPDATE',
        [id],
      );
      const previous = before.rows[0]?.status;
      if ((await c.query(sql, params)).rowCount !== 1 || !previous) return false;
      await this.appendAuditWith(c, record(previous), now);
      return true;
    });
  }

  async renewLease(id: string, owner: string, leaseUntil: string, now: string): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE requests SET lease_until = $3, updated_at = $4 WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
      [id, owner, leaseUntil, now],
    );
    return result.rowCount === 1;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.pool.query(
      'UPDATE requests SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2',
      [id, owner],
    );
  }

  async listRunnable(now: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM requests WHERE status = 'approved' OR (status = 'running' AND (lease_until IS NULL OR lease_until < $1))
       ORDER BY created_at, id LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  async listExpiredApprovals(now: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM requests WHERE status = 'pending_approval' AND expires_at IS NOT NULL AND expires_at <= $1
       ORDER BY expires_at, id LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  async listSteps(requestId: string): Promise<RevocationStep[]> {
    const { rows } = await this.pool.query<Row<StepRow>>(
      'SELECT * FROM steps WHERE request_id = $1 ORDER BY ord',
      [requestId],
    );
    return rows.map(rowToStep);
  }

  async updateStep(requestId: string, system: string, patch: StepPatch): Promise<void> {
    const client = await this.pool.connect();
    try {
      await this.updateStepWith(client, requestId, system, patch);
    } finally {
      client.release();
    }
  }

  private async updateStepWith(
    c: pg.PoolClient,
    requestId: string,
    system: string,
    patch: StepPatch,
  ): Promise<void> {
    const params: unknown[] = [requestId, system];
    const sets: string[] = [];
    for (const [key, column, encode] of STEP_PATCH_COLUMNS) {
      if (patch[key] === undefined) continue;
      params.push(encode(patch[key]));
      sets.push(`${column} = $${params.length}`);
    }
    if (sets.length === 0) return;
    await c.query(`UPDATE steps SET ${sets.join(', ')} WHERE request_id = $1 AND system = $2`, params);
  }

  async listRequestsForTarget(slackUserId: string, limit: number): Promise<RevocationRequest[]> {
    const { rows } = await this.pool.query<Row<RequestRow>>(
      `SELECT * FROM requests WHERE target_slack_id = $1 OR (target LIKE '[%' AND target LIKE $3)
       ORDER BY created_at DESC, id DESC LIMIT $2`,
      [slackUserId, limit, `%"slackUserId":"${slackUserId.replace(/[^A-Z0-9]/g, '')}"%`],
    );
    return rows.map(rowToRequest);
  }

  async appendAudit(record: NewAuditRecord, now: string): Promise<AuditRecord> {
    return this.transaction((c) => this.appendAuditWith(c, record, now));
  }

  async updateSteps(
    requestId: string,
    updates: StepUpdate[],
    record: NewAuditRecord | undefined,
    now: string,
  ): Promise<void> {
    await this.transaction(async (c) => {
      for (const u of updates) await this.updateStepWith(c, requestId, u.key, u.patch);
      if (record) await this.appendAuditWith(c, record, now);
    });
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
    return this.transaction(async (c) => {
      await this.updateStepWith(c, requestId, stepKey, patch);
      let last: AuditRecord | undefined;
      for (const r of records) last = await this.appendAuditWith(c, r, now);
      return last as AuditRecord;
    });
  }

  private async appendAuditWith(c: pg.PoolClient, record: NewAuditRecord, now: string): Promise<AuditRecord> {
    // EXCLUSIVE lets readers through but queues every other writer (this
    // method in any process, or a stray INSERT) until we commit, so the
    // SELECT below sees the true last record and nobody takes our seq.
    await c.query('LOCK TABLE audit_log IN EXCLUSIVE MODE');
    const { rows } = await c.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    const last = rows[0];
    const base = {
      seq: (last ? Number(last.seq) : 0) + 1,
      at: now,
      requestId: record.requestId ?? null,
      actor: record.actor,
      action: record.action,
      data: record.data ?? {},
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const full: AuditRecord = { ...base, hash: auditHash(base) };
    await c.query(
      'INSERT INTO audit_log (seq, at, request_id, actor, action, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        full.seq,
        full.at,
        full.requestId,
        full.actor,
        full.action,
        JSON.stringify(full.data),
        full.prevHash,
        full.hash,
      ],
    );
    return full;
  }

  async listAudit(options: { requestId?: string; limit?: number } = {}): Promise<AuditRecord[]> {
    // LIMIT NULL means no limit.
    const limit = options.limit ?? null;
    const { rows } = options.requestId
      ? await this.pool.query<Row<AuditRow>>(
          'SELECT * FROM audit_log WHERE request_id = $1 ORDER BY seq LIMIT $2',
          [options.requestId, limit],
        )
      : await this.pool.query<Row<AuditRow>>('SELECT * FROM audit_log ORDER BY seq LIMIT $1', [limit]);
    return rows.map(rowToAudit);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async metricsSnapshot(now: string): Promise<StoreMetrics> {
    const requests = await this.pool.query<{ source: string; status: RequestStatus; count: string }>(
      'SELECT source, status, COUNT(*) AS count FROM requests GROUP BY source, status',
    );
    const oldest = await this.pool.query<{ at: string | null }>(
      "SELECT MIN(created_at) AS at FROM requests WHERE status = 'pending_approval'",
    );
    const running = await this.pool.query<{ n: string }>(
      "SELECT COUNT(*) AS n FROM requests WHERE status = 'running' AND lease_until > $1",
      [now],
    );
    return {
      requests: requests.rows.map((r) => ({ source: r.source, status: r.status, count: Number(r.count) })),
      oldestPendingApprovalAt: oldest.rows[0]?.at ?? undefined,
      runsInFlight: Number(running.rows[0]?.n ?? 0),
    };
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }

  /** Runs `fn` in BEGIN … COMMIT on one pooled connection; rolls back when it throws. */
  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: destroy it.
      client.release(broken);
    }
  }
}
