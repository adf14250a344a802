/**
 * Where each SIEM sink (`webhook`, `syslog`) is in the audit log: the last sequence number it was
 * sent, moved only after a delivery succeeded (at least once: a crash between the send and the move
 * sends the same records again, never skips one). One deliverer per sink at a time holds its lease,
 * so every replica's sends reach the sink in order.
 */
export interface AuditStreamStore {
  /** Takes (or renews) `sink`'s lease for `owner` until `leaseUntil`; its cursor, or undefined when another holds it. */
  claim(sink: string, owner: string, now: string, leaseUntil: string): Promise<number | undefined>;
  /** Moves the cursor from `from` to `to` (compare-and-set, held by `owner`); clears the failure. */
  advance(sink: string, owner: string, from: number, to: number, now: string): Promise<boolean>;
  /** Notes a failed delivery: since when the sink fails (kept from the first failure), and why. */
  failed(sink: string, owner: string, error: string, now: string): Promise<void>;
  /** Lets another deliverer take the sink at once (a clean stop). */
  release(sink: string, owner: string): Promise<void>;
  /** Every sink's cursor and failure, for metrics and readiness. */
  positions(): Promise<AuditStreamPosition[]>;
}

export interface AuditStreamPosition {
  sink: string;
  seq: number;
  failingSince: string | undefined;
  lastError: string | undefined;
}
