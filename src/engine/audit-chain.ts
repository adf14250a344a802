import { createHash } from 'node:crypto';
import type { AuditRecord } from './store-port/index.js';

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

/**
 * Verifies the audit log record by record, in sequence order, holding only the last hash: feed
 * it a stream of any length. {@link ChainVerifier.add} returns false at the first bad record
 * (then {@link ChainVerifier.result} says where and why, and further records are ignored).
 */
export class ChainVerifier {
  private prev = GENESIS_HASH;
  private expectedSeq = 1;
  private broken: ChainVerification | undefined;

  add(r: AuditRecord): boolean {
    if (this.broken) return false;
    const seq = this.expectedSeq;
    if (r.seq !== seq)
      this.broken = {
        ok: false,
        checked: seq - 1,
        brokenAt: seq,
        problem: seq === 1 ? 'the first record(s) are missing' : `record ${seq} is missing`,
      };
    else if (r.prevHash !== this.prev)
      this.broken = {
        ok: false,
        checked: seq - 1,
        brokenAt: seq,
        problem: `record ${seq} does not link to record ${seq - 1}`,
      };
    else if (auditHash(r) !== r.hash)
      this.broken = {
        ok: false,
        checked: seq - 1,
        brokenAt: seq,
        problem: `record ${seq} was changed after it was written`,
      };
    if (this.broken) return false;
    this.prev = r.hash;
    this.expectedSeq++;
    return true;
  }

  result(): ChainVerification {
    return this.broken ?? { ok: true, checked: this.expectedSeq - 1 };
  }
}

/** Verifies a full audit log read in sequence order. */
export function verifyChain(records: Iterable<AuditRecord>): ChainVerification {
  const verifier = new ChainVerifier();
  for (const r of records) if (!verifier.add(r)) break;
  return verifier.result();
}
