import { CompactSign } from 'jose';
import { canonicalJson } from '../engine/audit-chain.js';
import type { EvidenceDocument, EvidenceFile } from '../engine/evidence-port.js';
import type { SigningKey } from '../signing/key.js';
import { fieldDigests } from './digests.js';

/** The JWS `typ` of an evidence signature. */
export const EVIDENCE_TYP = 'revoke-sessions-evidence+jws';

/**
 * Signs a document: the payload is the digest of every field (so a verifier names the field that
 * was changed, not just "bad signature"), and the protected header carries the public key (`jwk`,
 * `kid`) that `/evidence/jwks.json` also publishes.
 */
export async function signEvidence(evidence: EvidenceDocument, key: SigningKey): Promise<EvidenceFile> {
  const requestId = String(evidence.request.id);
  const payload = canonicalJson({ format: evidence.format, requestId, digests: fieldDigests(evidence) });
  const { use: _use, ...jwk } = key.publicJwk;
  const signature = await new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, jwk, typ: EVIDENCE_TYP })
    .sign(key.privateKey);
  return { evidence, signature };
}
