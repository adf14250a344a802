import sql from 'sql-template-tag';
import type { KeptSigningKey } from '../engine/store-port/index.js';
import type { Executor } from './backend.js';

interface KeyRow {
  kid: string;
  alg: string;
  private_jwk: string;
  created_at: string;
}

const toKey = (r: KeyRow): KeptSigningKey => ({
  kid: r.kid,
  alg: r.alg,
  privateJwk: JSON.parse(r.private_jwk) as Record<string, unknown>,
  createdAt: r.created_at,
});

export async function auditHeadIn(db: Executor): Promise<{ seq: number; hash: string } | undefined> {
  // The chain head row (migration 9) holds the last record's sequence number and hash; 0 when empty.
  const [head] = await db.all<{ seq: number | string; hash: string }>(
    sql`SELECT seq, hash FROM audit_head WHERE id = 1`,
  );
  return head && Number(head.seq) > 0 ? { seq: Number(head.seq), hash: head.hash } : undefined;
}

export async function signingKeyIn(db: Executor): Promise<KeptSigningKey | undefined> {
  const [row] = await db.all<KeyRow>(sql`SELECT * FROM signing_keys ORDER BY created_at, kid LIMIT 1`);
  return row ? toKey(row) : undefined;
}

export async function keepSigningKeyIn(db: Executor, key: KeptSigningKey): Promise<KeptSigningKey> {
  const kept = await signingKeyIn(db);
  if (kept) return kept;
  await db.run(sql`INSERT INTO signing_keys (kid, alg, private_jwk, created_at)
    VALUES (${key.kid}, ${key.alg}, ${JSON.stringify(key.privateJwk)}, ${key.createdAt}) ON CONFLICT (kid) DO NOTHING`);
  return (await signingKeyIn(db)) ?? key;
}
