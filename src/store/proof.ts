import sql from 'sql-template-tag';
import type { Executor } from './backend.js';

/** A signing key the app created and keeps (evidence, and later Shared Signals): its private JWK. */
export interface KeptSigningKey {
  kid: string;
  alg: string;
  /** The private key as a JWK (a secret: it never leaves the store but to sign). */
  privateJwk: Record<string, unknown>;
  createdAt: string;
}

/** What proof needs of the store beyond requests: the audit chain's head, a kept signing key. */
export interface StoreProof {
  /** The audit log's last record (its sequence number and hash), or undefined when it is empty. */
  auditHead(): Promise<{ seq: number; hash: string } | undefined>;
  /** The kept signing key (the oldest, when several replicas raced to keep one), if any. */
  signingKey(): Promise<KeptSigningKey | undefined>;
  /**
   * Keeps `key` unless one is kept already; returns the key kept (this one, or the one another
   * replica kept first): every replica signs with the same key.
   */
  keepSigningKey(key: KeptSigningKey): Promise<KeptSigningKey>;
}

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
