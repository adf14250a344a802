import { ErrorCode, RevokeError } from '../../errors.js';
import { ENTRA_LABEL, ENTRA_PERMISSION_OF } from './quirks.js';

/**
 * Graph application permissions that also allow each needed one (higher privilege), per
 * https://learn.microsoft.com/graph/api/user-list and .../user-revokesigninsessions.
 */
const BROADER: Readonly<Record<string, readonly string[]>> = {
  'User.Read.All': ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  'User.RevokeSessions.All': ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
};

/**
 * The application permissions (`roles` claim) an access token carries, or undefined when the
 * token is not a readable JWT. Read for the doctor's report only: nothing is authorised on it.
 */
export function tokenRoles(token: string): string[] | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    if (!Array.isArray(claims.roles)) return [];
    return claims.roles.filter((r): r is string => typeof r === 'string');
  } catch {
    return undefined;
  }
}

/**
 * Checks that the token's permissions cover every call this provider makes; throws a
 * {@link RevokeError} naming each missing permission, and says when a broader one stands in.
 */
export function checkPermissions(roles: readonly string[]): string {
  const needed = [...new Set(Object.values(ENTRA_PERMISSION_OF))];
  const missing: string[] = [];
  const broader: string[] = [];
  for (const permission of needed) {
    if (roles.includes(permission)) continue;
    const standIn = BROADER[permission]?.find((r) => roles.includes(r));
    if (standIn) broader.push(`${standIn} instead of ${permission}`);
    else missing.push(permission);
  }
  if (missing.length > 0) {
    throw new RevokeError(
      `${ENTRA_LABEL}: the app registration lacks the Microsoft Graph application permission${missing.length > 1 ? 's' : ''} ${missing.join(' and ')} (or admin consent for ${missing.length > 1 ? 'them' : 'it'}).`,
      {
        code: ErrorCode.VendorAuth,
        system: 'entra',
        retryable: false,
        hint: `In the Entra admin center, add ${missing.join(' and ')} under API permissions (Microsoft Graph, application) and grant admin consent.`,
      },
    );
  }
  const least = needed.join(', ');
  return broader.length > 0
    ? `permissions sufficient but broader than needed (${broader.join('; ')}); least privilege is ${least}`
    : `permissions ${least} present`;
}
