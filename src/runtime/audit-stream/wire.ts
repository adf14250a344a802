import type { AuditRecord } from '../../store/types.js';

/** The chain head when a batch was read: the `SEQ:HASH` anchor that `audit verify --anchor` takes. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** One audit record as a SIEM receives it (webhook JSON and syslog structured data carry the same fields). */
export interface WireRecord {
  /** The record's sequence number: a receiver de-duplicates by it (delivery is at least once). */
  seq: number;
  at: string;
  requestId: string | null;
  actor: string;
  action: string;
  data: Record<string, unknown>;
  /** The record's chain hash, and the one before it. */
  hash: string;
  prevHash: string;
  /** The chain head when the record was sent (`anchor` is `seq:hash`, for `audit verify --anchor`). */
  head: ChainHead & { anchor: string };
}

export function wireRecord(record: AuditRecord, head: ChainHead): WireRecord {
  return {
    seq: record.seq,
    at: record.at,
    requestId: record.requestId,
    actor: record.actor,
    action: record.action,
    data: record.data,
    hash: record.hash,
    prevHash: record.prevHash,
    head: { seq: head.seq, hash: head.hash, anchor: `${head.seq}:${head.hash}` },
  };
}

/** Where records are sent; `send` resolves only once the whole batch was accepted, and throws otherwise. */
export interface AuditSink {
  /** `webhook` or `syslog`: the cursor's name in the store, the metric's label. */
  readonly name: string;
  send(records: readonly WireRecord[]): Promise<void>;
  close(): Promise<void>;
}
