import { createHash } from 'node:crypto';
import type { AuditRecord } from './types.js';

/** The hash of the (empty) record before the first one. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted, so the same record always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256(prevHash + canonical record), hex. */
export function auditHash(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { prevHash, hash: _ignored, ...rest } = record;
  return createHash('sha256').update(prevHash).update(canonicalJson(rest)).digest('hex');
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  /** The first record whose hash or link is wrong, or where a sequence number is missing. */
  brokenAt?: number | undefined;
  problem?: string | undefined;
}

/** Verifies a full audit log read in sequence order. */
export function verifyChain(records: AuditRecord[]): ChainVerification {
  let prev = GENESIS_HASH;
  let expectedSeq = records[0]?.seq ?? 1;
  if (expectedSeq !== 1)
    return { ok: false, checked: 0, brokenAt: 1, problem: 'the first record(s) are missing' };
  for (const r of records) {
    if (r.seq !== expectedSeq) {
      return {
        ok: false,
        checked: expectedSeq - 1,
        brokenAt: expectedSeq,
        problem: `record ${expectedSeq} is missing`,
      };
    }
    if (r.prevHash !== prev) {
      return {
        ok: false,
        checked: r.seq - 1,
        brokenAt: r.seq,
        problem: `record ${r.seq} does not link to record ${r.seq - 1}`,
      };
    }
    if (auditHash(r) !== r.hash) {
      return {
        ok: false,
        checked: r.seq - 1,
        brokenAt: r.seq,
        problem: `record ${r.seq} was changed after it was written`,
      };
    }
    prev = r.hash;
    expectedSeq++;
  }
  return { ok: true, checked: records.length };
}
