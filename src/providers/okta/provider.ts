import { z } from 'zod';
import { foldEmailOrUndefined, sameEmail } from '../../util/email.js';
import { PROBE_EMAIL } from '../descriptor.js';
import { type ClientDeps, createVendorHttp, type VendorHttp } from '../http.js';
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
import { OKTA_OPERATIONS, OKTA_QUIRKS } from './quirks.js';
import type { OktaConfig } from './settings.js';
import { describeStatus, type OktaUser, oktaSearchExpression, oktaUser } from './users.js';

export type OktaDeps = ClientDeps;

/** One page of the search; a full page means there may be more, which is never narrowed by guessing. */
export const OKTA_SEARCH_LIMIT = 200;

/** What the thread says after Okta confirmed: it lists no sessions, so nothing can be counted or re-checked. */
export const OKTA_REVOKED_DETAIL =
  'revoked, not verifiable by listing: Okta has no list of a user’s sessions; their OAuth tokens were revoked too. Apps that keep their own sessions stay signed in until they ask Okta again';

/** An Okta org, with an API token (SSWS) of an admin who may view users and clear their sessions. */
export class OktaProvider implements SessionProvider {
  readonly id = 'okta' as const;
  readonly label = OKTA_QUIRKS.label;
  readonly capabilities = OKTA_CAPABILITIES;
  private readonly http: VendorHttp;

  constructor(config: OktaConfig, deps: OktaDeps) {
    this.http = createVendorHttp(deps, {
      system: 'okta',
      baseUrl: `${config.orgUrl}/api/v1`,
      secrets: [config.token],
      quirks: OKTA_QUIRKS,
      authorize: () => ({ authorization: `SSWS ${config.token}` }),
    });
  }

  /**
   * https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers
   * (`search`): Okta's `eq` ignores case, with rules beyond ASCII, so each answer's `profile.email`
   * and `profile.login` are compared again with {@link sameEmail}; two users that match are never
   * narrowed down to one. The search includes DEPROVISIONED users and is eventually consistent (a
   * user created seconds ago may not be found yet).
   */
  async findAccount(person: Person): Promise<AccountLookup> {
    const email = foldEmailOrUndefined(person.email);
    if (!email)
      return {
        status: 'not_found',
        detail: 'No email is known for this person, so Okta cannot be searched.',
      };
    const res = await this.http.request({
      operation: OKTA_OPERATIONS.search,
      method: 'GET',
      path: '/users',
      query: { search: oktaSearchExpression(email), limit: OKTA_SEARCH_LIMIT },
      idempotent: true,
      schema: z.array(oktaUser),
    });
    const exact = res.data.filter(
      (u) => sameEmail(u.profile.email, email) || sameEmail(u.profile.login, email),
    );
    const distinct = [...new Map(exact.map((u) => [u.id, u])).values()];
    if (res.data.length >= OKTA_SEARCH_LIMIT) {
      return {
        status: 'ambiguous',
        candidates: res.data.length,
        detail: `At least ${OKTA_SEARCH_LIMIT} Okta users answer the search for ${email}.`,
      };
    }
    if (distinct.length > 1) {
      return {
        status: 'ambiguous',
        candidates: distinct.length,
        detail: `${distinct.length} Okta users have ${email} as their login or email.`,
      };
    }
    const [found] = distinct;
    if (!found) return { status: 'not_found', detail: `No Okta user has the login or email ${email}.` };
    return { status: 'found', account: toAccount(found, email) };
  }

  /**
   * https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/getUser
   * (`me`: the token is accepted) and a search for an address no one has (the permission to view users).
   */
  async healthCheck(): Promise<string> {
    const me = await this.http.request({
      operation: OKTA_OPERATIONS.me,
      method: 'GET',
      path: '/users/me',
      idempotent: true,
      schema: oktaUser,
    });
    const probe = await this.findAccount({ email: PROBE_EMAIL });
    return `token accepted; acting as ${me.data.profile.login ?? me.data.id}; users can be searched (probe: ${probe.status}); clearing sessions needs okta.users.lifecycle.clearSessions, which cannot be checked without clearing someone’s`;
  }

  /**
   * https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserSessions/#tag/UserSessions/operation/revokeUserSessions
   * — `oauthTokens=true` also revokes the OpenID Connect and OAuth tokens issued to the user;
   * 204 when done. Clearing again is harmless, so the call counts as idempotent.
   */
  async revokeAll(account: Account, _options?: RevokeAllOptions): Promise<RevokeOutcome> {
    const res = await this.http.request({
      operation: OKTA_OPERATIONS.clearSessions,
      method: 'DELETE',
      path: `/users/${encodeURIComponent(account.id)}/sessions`,
      query: { oauthTokens: 'true' },
      idempotent: true,
      schema: z.unknown(),
    });
    const status =
      typeof account.extra?.status === 'string' ? describeStatus(account.extra.status) : undefined;
    return {
      state: 'revoked',
      requestId: res.requestId,
      detail: status ? `${OKTA_REVOKED_DETAIL}; ${status}` : OKTA_REVOKED_DETAIL,
    };
  }
}

function toAccount(user: OktaUser, email: string): Account {
  const p = user.profile;
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ') || undefined;
  return {
    system: 'okta',
    id: user.id,
    login: p.login ?? p.email ?? email,
    displayName: name,
    extra: user.status ? { status: user.status } : undefined,
  };
}

/** Creates the Okta provider. */
export function createOktaProvider(config: OktaConfig, deps: OktaDeps): SessionProvider {
  return new OktaProvider(config, deps);
}

/** An identity provider: no listing, no single sessions; ending all of them is synchronous (204). */
export const OKTA_CAPABILITIES: ProviderCapabilities = capabilitiesOf(OktaProvider, {
  asyncRevoke: false,
  scopes: false,
  identityProvider: true,
  listingCoversRevokeAll: false,
});
