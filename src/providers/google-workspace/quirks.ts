import type { ErrorWording, VendorErrorInfo, VendorQuirks } from '../quirks.js';
import { retryAfterWaitMs } from '../quirks.js';
import { standardWording } from '../wording.js';
import { GOOGLE_SCOPES } from './settings.js';

const LABEL = 'Google Workspace';
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Google errors. The Admin SDK answers `{error: {code, message, errors: [{reason, domain, message}],
 * status}}` (https://developers.google.com/workspace/admin/directory/v1/limits and the API design
 * guide's error model); the token endpoint answers `{error: "unauthorized_client", error_description}`
 * (RFC 6749 §5.2). The vendor code is the first `reason` (or the OAuth error); the OAuth error is
 * kept at the front of its message, so the wording can tell a delegation problem.
 */
export function parseGoogleError(_status: number, body: unknown): VendorErrorInfo {
  if (!body || typeof body !== 'object') {
    return { message: typeof body === 'string' ? body.trim().slice(0, 200) || undefined : undefined };
  }
  const b = body as Record<string, unknown>;
  if (b.error && typeof b.error === 'object') {
    const e = b.error as Record<string, unknown>;
    const first = Array.isArray(e.errors) ? (e.errors[0] as Record<string, unknown> | undefined) : undefined;
    return {
      vendorCode: str(first?.reason) ?? str(e.status),
      message: str(e.message) ?? str(first?.message),
    };
  }
  const oauth = str(b.error);
  const description = str(b.error_description);
  return {
    vendorCode: oauth,
    message: oauth && description ? `${oauth}: ${description}` : (description ?? oauth),
  };
}

const SCOPE_LIST = GOOGLE_SCOPES.join(', ');

/** The token endpoint refusing the delegation: the client ID lacks (some of) the scopes. */
const UNDELEGATED = /unauthorized_client|not authorized for any of the scopes/i;
/** A 403 on a Directory call: the scopes, the admin's role, or a domain outside this Workspace. */
const NOT_AUTHORIZED = /Not Authorized to access this resource\/api/i;

const DELEGATION_HINT =
  'Google Admin console → Security → Access and data control → API controls → Manage domain-wide delegation: add the client ID with exactly these scopes.';

/**
 * The standard sentences, except where Google's answer means domain-wide delegation or the admin's
 * role is missing: then the message itself names the scopes (and the admin), since the doctor prints it.
 */
export const googleWording: ErrorWording = {
  describe(facts) {
    const said = standardWording(LABEL).describe(facts);
    if (facts.kind !== 'auth') return said;
    if (UNDELEGATED.test(facts.detail))
      return {
        message: `${said.message} — domain-wide delegation must grant this service account's client ID the scopes ${SCOPE_LIST}`,
        hint: DELEGATION_HINT,
      };
    if (NOT_AUTHORIZED.test(facts.detail))
      return {
        message: `${said.message} — domain-wide delegation must grant this service account's client ID the scopes ${SCOPE_LIST}, and GOOGLE_ADMIN_SUBJECT must be an admin whose role may read users and sign them out (or the address is in a domain this Google Workspace does not manage)`,
        hint: DELEGATION_HINT,
      };
    return said;
  },
};

/**
 * Google: `Retry-After` when it sends one on a 429; otherwise the shared exponential backoff
 * (https://developers.google.com/workspace/admin/directory/v1/limits). Its 403 rate limits are
 * presented as 429s by the transport (`rate-limit-adapter.ts`). No request-id header.
 */
export const GOOGLE_QUIRKS: VendorQuirks = {
  label: LABEL,
  parseError: parseGoogleError,
  rateLimitWaitMs: retryAfterWaitMs,
  wording: googleWording,
};
