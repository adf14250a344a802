import sql from 'sql-template-tag';
import type { Executor } from './backend.js';
import { lastAudit } from './statements.js';

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
  const [last] = await db.all<{ seq: number | string; hash: string }>(lastAudit());
  return last ? { seq: Number(last.seq), hash: last.hash } : undefined;
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
