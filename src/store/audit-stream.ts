import sql from 'sql-template-tag';
import type { AuditStreamPosition, AuditStreamStore } from '../engine/store-port/index.js';
import type { Backend } from './backend.js';

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
