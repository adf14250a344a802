import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { readNamedFile } from '../util/read-file.js';

/** The smallest RSA modulus accepted for RS256 signing (RFC 7518 §3.3). */
export const MIN_RSA_BITS = 2048;

/**
 * An RS256 signing key as the app uses it: the private key (a secret: kept in this object only,
 * never logged), its public half as a JWK for the JWKS, and its `kid` (the RFC 7638 thumbprint, so
 * the same key always has the same id, in every replica, across restarts).
 */
export interface SigningKey {
  readonly alg: 'RS256';
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** `{kty, n, e, kid, alg, use}`: what a JWKS publishes. */
  readonly publicJwk: JWK;
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
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (privateKey.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    return {
      problem: `${variable} must hold an RSA private key of at least ${MIN_RSA_BITS} bits for RS256 (this one is ${privateKey.asymmetricKeyType ?? 'unknown'}${bits ? `, ${bits} bits` : ''})`,
    };
  }
  const { kty, n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
  // RFC 7638: the SHA-256 of the required members, in lexicographic order, without whitespace.
  const kid = createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
  return {
    key: { alg: 'RS256', kid, privateKey, publicJwk: { kty, n, e, kid, alg: 'RS256', use: 'sig' } },
  };
}

/** A JWKS (RFC 7517 §5) of these keys' public halves. */
export function jwksOf(keys: readonly SigningKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => ({ ...k.publicJwk })) };
}
