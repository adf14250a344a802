import type { AuditRecord } from '../../engine/store-port/index.js';

/** The chain head when a batch was read: the `SEQ:HASH` anchor that `audit verify --anchor` takes. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * One audit record as a SIEM receives it (webhook JSON and syslog structured data carry the same
 * fields): the record as the log has it (`seq`, by which a receiver de-duplicates, its chain `hash`
 * and `prevHash`, `requestId`…) and the chain head when it was sent (`anchor` is `seq:hash`, for
 * `audit verify --anchor`).
 */
export interface WireRecord extends AuditRecord {
  head: ChainHead & { anchor: string };
}

export function wireRecord(record: AuditRecord, head: ChainHead): WireRecord {
  return { ...record, head: { seq: head.seq, hash: head.hash, anchor: `${head.seq}:${head.hash}` } };
}

/** Where records are sent; `send` resolves only once the whole batch was accepted, and throws otherwise. */
export interface AuditSink {
  /** `webhook` or `syslog`: the cursor's name in the store, the metric's label. */
  readonly name: string;
  send(records: readonly WireRecord[]): Promise<void>;
  close(): Promise<void>;
}
