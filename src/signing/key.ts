import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { KeptSigningKey } from '../engine/store-port/index.js';

/**
 * The app's signing key (RS256): signed evidence, and Shared Signals' SETs. From the PEM file
 * `SSF_SIGNING_KEY_FILE` when set, else one the app creates once and keeps in the store (every
 * replica signs with the same one). The private key never leaves this object but to sign.
 */
export interface SigningKey {
  alg: 'RS256';
  /** The public key's JWK thumbprint (RFC 7638). */
  kid: string;
  privateKey: Awaited<ReturnType<typeof importJWK>>;
  /** The public key as a JWK (with kid, alg, use): what verifiers are given. */
  publicJwk: JWK;
  /** Where it came from: the key file, or the store. */
  source: 'file' | 'store';
}

/** Where a kept key lives (the store's part that keeps it). */
export interface KeyKeeper {
  signingKey(): Promise<KeptSigningKey | undefined>;
  keepSigningKey(key: KeptSigningKey): Promise<KeptSigningKey>;
}

/** RSA keys shorter than this are refused (RFC 7518 §3.3). */
const MIN_BITS = 2048;

/** A key file that cannot be used, naming the variable and what to put in it. */
export class SigningKeyError extends Error {}

async function fromPrivateJwk(privateJwk: JWK, source: SigningKey['source']): Promise<SigningKey> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = privateJwk;
  const kid = await calculateJwkThumbprint(pub);
  return {
    alg: 'RS256',
    kid,
    privateKey: await importJWK(privateJwk, 'RS256'),
    publicJwk: { ...pub, kid, alg: 'RS256', use: 'sig' },
    source,
  };
}

/** Reads an RSA private key (PKCS#8 or PKCS#1 PEM) from `path`. */
export async function keyFromFile(path: string): Promise<SigningKey> {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    throw new SigningKeyError(
      'SSF_SIGNING_KEY_FILE cannot be read: point it at an RSA private key (PEM) the app may read',
    );
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new SigningKeyError(
      'SSF_SIGNING_KEY_FILE holds no private key: it must be an RSA private key in PEM',
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_BITS)
    throw new SigningKeyError(
      `SSF_SIGNING_KEY_FILE must hold an RSA key of at least ${MIN_BITS} bits (RS256)`,
    );
  // The public half is derived here, so a mismatched pair can never be published.
  createPublicKey(key);
  return fromPrivateJwk(key.export({ format: 'jwk' }) as JWK, 'file');
}

/** The kept key, created (2048-bit RSA) and kept the first time; a replica that lost the race uses the winner's. */
export async function keptKey(keeper: KeyKeeper, now: () => Date = () => new Date()): Promise<SigningKey> {
  const kept = await keeper.signingKey();
  if (kept) return fromPrivateJwk(kept.privateJwk as JWK, 'store');
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: MIN_BITS, extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const created = await fromPrivateJwk(privateJwk, 'store');
  const winner = await keeper.keepSigningKey({
    kid: created.kid,
    alg: 'RS256',
    privateJwk: privateJwk as Record<string, unknown>,
    createdAt: now().toISOString(),
  });
  return winner.kid === created.kid ? created : fromPrivateJwk(winner.privateJwk as JWK, 'store');
}

/** The signing key: from the file when one is configured, else the kept one. Loaded once, then reused. */
export function signingKeySource(file: string | undefined, keeper: KeyKeeper): () => Promise<SigningKey> {
  let loading: Promise<SigningKey> | undefined;
  return () => {
    loading ??= (file ? keyFromFile(file) : keptKey(keeper)).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/** The public keys as a JWK Set (`/evidence/jwks.json`). */
export const jwks = (key: SigningKey): { keys: JWK[] } => ({ keys: [key.publicJwk] });
