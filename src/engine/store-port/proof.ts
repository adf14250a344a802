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
