import { FakeVendor, type Received, type Reply } from './vendor.js';

/** The fake org's API token (sent as `Authorization: SSWS <token>`). */
export const OKTA_TOKEN = '00oktaFakeApiToken-0123456789abcdefABCDEF';

/** Okta's user statuses (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/). */
export type OktaStatus =
  | 'STAGED'
  | 'PROVISIONED'
  | 'ACTIVE'
  | 'RECOVERY'
  | 'LOCKED_OUT'
  | 'PASSWORD_EXPIRED'
  | 'SUSPENDED'
  | 'DEPROVISIONED';

export interface FakeOktaUser {
  id: string;
  status: OktaStatus;
  login: string;
  email: string;
  firstName?: string;
  lastName?: string;
  /** The user's live Okta sessions (ids only: Okta lists none through the API). */
  sessions: string[];
  /** OAuth / OIDC tokens issued to the user. */
  oauthTokens: string[];
}

let errorSeq = 0;

/** Okta's error body: `{errorCode, errorSummary, errorLink, errorId, errorCauses}`. */
export function oktaError(errorCode: string, errorSummary: string, causes: string[] = []) {
  errorSeq += 1;
  return {
    errorCode,
    errorSummary,
    errorLink: errorCode,
    errorId: `oae${String(errorSeq).padStart(6, '0')}FakeErrId`,
    errorCauses: causes.map((errorSummary) => ({ errorSummary })),
  };
}

/** The documented error of each status (https://developer.okta.com/docs/reference/error-codes/). */
export function oktaErrorFor(status: number) {
  switch (status) {
    case 400:
      return oktaError('E0000031', 'Invalid search criteria.');
    case 401:
      return oktaError('E0000011', 'Invalid token provided');
    case 403:
      return oktaError('E0000006', 'You do not have permission to perform the requested action');
    case 404:
      return oktaError('E0000007', 'Not found: Resource not found: 00u000000000000000 (User)');
    case 429:
      return oktaError('E0000047', 'API call exceeded rate limit due to too many requests.');
    case 503:
      return oktaError('E0000010', 'Service is in read only mode');
    default:
      return oktaError('E0000009', 'Internal Server Error');
  }
}

/**
 * Okta's 429 headers: `X-Rate-Limit-Reset` in UTC epoch seconds, no `Retry-After`; the `Date`
 * header is the same second the reset is counted from.
 */
export function oktaRateLimitHeaders(
  seconds: number,
  limit = 600,
  nowMs = Date.now(),
): Record<string, string> {
  const now = Math.floor(nowMs / 1000);
  return {
    date: new Date(now * 1000).toUTCString(),
    'x-rate-limit-limit': String(limit),
    'x-rate-limit-remaining': '0',
    'x-rate-limit-reset': String(now + seconds),
  };
}

/** One `attribute eq "literal"` term of Okta's search language. */
interface Term {
  attribute: string;
  value: string;
}

/**
 * Parses the subset of Okta's search expressions the app may send: `eq` terms joined by `or`,
 * string literals in double quotes with `\"` and `\\` escapes. Anything else is refused (400
 * E0000031), as Okta refuses an expression it cannot parse.
 */
export function parseSearch(expression: string): Term[] | undefined {
  const terms: Term[] = [];
  let rest = expression.trim();
  for (;;) {
    const head = /^([A-Za-z][\w.]*)\s+eq\s+"/.exec(rest);
    if (!head?.[1]) return undefined;
    let i = head[0].length;
    let value = '';
    for (;;) {
      const c = rest[i];
      if (c === undefined) return undefined;
      if (c === '\\') {
        const next = rest[i + 1];
        if (next !== '"' && next !== '\\') return undefined;
        value += next;
        i += 2;
      } else if (c === '"') {
        i += 1;
        break;
      } else {
        value += c;
        i += 1;
      }
    }
    terms.push({ attribute: head[1], value });
    rest = rest.slice(i).trim();
    if (rest === '') return terms;
    const or = /^or\s+/i.exec(rest);
    if (!or) return undefined;
    rest = rest.slice(or[0].length);
  }
}

/**
 * A fake Okta org (Management API v1: users, user sessions) answering as its API reference
 * says. Search `eq` ignores case the way a server's Unicode lower-casing does, so a lookalike
 * address (Kelvin sign for `k`) comes back for the real one — the provider must compare itself.
 */
export class FakeOkta extends FakeVendor {
  readonly users: FakeOktaUser[] = [];
  /** Each clear-sessions call that took effect: the user id and whether OAuth tokens went too. */
  readonly cleared: { userId: string; oauthTokens: boolean }[] = [];
  private requestSeq = 0;

  constructor() {
    const unauthorized = (): Reply => ({ status: 401, body: oktaErrorFor(401) });
    super(
      [
        {
          name: 'me',
          method: 'GET',
          pattern: /^\/api\/v1\/users\/me$/,
          handle: (req) =>
            this.authorized(req)
              ? this.ok(
                  200,
                  this.toJson({
                    id: '00uadmin0000',
                    status: 'ACTIVE',
                    login: 'revoke-bot@example.com',
                    email: 'revoke-bot@example.com',
                    sessions: [],
                    oauthTokens: [],
                  }),
                )
              : unauthorized(),
        },
        {
          name: 'users',
          method: 'GET',
          pattern: /^\/api\/v1\/users$/,
          handle: (req) => {
            if (!this.authorized(req)) return unauthorized();
            const terms = req.query.search === undefined ? undefined : parseSearch(req.query.search);
            if (!terms) return { status: 400, body: oktaErrorFor(400) };
            const limit = Math.min(200, Number(req.query.limit ?? 200) || 200);
            const fold = (s: string) => s.toLowerCase();
            const found = this.users.filter((u) =>
              terms.some((t) => {
                const field =
                  t.attribute === 'profile.email'
                    ? u.email
                    : t.attribute === 'profile.login'
                      ? u.login
                      : undefined;
                return field !== undefined && fold(field) === fold(t.value);
              }),
            );
            return this.ok(
              200,
              found.slice(0, limit).map((u) => this.toJson(u)),
            );
          },
        },
        {
          name: 'clear_sessions',
          method: 'DELETE',
          pattern: /^\/api\/v1\/users\/([^/]+)\/sessions$/,
          handle: (req, [id]) => {
            if (!this.authorized(req)) return unauthorized();
            const user = this.users.find((u) => u.id === id);
            if (!user)
              return {
                status: 404,
                body: oktaError('E0000007', `Not found: Resource not found: ${id} (User)`),
              };
            const oauthTokens = req.query.oauthTokens === 'true';
            user.sessions = [];
            if (oauthTokens) user.oauthTokens = [];
            this.cleared.push({ userId: user.id, oauthTokens });
            return this.ok(204, undefined);
          },
        },
      ],
      oktaErrorFor,
    );
  }

  /** Okta: 429 E0000047 with `X-Rate-Limit-*` headers, the reset in epoch seconds. */
  protected override rateLimitReply(retryAfterSeconds: number, limit: number): Reply {
    return { status: 429, body: oktaErrorFor(429), headers: oktaRateLimitHeaders(retryAfterSeconds, limit) };
  }

  /** The user's id by login. */
  idOf(login: string): string | undefined {
    return this.users.find((u) => u.login === login)?.id;
  }

  env(): Record<string, string> {
    return { OKTA_ORG_URL: this.url, OKTA_API_TOKEN: OKTA_TOKEN };
  }

  private authorized(req: Received): boolean {
    return String(req.headers.authorization ?? '') === `SSWS ${OKTA_TOKEN}`;
  }

  private ok(status: number, body: unknown): Reply {
    this.requestSeq += 1;
    return {
      status,
      body,
      headers: {
        'x-okta-request-id': `fake-okta-req-${this.requestSeq}`,
        'x-rate-limit-limit': '600',
        'x-rate-limit-remaining': '599',
        'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 60),
      },
    };
  }

  private toJson(u: FakeOktaUser) {
    return {
      id: u.id,
      status: u.status,
      created: '2025-01-01T00:00:00.000Z',
      lastLogin: null,
      profile: {
        login: u.login,
        email: u.email,
        firstName: u.firstName ?? null,
        lastName: u.lastName ?? null,
      },
      _links: { self: { href: `${this.url}/api/v1/users/${u.id}` } },
    };
  }
}
