import { z } from 'zod';
import { ErrorCode, RevokeError } from '../../errors.js';
import { foldEmailOrUndefined, sameEmail } from '../../util/email.js';
import { PROBE_EMAIL } from '../descriptor.js';
import type {
  Account,
  AccountLookup,
  Person,
  ProviderCapabilities,
  RevokeAllOptions,
  RevokeOutcome,
  SessionProvider,
} from '../types.js';
import { capabilitiesOf } from '../types.js';
import type { EntraClient } from './client.js';
import { checkPermissions, tokenRoles } from './permissions.js';
import { ENTRA_LABEL, ENTRA_OPERATIONS } from './quirks.js';

const user = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
  accountEnabled: z.boolean().nullish(),
});
const usersPage = z.object({ value: z.array(user), '@odata.nextLink': z.string().optional() });
const revoked = z.object({ value: z.boolean() }).loose();

type GraphUser = z.infer<typeof user>;

/** How many pages of one lookup are followed before the answer is called ambiguous rather than guessed. */
const MAX_PAGES = 10;

/** What the thread says after a successful revoke: it cannot be verified by listing, and takes effect as tokens refresh. */
export const ENTRA_REVOKED_DETAIL =
  'revoked; can take a few minutes; not verifiable by listing — refresh tokens and browser sessions ended; apps may keep an access token until it expires (about an hour)';

/** Said after a disabled account's sessions were revoked (still useful: sessions outlive the block). */
const DISABLED_NOTE = 'the account is disabled';

/** An OData string literal: single quotes doubled (https://learn.microsoft.com/graph/query-parameters#escaping-single-quotes). */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Microsoft Entra ID through Microsoft Graph (application permissions User.Read.All and
 * User.RevokeSessions.All). Entra has no API to list or end single sign-in sessions: revoking
 * resets the user's `signInSessionsValidFromDateTime`.
 */
export class EntraProvider implements SessionProvider {
  readonly id = 'entra' as const;
  readonly label = ENTRA_LABEL;
  readonly capabilities = ENTRA_CAPABILITIES;

  constructor(
    private readonly client: EntraClient,
    private readonly graphUrl: string,
  ) {}

  /**
   * https://learn.microsoft.com/graph/api/user-list — `$filter=mail eq '…' or userPrincipalName eq '…'`.
   * Graph compares case-insensitively, so each answer's `mail` and `userPrincipalName` are compared
   * again with {@link sameEmail}; several distinct users are ambiguous, never the first one.
   */
  async findAccount(person: Person): Promise<AccountLookup> {
    const email = foldEmailOrUndefined(person.email);
    if (!email)
      return {
        status: 'not_found',
        detail: `No email is known for this person, so ${ENTRA_LABEL} cannot be searched.`,
      };
    const literal = odataString(email);
    const exact = new Map<string, GraphUser>();
    let path: string | undefined = '/users';
    let query: Record<string, string> | undefined = {
      $filter: `mail eq ${literal} or userPrincipalName eq ${literal}`,
      $select: 'id,displayName,mail,userPrincipalName,accountEnabled',
    };
    for (let page = 0; path !== undefined; page++) {
      if (page >= MAX_PAGES) {
        return {
          status: 'ambiguous',
          candidates: exact.size,
          detail: `${ENTRA_LABEL} answered more pages of users for ${email} than are read; nothing was chosen.`,
        };
      }
      const res = await this.client.http.request({
        operation: ENTRA_OPERATIONS.findUser,
        method: 'GET',
        path,
        query,
        idempotent: true,
        schema: usersPage,
      });
      for (const u of res.data.value) {
        if (sameEmail(u.mail, email) || sameEmail(u.userPrincipalName, email)) exact.set(u.id, u);
      }
      path = this.nextPath(res.data['@odata.nextLink']);
      query = undefined;
    }
    const matches = [...exact.values()];
    const [found] = matches;
    if (!found)
      return {
        status: 'not_found',
        detail: `No ${ENTRA_LABEL} user has the email or sign-in name ${email}.`,
      };
    if (matches.length > 1) {
      return {
        status: 'ambiguous',
        candidates: matches.length,
        detail: `${matches.length} ${ENTRA_LABEL} users have ${email} as their email or sign-in name.`,
      };
    }
    const login = sameEmail(found.mail, email) ? (found.mail ?? email) : (found.userPrincipalName ?? email);
    return {
      status: 'found',
      account: {
        system: 'entra',
        id: found.id,
        login,
        displayName: found.displayName ?? undefined,
        ...(found.accountEnabled === false ? { extra: { accountEnabled: 'false' } } : {}),
      },
    };
  }

  /**
   * `@odata.nextLink` as a path under the Graph base URL; a link anywhere else is refused
   * (the access token is never sent to another host).
   */
  private nextPath(link: string | undefined): string | undefined {
    if (link === undefined) return undefined;
    if (!link.startsWith(`${this.graphUrl}/`)) {
      throw new RevokeError(`${ENTRA_LABEL} answered list users with a next page outside Microsoft Graph.`, {
        code: ErrorCode.MalformedResponse,
        system: 'entra',
        retryable: false,
      });
    }
    return link.slice(this.graphUrl.length);
  }

  /**
   * The doctor check: a token is issued (credentials accepted), it carries the permissions
   * every call needs (each missing one named), and a probe lookup reaches Graph.
   */
  async healthCheck(): Promise<string> {
    const token = await this.client.accessToken();
    const roles = tokenRoles(token);
    const permissions =
      roles === undefined ? 'permissions not readable from the token' : checkPermissions(roles);
    const lookup = await this.findAccount({ email: PROBE_EMAIL });
    return `token issued; ${permissions}; Microsoft Graph reachable (probe lookup: ${lookup.status})`;
  }

  /**
   * https://learn.microsoft.com/graph/api/user-revokesigninsessions — 200 `{"value": true}`.
   * Repeating it only moves the user's sessions-valid-from time again, so it is idempotent.
   */
  async revokeAll(account: Account, _options?: RevokeAllOptions): Promise<RevokeOutcome> {
    const res = await this.client.http.request({
      operation: ENTRA_OPERATIONS.revoke,
      method: 'POST',
      path: `/users/${encodeURIComponent(account.id)}/revokeSignInSessions`,
      idempotent: true,
      schema: revoked,
    });
    if (!res.data.value) {
      throw new RevokeError(`${ENTRA_LABEL} answered revokeSignInSessions without revoking (value false).`, {
        code: ErrorCode.VendorRejected,
        system: 'entra',
        status: res.status,
        requestId: res.requestId,
        retryable: true,
      });
    }
    const disabled = account.extra?.accountEnabled === 'false';
    return {
      state: 'revoked',
      requestId: res.requestId,
      detail: disabled ? `${ENTRA_REVOKED_DETAIL}; ${DISABLED_NOTE}` : ENTRA_REVOKED_DETAIL,
    };
  }
}

/** No listing, no single sessions: one call revokes every sign-in session; an identity provider. */
export const ENTRA_CAPABILITIES: ProviderCapabilities = capabilitiesOf(EntraProvider, {
  asyncRevoke: false,
  scopes: false,
  identityProvider: true,
  listingCoversRevokeAll: false,
});
