import { type ErrorWording, retryAfterWaitMs, type VendorErrorInfo, type VendorQuirks } from '../quirks.js';
import { standardWording } from '../wording.js';

/** The system's name in sentences. */
export const ENTRA_LABEL = 'Microsoft Entra ID';

/** The operations this provider sends, by the name they carry in logs and errors. */
export const ENTRA_OPERATIONS = {
  token: 'token',
  findUser: 'list users',
  revoke: 'revokeSignInSessions',
} as const;

/**
 * The least-privileged Microsoft Graph application permission each operation needs
 * (https://learn.microsoft.com/graph/api/user-list, .../user-revokesigninsessions).
 */
export const ENTRA_PERMISSION_OF: Readonly<Record<string, string>> = {
  [ENTRA_OPERATIONS.findUser]: 'User.Read.All',
  [ENTRA_OPERATIONS.revoke]: 'User.RevokeSessions.All',
};

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Microsoft Graph errors: `{error: {code, message, innerError: {"request-id", date}}}`
 * (https://learn.microsoft.com/graph/errors). The identity platform's token endpoint answers
 * `{error, error_description, error_codes: [AADSTS number], trace_id}`; its code is read as
 * `AADSTS<number>` and only the first line of the description is kept (the rest is trace ids).
 */
export function parseEntraError(_status: number, body: unknown): VendorErrorInfo {
  if (!body || typeof body !== 'object') {
    return { message: typeof body === 'string' ? body.trim().slice(0, 200) || undefined : undefined };
  }
  const b = body as Record<string, unknown>;
  if (b.error && typeof b.error === 'object') {
    const e = b.error as Record<string, unknown>;
    const inner = (e.innerError ?? e.innererror) as Record<string, unknown> | undefined;
    return {
      vendorCode: str(e.code),
      message: str(e.message),
      requestId: str(inner?.['request-id']) ?? str(inner?.requestId),
    };
  }
  const codes = Array.isArray(b.error_codes) ? b.error_codes : [];
  const first = typeof codes[0] === 'number' ? `AADSTS${codes[0]}` : undefined;
  return {
    vendorCode: first ?? str(b.error),
    message: str(b.error_description)?.split(/\r?\n/)[0],
    requestId: str(b.trace_id),
  };
}

/** The standard sentences, except that a 403 names the permission the call needs. */
export function entraWording(): ErrorWording {
  const standard = standardWording(ENTRA_LABEL);
  return {
    describe(facts) {
      const permission = ENTRA_PERMISSION_OF[facts.operation];
      if (facts.kind === 'auth' && facts.status === 403 && permission) {
        return {
          message: `${ENTRA_LABEL} refused ${facts.operation} (HTTP 403): the app registration lacks the Microsoft Graph application permission ${permission}${facts.detail}`,
          hint: `In the Entra admin center, add the application permission ${permission} to the app registration and grant admin consent.`,
        };
      }
      if (facts.kind === 'auth' && facts.status === 401) {
        const { message } = standard.describe(facts);
        return { message, hint: 'Check ENTRA_TENANT_ID, ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET.' };
      }
      return standard.describe(facts);
    },
  };
}

/** Entra ID / Graph: `Retry-After` on 429 and 503 (https://learn.microsoft.com/graph/throttling), `request-id`. */
export const ENTRA_QUIRKS: VendorQuirks = {
  label: ENTRA_LABEL,
  parseError: parseEntraError,
  rateLimitWaitMs: retryAfterWaitMs,
  requestIdHeader: 'request-id',
  wording: entraWording(),
};
