/** The audit log's records: the store's leaf types (imported by the store interface and its queues). */

/** One append-only audit record; `hash` chains it to the record before it. */
export interface AuditRecord {
  seq: number;
  at: string;
  requestId: string | null;
  actor: string;
  action: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface NewAuditRecord {
  requestId?: string | undefined;
  actor: string;
  action: string;
  data?: Record<string, unknown> | undefined;
}
