import sql from 'sql-template-tag';
import type { Backend } from './backend.js';

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

interface Row {
  sink: string;
  seq: number | string;
  failing_since: string | null;
  last_error: string | null;
}

const held = (sink: string, owner: string) => sql`sink = ${sink} AND lease_owner = ${owner}`;

export class SqlAuditStream implements AuditStreamStore {
  constructor(private readonly db: Backend) {}

  async claim(sink: string, owner: string, now: string, leaseUntil: string): Promise<number | undefined> {
    await this.db.run(sql`INSERT INTO audit_stream (sink, seq, updated_at) VALUES (${sink}, 0, ${now})
      ON CONFLICT (sink) DO NOTHING`);
    const took =
      await this.db.run(sql`UPDATE audit_stream SET lease_owner = ${owner}, lease_until = ${leaseUntil}
      WHERE sink = ${sink} AND (lease_owner IS NULL OR lease_owner = ${owner} OR lease_until < ${now})`);
    if (took !== 1) return undefined;
    const [row] = await this.db.all<Row>(sql`SELECT * FROM audit_stream WHERE ${held(sink, owner)}`);
    return row ? Number(row.seq) : undefined;
  }

  async advance(sink: string, owner: string, from: number, to: number, now: string): Promise<boolean> {
    const moved =
      await this.db.run(sql`UPDATE audit_stream SET seq = ${to}, failing_since = NULL, last_error = NULL,
      updated_at = ${now} WHERE ${held(sink, owner)} AND seq = ${from}`);
    return moved === 1;
  }

  async failed(sink: string, owner: string, error: string, now: string): Promise<void> {
    await this.db.run(sql`UPDATE audit_stream SET failing_since = COALESCE(failing_since, ${now}),
      last_error = ${error.slice(0, 500)}, updated_at = ${now} WHERE ${held(sink, owner)}`);
  }

  async release(sink: string, owner: string): Promise<void> {
    await this.db.run(
      sql`UPDATE audit_stream SET lease_owner = NULL, lease_until = NULL WHERE ${held(sink, owner)}`,
    );
  }

  async positions(): Promise<AuditStreamPosition[]> {
    const rows = await this.db.all<Row>(sql`SELECT * FROM audit_stream ORDER BY sink`);
    return rows.map((r) => ({
      sink: r.sink,
      seq: Number(r.seq),
      failingSince: r.failing_since ?? undefined,
      lastError: r.last_error ?? undefined,
    }));
  }
}
