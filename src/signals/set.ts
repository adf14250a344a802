import { type JWTPayload, SignJWT } from 'jose';
import type { SigningKey } from '../signing/key.js';
import { SET_TYP } from './vocabulary.js';

/**
 * Signs a Security Event Token (RFC 8417): RS256 with the key's `kid`, `typ: secevent+jwt`, exactly
 * the claims given (never a `sub` or `exp`: SSF §4.1.8 and RFC 8417 §2.2). RS256 signatures are
 * deterministic, so signing the same claims again gives the same SET.
 */
export function signSet(key: SigningKey, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: SET_TYP })
    .sign(key.privateKey);
}

/** A subject identifier (RFC 9493) for a person in one system: an email, or `complex` with the system's tenant. */
export function subjectOf(email: string, tenant: string | undefined): Record<string, unknown> {
  const user = { format: 'email', email };
  return tenant ? { format: 'complex', user, tenant: { format: 'opaque', id: tenant } } : user;
}
