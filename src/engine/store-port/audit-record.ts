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

/** One page of the audit log, read in sequence order (`audit` listings, export, `audit verify`). */
export interface AuditQuery {
  /** Records after this sequence number (default 0: from the first). */
  afterSeq?: number | undefined;
  /** At most this many records. */
  limit: number;
  /** One request's records only. */
  requestId?: string | undefined;
  /** Records written at or after this time (ISO-8601). */
  since?: string | undefined;
  /** Records written before this time (ISO-8601). */
  until?: string | undefined;
  /** Records of these actions only. */
  actions?: readonly string[] | undefined;
  /**
   * Person keys (`slack:U…`, `email:…`, `cli:<user>`): every record of the requests naming one
   * of them (as a target or as the requester), every record one of them made (its actor), and
   * request-less records naming one of them (a preview of their sessions).
   */
  people?: readonly string[] | undefined;
}
