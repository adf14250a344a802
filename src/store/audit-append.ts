import type { Sql } from 'sql-template-tag';
import { auditHash, GENESIS_HASH } from './audit-chain.js';
import type { Backend, Dialect, Executor } from './backend.js';
import { insertEffectsIn, type NewEffect } from './outbox.js';
import { insertAudit, lastAudit } from './statements.js';
import type { AuditRecord, NewAuditRecord } from './types.js';

/**
 * Appends one record inside the caller's write transaction: locks the log as
 * the dialect says (so the last record read is the true predecessor and
 * nobody else takes the next sequence number before the commit), links the
 * record to it and inserts it. Throws (taking the transaction with it) when
 * the record cannot be serialised.
 */
export async function appendAuditIn(
  tx: Executor,
  dialect: Dialect,
  record: NewAuditRecord,
  now: string,
): Promise<AuditRecord> {
  if (dialect.lockAudit) await tx.run(dialect.lockAudit);
  const [last] = await tx.all<{ seq: number | string; hash: string }>(lastAudit());
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
  await tx.run(insertAudit(full));
  return full;
}

/** Appends several records in order; resolves to the last one (undefined for none). */
export async function appendAllIn(
  tx: Executor,
  dialect: Dialect,
  records: NewAuditRecord[],
  now: string,
): Promise<AuditRecord | undefined> {
  let last: AuditRecord | undefined;
  for (const r of records) last = await appendAuditIn(tx, dialect, r, now);
  return last;
}

/**
 * Runs a compare-and-set `update`; only when it changed a row, `record` is appended and `effects`
 * written to the outbox in the same transaction. Without either, the update runs on its own.
 */
export async function changeWithRecord(
  db: Backend,
  update: Sql,
  now: string,
  record?: NewAuditRecord,
  effects: readonly NewEffect[] = [],
): Promise<boolean> {
  if (!record && effects.length === 0) return (await db.run(update)) === 1;
  return db.transaction(async (tx) => {
    const changed = (await tx.run(update)) === 1;
    if (changed && record) await appendAuditIn(tx, db.dialect, record, now);
    if (changed) await insertEffectsIn(tx, effects, now);
    return changed;
  });
}
