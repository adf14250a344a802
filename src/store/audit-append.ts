import type { Sql } from 'sql-template-tag';
import { auditHash } from '../engine/audit-chain.js';
import type { AuditRecord, NewAuditRecord, NewEffect } from '../engine/store-port/index.js';
import type { Backend, Dialect, Executor } from './backend.js';
import { insertEffectsIn } from './outbox.js';
import { auditHead, insertAudit, moveAuditHead } from './statements.js';

/**
 * Appends records in order inside the caller's write transaction; resolves to the last one
 * (undefined for none). The chain head (`audit_head`, one row) is read under the dialect's row
 * lock, so appends from every connection and process queue on that one row — not on the whole
 * table — until the commit: the head read is the true predecessor and nobody else takes the
 * next sequence numbers. Throws (taking the transaction with it) when a record cannot be
 * serialised.
 */
export async function appendAllIn(
  tx: Executor,
  dialect: Dialect,
  records: readonly NewAuditRecord[],
  now: string,
): Promise<AuditRecord | undefined> {
  if (records.length === 0) return undefined;
  const [head] = await tx.all<{ seq: number | string; hash: string }>(auditHead(dialect));
  if (!head) throw new Error('the audit log has no chain head (audit_head): migrate the store');
  let seq = Number(head.seq);
  let prevHash = head.hash;
  const full = records.map((record): AuditRecord => {
    const base = {
      seq: ++seq,
      at: now,
      requestId: record.requestId ?? null,
      actor: record.actor,
      action: record.action,
      data: record.data ?? {},
      prevHash,
    };
    const hash = auditHash(base);
    prevHash = hash;
    return { ...base, hash };
  });
  const last = full[full.length - 1] as AuditRecord;
  await tx.run(insertAudit(full));
  await tx.run(moveAuditHead(last));
  return last;
}

/** Appends one record inside the caller's write transaction (see {@link appendAllIn}). */
export async function appendAuditIn(
  tx: Executor,
  dialect: Dialect,
  record: NewAuditRecord,
  now: string,
): Promise<AuditRecord> {
  return (await appendAllIn(tx, dialect, [record], now)) as AuditRecord;
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
