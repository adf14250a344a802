import sql, { join } from 'sql-template-tag';
import type { QueuedSet, SignalStore, StreamRecord, StreamStatus } from '../engine/store-port/index.js';
import type { Backend } from './backend.js';

interface StreamRow {
  stream_id: string;
  audience: string;
  config: string;
  status: StreamStatus;
  status_reason: string | null;
  created_at: string;
  updated_at: string;
}

const toStream = (r: StreamRow): StreamRecord => ({
  id: r.stream_id,
  audience: r.audience,
  config: JSON.parse(r.config) as Record<string, unknown>,
  status: r.status,
  statusReason: r.status_reason ?? undefined,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** {@link SignalStore} over either database (the statements are the same for both). */
export class SqlSignalStore implements SignalStore {
  constructor(private readonly db: Backend) {}

  async createStream(s: StreamRecord): Promise<void> {
    await this.db.run(sql`INSERT INTO ssf_streams (stream_id, audience, config, status, status_reason, created_at, updated_at)
      VALUES (${s.id}, ${s.audience}, ${JSON.stringify(s.config)}, ${s.status}, ${s.statusReason ?? null}, ${s.createdAt}, ${s.updatedAt})`);
  }

  async getStream(id: string): Promise<StreamRecord | undefined> {
    const [row] = await this.db.all<StreamRow>(sql`SELECT * FROM ssf_streams WHERE stream_id = ${id}`);
    return row ? toStream(row) : undefined;
  }

  async listStreams(audience?: string): Promise<StreamRecord[]> {
    const rows =
      audience === undefined
        ? await this.db.all<StreamRow>(sql`SELECT * FROM ssf_streams ORDER BY created_at, stream_id`)
        : await this.db.all<StreamRow>(
            sql`SELECT * FROM ssf_streams WHERE audience = ${audience} ORDER BY created_at, stream_id`,
          );
    return rows.map(toStream);
  }

  async updateStream(
    id: string,
    patch: { config?: Record<string, unknown>; status?: StreamStatus; statusReason?: string | null },
    now: string,
  ): Promise<boolean> {
    const sets = [sql`updated_at = ${now}`];
    if (patch.config) sets.push(sql`config = ${JSON.stringify(patch.config)}`);
    if (patch.status) sets.push(sql`status = ${patch.status}`);
    if (patch.statusReason !== undefined) sets.push(sql`status_reason = ${patch.statusReason}`);
    return (await this.db.run(sql`UPDATE ssf_streams SET ${join(sets)} WHERE stream_id = ${id}`)) === 1;
  }

  deleteStream(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.run(sql`DELETE FROM ssf_queue WHERE stream_id = ${id}`);
      return (await tx.run(sql`DELETE FROM ssf_streams WHERE stream_id = ${id}`)) === 1;
    });
  }

  async queueSet(streamId: string, jti: string, set: string, now: string): Promise<void> {
    await this.db.run(sql`INSERT INTO ssf_queue (stream_id, jti, set_jwt, created_at)
      VALUES (${streamId}, ${jti}, ${set}, ${now}) ON CONFLICT (stream_id, jti) DO NOTHING`);
  }

  async waitingSets(streamId: string, max: number): Promise<QueuedSet[]> {
    const rows = await this.db.all<{ jti: string; set_jwt: string }>(
      sql`SELECT jti, set_jwt FROM ssf_queue WHERE stream_id = ${streamId} ORDER BY created_at, jti LIMIT ${max}`,
    );
    return rows.map((r) => ({ jti: r.jti, set: r.set_jwt }));
  }

  async removeSets(streamId: string, jtis: readonly string[]): Promise<number> {
    if (jtis.length === 0) return 0;
    return this.db.run(
      sql`DELETE FROM ssf_queue WHERE stream_id = ${streamId} AND jti IN (${join([...jtis])})`,
    );
  }

  async countWaiting(streamId: string): Promise<number> {
    const [row] = await this.db.all<{ n: number | string }>(
      sql`SELECT COUNT(*) AS n FROM ssf_queue WHERE stream_id = ${streamId}`,
    );
    return Number(row?.n ?? 0);
  }

  async inboundSeen(issuer: string, jti: string): Promise<boolean> {
    const rows = await this.db.all(
      sql`SELECT 1 AS seen FROM ssf_inbound WHERE issuer = ${issuer} AND jti = ${jti}`,
    );
    return rows.length > 0;
  }

  async rememberInbound(issuer: string, jti: string, outcome: string, now: string): Promise<boolean> {
    const added = await this.db.run(sql`INSERT INTO ssf_inbound (issuer, jti, outcome, received_at)
      VALUES (${issuer}, ${jti}, ${outcome}, ${now}) ON CONFLICT (issuer, jti) DO NOTHING`);
    return added === 1;
  }

  pruneInbound(before: string): Promise<number> {
    return this.db.run(sql`DELETE FROM ssf_inbound WHERE received_at < ${before}`);
  }
}
