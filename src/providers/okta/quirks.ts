import type { ErrorWording, FailureFacts, VendorErrorInfo, VendorQuirks } from '../quirks.js';
import { parseRetryAfter } from '../retry.js';
import { standardWording } from '../wording.js';

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** The operation names the provider uses; the wording names the permission each one needs. */
export const OKTA_OPERATIONS = {
  search: 'search users',
  clearSessions: 'clear user sessions',
  me: 'users/me',
} as const;

/** The admin permission (custom role) behind each operation, for a 403's sentence. */
const PERMISSION_OF: Readonly<Record<string, string>> = {
  [OKTA_OPERATIONS.search]: 'okta.users.read (View users)',
  [OKTA_OPERATIONS.clearSessions]: 'okta.users.lifecycle.clearSessions (Clear user sessions)',
};

/**
 * Okta errors: `{errorCode, errorSummary, errorLink, errorId, errorCauses: [{errorSummary}]}`
 * (https://developer.okta.com/docs/reference/error-codes/). The causes are appended to the
 * summary; `errorId` is the reference Okta Support asks for.
 */
export function parseOktaError(_status: number, body: unknown): VendorErrorInfo {
  if (typeof body === 'string') return { message: body.trim().slice(0, 200) || undefined };
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  const causes = Array.isArray(b.errorCauses)
    ? b.errorCauses
        .map((c) =>
          c && typeof c === 'object' ? str((c as Record<string, unknown>).errorSummary) : undefined,
        )
        .filter((c): c is string => c !== undefined)
    : [];
  const summary = str(b.errorSummary);
  const message = [summary, ...causes].filter(Boolean).join('; ') || undefined;
  return { vendorCode: str(b.errorCode), message, requestId: str(b.errorId) };
}

/**
 * Okta's 429 says when the limit resets in `X-Rate-Limit-Reset`, UTC epoch seconds, and sends
 * no `Retry-After` (https://developer.okta.com/docs/reference/rl-best-practices/). The wait is
 * measured against the answer's own `Date` header, as Okta's SDKs do, so a skewed local clock
 * does not stretch or cut it; without one, against the local clock. At least a second.
 */
export function oktaRateLimitWaitMs(
  headers: Record<string, string>,
  now: () => number = Date.now,
): number | undefined {
  const reset = Number(headers['x-rate-limit-reset']);
  if (!Number.isFinite(reset) || reset <= 0) return parseRetryAfter(headers['retry-after']);
  const date = Date.parse(headers.date ?? '');
  const from = Number.isNaN(date) ? now() : date;
  return Math.max(1_000, reset * 1_000 - from);
}

/** Okta's sentences: the standard ones, with what to do about a refused token or a missing permission. */
function oktaWording(): ErrorWording {
  const standard = standardWording('Okta');
  return {
    describe(f: FailureFacts) {
      const said = standard.describe(f);
      if (f.kind !== 'auth') return said;
      if (f.status === 401)
        return {
          message: said.message,
          hint: 'Okta did not accept OKTA_API_TOKEN: API tokens expire after 30 days unused and stop working when the admin who created them is deactivated. Create a new one (Security › API › Tokens).',
        };
      // A 403 is a missing permission, not a refused token: say which one.
      const permission = PERMISSION_OF[f.operation];
      const refused = `Okta refused ${f.operation} (HTTP ${f.status ?? 403})${f.detail}`;
      return {
        message: permission
          ? `${refused}; the API token's admin lacks the permission ${permission}`
          : refused,
        hint: 'Give the admin behind OKTA_API_TOKEN a role with okta.users.read and okta.users.lifecycle.clearSessions over these people (the Help Desk Administrator role has both); an OAuth service app needs the scope okta.users.manage.',
      };
    },
  };
}

/** Okta: its own error body, `X-Rate-Limit-Reset` on 429, `X-Okta-Request-Id` on every answer. */
export const OKTA_QUIRKS: VendorQuirks = {
  label: 'Okta',
  parseError: parseOktaError,
  rateLimitWaitMs: (headers) => oktaRateLimitWaitMs(headers),
  requestIdHeader: 'x-okta-request-id',
  wording: oktaWording(),
};
