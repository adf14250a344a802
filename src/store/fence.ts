import type { Sql } from 'sql-template-tag';
import type { FencingToken, NewAuditRecord, NewEffect } from '../engine/store-port/index.js';
import type { RequestStatus } from '../engine/types.js';
import { appendAuditIn } from './audit-append.js';
import type { Backend, Executor } from './backend.js';
import { insertEffectsIn } from './outbox.js';
import * as q from './statements.js';

/**
 * Claims a request for running with the next fencing token (see `Store.claim`): the token, or
 * undefined when it was not claimed. With `record` (and `effects`), the claim, its audit record and
 * its effects are one write.
 */
export async function claimIn(
  db: Backend,
  id: string,
  owner: string,
  leaseUntil: string,
  now: string,
  record?: (previous: RequestStatus, fence: FencingToken) => NewAuditRecord,
  effects: NewEffect[] = [],
): Promise<FencingToken | undefined> {
  const update = q.claim(id, owner, leaseUntil, now);
  const token = (rows: { fence: number | string }[]) => (rows[0] ? Number(rows[0].fence) : undefined);
  if (!record && effects.length === 0) return token(await db.all(update));
  return db.transaction(async (tx) => {
    // Locked (or inside the write lock): the status read is the one the update changes.
    const [before] = await tx.all<{ status: RequestStatus }>(q.selectStatus(id, db.dialect));
    const fence = before ? token(await tx.all(update)) : undefined;
    if (!before || fence === undefined) return undefined;
    if (record) await appendAuditIn(tx, db.dialect, record(before.status, fence), now);
    await insertEffectsIn(tx, effects, now);
    return fence;
  });
}

/**
 * Whether `fence` is still the request's current token and the request still `running`. Inside a
 * write transaction, with the dialect's `forUpdate` as `lock`, the row is locked (PostgreSQL) or
 * the write lock held (SQLite) until the transaction ends, so no claim can come between this
 * check and the writes that follow it.
 */
export async function holdsIn(
  db: Executor,
  requestId: string,
  fence: FencingToken,
  lock?: Sql,
): Promise<boolean> {
  const [row] = await db.all<{ status: string; fence: number | string }>(q.selectFence(requestId, lock));
  return row?.status === 'running' && Number(row.fence) === fence;
}
