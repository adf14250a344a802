import sql, { empty, join, type Sql } from 'sql-template-tag';
import type {
  Effect,
  EffectOutcome,
  EffectState,
  NewEffect,
  OutboxHealth,
} from '../engine/store-port/index.js';
import { FINAL_STATUSES } from '../engine/types.js';
import type { Executor } from './backend.js';

interface EffectRow {
  id: number | string;
  effect_key: string;
  kind: string;
  request_id: string | null;
  payload: string;
  state: EffectState;
  attempts: number | string;
  not_before: string;
  progress: string | null;
  last_error: string | null;
  created_at: string;
  settled_at: string | null;
}

function rowToEffect(r: EffectRow): Effect {
  return {
    id: Number(r.id),
    kind: r.kind,
    key: r.effect_key,
    requestId: r.request_id ?? undefined,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    state: r.state,
    attempts: Number(r.attempts),
    notBefore: r.not_before,
    progress: r.progress ? (JSON.parse(r.progress) as Record<string, unknown>) : undefined,
    lastError: r.last_error ?? undefined,
    createdAt: r.created_at,
    settledAt: r.settled_at ?? undefined,
  };
}

/** Longest error text kept with an effect. */
const MAX_ERROR = 500;

/** Writes effects inside the caller's transaction; a key already written is skipped. */
export async function insertEffectsIn(
  db: Executor,
  effects: readonly NewEffect[],
  now: string,
): Promise<void> {
  if (effects.length === 0) return;
  const rows = effects.map(
    (e) =>
      sql`(${e.key}, ${e.kind}, ${e.requestId ?? null}, ${JSON.stringify(e.payload ?? {})}, 'pending', 0, ${e.notBefore ?? now}, ${now})`,
  );
  await db.run(sql`INSERT INTO outbox (effect_key, kind, request_id, payload, state, attempts, not_before, created_at)
    VALUES ${join(rows)} ON CONFLICT (effect_key) DO NOTHING`);
}

const free = (now: string): Sql => sql`(lease_until IS NULL OR lease_until < ${now})`;

/**
 * Effects due now that nobody holds, oldest first, at most one per request: the first of a
 * request's effects still pending (a later one waits until it is done or failed).
 */
const dueEffects = (now: string, limit: number): Sql =>
  sql`SELECT * FROM outbox o WHERE o.state = 'pending' AND o.not_before <= ${now}
    AND (o.lease_until IS NULL OR o.lease_until < ${now})
    AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.request_id = o.request_id AND p.id < o.id AND p.state = 'pending')
    ORDER BY o.id LIMIT ${limit}`;

/** Claims due effects for `owner` until `leaseUntil` (compare-and-set per row: replicas never share one). */
export async function claimEffectsIn(
  db: Executor,
  owner: string,
  now: string,
  leaseUntil: string,
  limit: number,
): Promise<Effect[]> {
  const claimed: Effect[] = [];
  for (const row of await db.all<EffectRow>(dueEffects(now, limit))) {
    const took =
      await db.run(sql`UPDATE outbox SET lease_owner = ${owner}, lease_until = ${leaseUntil}, attempts = attempts + 1
      WHERE id = ${row.id} AND state = 'pending' AND ${free(now)}`);
    if (took === 1) claimed.push({ ...rowToEffect(row), attempts: Number(row.attempts) + 1 });
  }
  return claimed;
}

/** The statement that settles an effect `owner` holds; undefined changes nothing. */
export function settleEffect(id: number, owner: string, outcome: EffectOutcome, now: string): Sql {
  const held = sql`id = ${id} AND lease_owner = ${owner} AND state = 'pending'`;
  if ('done' in outcome)
    return sql`UPDATE outbox SET state = 'done', settled_at = ${now}, lease_owner = NULL, lease_until = NULL WHERE ${held}`;
  if ('failed' in outcome)
    return sql`UPDATE outbox SET state = 'failed', settled_at = ${now}, last_error = ${outcome.failed.slice(0, MAX_ERROR)},
      lease_owner = NULL, lease_until = NULL WHERE ${held}`;
  return sql`UPDATE outbox SET not_before = ${outcome.retryAt}, last_error = ${outcome.error.slice(0, MAX_ERROR)},
    lease_owner = NULL, lease_until = NULL WHERE ${held}`;
}

export const renewEffectLease = (id: number, owner: string, leaseUntil: string): Sql =>
  sql`UPDATE outbox SET lease_until = ${leaseUntil} WHERE id = ${id} AND lease_owner = ${owner} AND state = 'pending'`;

export const saveEffectProgress = (id: number, owner: string, progress: Record<string, unknown>): Sql =>
  sql`UPDATE outbox SET progress = ${JSON.stringify(progress)} WHERE id = ${id} AND lease_owner = ${owner} AND state = 'pending'`;

/**
 * Forgets up to `limit` effects settled (done, or failed for good) before `before`, of requests that
 * are over (or of no request): a request still open may write an effect again under the same key,
 * and its earlier row is what makes that write add nothing. Returns how many were forgotten.
 */
export async function pruneEffectsIn(db: Executor, before: string, limit: number): Promise<number> {
  const over = join(FINAL_STATUSES.map((s) => sql`${s}`));
  return db.run(sql`DELETE FROM outbox WHERE id IN (SELECT o.id FROM outbox o
    WHERE o.state IN ('done', 'failed') AND o.settled_at < ${before}
    AND (o.request_id IS NULL OR EXISTS (SELECT 1 FROM requests r WHERE r.id = o.request_id AND r.status IN (${over})))
    ORDER BY o.state, o.settled_at LIMIT ${limit})`);
}

export async function listEffectsIn(db: Executor, requestId: string | undefined): Promise<Effect[]> {
  const where = requestId === undefined ? empty : sql` WHERE request_id = ${requestId}`;
  return (await db.all<EffectRow>(sql`SELECT * FROM outbox${where} ORDER BY id`)).map(rowToEffect);
}

/**
 * Pending effects, as health counts them: a scheduled effect (written for later, e.g. a re-check
 * in 30 min) is not waiting until its time has come, so it neither counts nor ages before then.
 */
export async function outboxHealthIn(db: Executor, now: string): Promise<OutboxHealth> {
  const [pending] = await db.all<{ n: number | string; at: string | null }>(
    sql`SELECT COUNT(*) AS n, MIN(CASE WHEN attempts = 0 AND not_before > created_at THEN not_before ELSE created_at END) AS at
      FROM outbox WHERE state = 'pending' AND (attempts > 0 OR not_before <= created_at OR not_before <= ${now})`,
  );
  const failed = await db.all<{ kind: string; n: number | string }>(
    sql`SELECT kind, COUNT(*) AS n FROM outbox WHERE state = 'failed' GROUP BY kind ORDER BY kind`,
  );
  return {
    pending: Number(pending?.n ?? 0),
    failed: failed.map((f) => ({ kind: f.kind, count: Number(f.n) })),
    oldestPendingAt: pending?.at ?? undefined,
  };
}
