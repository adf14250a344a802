import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'jose';
import type { KeptSigningKey } from '../engine/store-port/index.js';
import { readNamedFile } from '../util/read-file.js';

/** The smallest RSA modulus accepted for RS256 signing (RFC 7518 §3.3). */
export const MIN_RSA_BITS = 2048;

/**
 * The app's RS256 signing key, for signed evidence and Shared Signals' SETs alike: the private key
 * (a secret: kept in this object only, never logged), its public half as a JWK for the JWKS, and
 * its `kid` (the RFC 7638 thumbprint, so the same key has the same id in every replica, across
 * restarts). It comes from the PEM file `SSF_SIGNING_KEY_FILE` when set; else evidence uses one the
 * app creates once and keeps in the store (every replica signs with the same one).
 */
export interface SigningKey {
  readonly alg: 'RS256';
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** `{kty, n, e, kid, alg, use}`: what a JWKS publishes. */
  readonly publicJwk: JWK;
}

/** Where a kept key lives (the store's part that keeps it). */
export interface KeyKeeper {
  signingKey(): Promise<KeptSigningKey | undefined>;
  keepSigningKey(key: KeptSigningKey): Promise<KeptSigningKey>;
}

/** A key file that cannot be used: the sentence names the variable and what to put in it. */
export class SigningKeyError extends Error {}

/** The key's public half, `kid` and JWK; `undefined` when it is not an RSA key of at least 2048 bits. */
function signingKeyOf(privateKey: KeyObject): SigningKey | undefined {
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (privateKey.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) return undefined;
  // The public half is derived from the private key, so a mismatched pair can never be published.
  const { kty, n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
  // RFC 7638: the SHA-256 of the required members, in lexicographic order, without whitespace.
  const kid = createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
  return { alg: 'RS256', kid, privateKey, publicJwk: { kty, n, e, kid, alg: 'RS256', use: 'sig' } };
}

/**
 * Reads an RS256 private key (PEM, PKCS#8 or PKCS#1, RSA, at least 2048 bits) from `path`. Every
 * problem is a sentence naming `variable`; none quotes the file (it is a private key).
 */
export function loadSigningKey(
  path: string,
  variable: string,
  read?: (path: string) => string,
): { key: SigningKey } | { problem: string } {
  const file = readNamedFile(path, variable, 'the path of a PEM file with an RSA private key', read);
  if ('problem' in file) return file;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: file.text, format: 'pem' });
  } catch {
    return {
      problem: `${variable} is not a PEM private key: make one with \`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out ssf-signing.pem\``,
    };
  }
  const key = signingKeyOf(privateKey);
  if (key) return { key };
  const bits = privateKey.asymmetricKeyDetails?.modulusLength;
  return {
    problem: `${variable} must hold an RSA private key of at least ${MIN_RSA_BITS} bits for RS256 (this one is ${privateKey.asymmetricKeyType ?? 'unknown'}${bits ? `, ${bits} bits` : ''})`,
  };
}

/** A key the store kept, as a signing key (it was checked when it was created). */
function fromKept(kept: KeptSigningKey): SigningKey {
  const key = signingKeyOf(
    createPrivateKey({ key: kept.privateJwk as JWK & { kty: string }, format: 'jwk' }),
  );
  if (!key)
    throw new SigningKeyError('the signing key kept in the store is not an RSA key of at least 2048 bits');
  return key;
}

/** The kept key, created (2048-bit RSA) and kept the first time; a replica that lost the race uses the winner's. */
export async function keptKey(keeper: KeyKeeper, now: () => Date = () => new Date()): Promise<SigningKey> {
  const kept = await keeper.signingKey();
  if (kept) return fromKept(kept);
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: MIN_RSA_BITS });
  const created = signingKeyOf(privateKey) as SigningKey;
  const winner = await keeper.keepSigningKey({
    kid: created.kid,
    alg: 'RS256',
    privateJwk: privateKey.export({ format: 'jwk' }) as Record<string, unknown>,
    createdAt: now().toISOString(),
  });
  return winner.kid === created.kid ? created : fromKept(winner);
}

/**
 * The signing key: from `SSF_SIGNING_KEY_FILE` when one is configured, else the kept one. Loaded
 * once, then reused; a failure is tried again at the next use.
 */
export function signingKeySource(file: string | undefined, keeper: KeyKeeper): () => Promise<SigningKey> {
  let loading: Promise<SigningKey> | undefined;
  const load = async (): Promise<SigningKey> => {
    if (!file) return keptKey(keeper);
    const loaded = loadSigningKey(file, 'SSF_SIGNING_KEY_FILE');
    if ('problem' in loaded) throw new SigningKeyError(loaded.problem);
    return loaded.key;
  };
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/** A JWKS (RFC 7517 §5) of these keys' public halves (`/evidence/jwks.json`, the transmitter's `jwks_uri`). */
export function jwksOf(keys: readonly SigningKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => ({ ...k.publicJwk })) };
}
