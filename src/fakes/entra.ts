import { FakeVendor, type Received, type Reply } from './vendor.js';

/** The app registration the fake knows; the secret must never appear in anything the app says. */
export const ENTRA_CREDENTIALS = {
  tenantId: '72f988bf-0000-4000-8000-00000000cafe',
  clientId: '3c5f1a2b-1111-4222-8333-444455556666',
  clientSecret: 'entra~client-secret-value-0123456789abcdef',
};

/** The least-privileged application permissions the app needs. */
export const ENTRA_ROLES = ['User.Read.All', 'User.RevokeSessions.All'];

export interface FakeEntraUser {
  id: string;
  displayName: string;
  mail: string | null;
  userPrincipalName: string;
  accountEnabled: boolean;
}

const SELECTABLE = ['id', 'displayName', 'mail', 'userPrincipalName', 'accountEnabled'] as const;

/** Graph's error body: `{error: {code, message, innerError: {date, request-id, client-request-id}}}`. */
export function graphError(code: string, message: string, requestId = 'entra-req-0') {
  return {
    error: {
      code,
      message,
      innerError: { date: '2026-03-01T12:00:00', 'request-id': requestId, 'client-request-id': requestId },
    },
  };
}

/** The identity platform's token error: `{error, error_description, error_codes, trace_id, …}`. */
function tokenError(error: string, code: number, text: string) {
  const trace = '0b2d2d5c-0000-4000-8000-000000000001';
  return {
    error,
    error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${trace}\r\nTimestamp: 2026-03-01 12:00:00Z`,
    error_codes: [code],
    timestamp: '2026-03-01 12:00:00Z',
    trace_id: trace,
    correlation_id: trace,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

const DEFAULT_CODES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad request.'],
  401: ['InvalidAuthenticationToken', 'Access token has expired or is not yet valid.'],
  403: ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'],
  404: [
    'Request_ResourceNotFound',
    "Resource 'unknown' does not exist or one of its queried reference-property objects are not present.",
  ],
  429: ['TooManyRequests', 'Too many requests.'],
  500: ['generalException', 'An unspecified error has occurred.'],
  503: ['serviceNotAvailable', 'The service is temporarily unavailable.'],
};

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A fake Microsoft identity platform token endpoint plus the Microsoft Graph v1.0 calls the app
 * makes, answering as the references say: client-credentials tokens (JWTs with a `roles` claim),
 * `GET /users` with a `$filter` of `mail eq '…' or userPrincipalName eq '…'` (case-insensitive,
 * like Graph, and Unicode-lowered so a lookalike answers too), `@odata.nextLink` paging,
 * `POST /users/{id}/revokeSignInSessions` → 200 `{"value": true}`, Graph error bodies and
 * `Retry-After` on 429.
 */
export class FakeEntra extends FakeVendor {
  readonly users: FakeEntraUser[] = [];
  /** User ids whose sign-in sessions were revoked, in order. */
  readonly revoked: string[] = [];
  /** Application permissions put in the tokens issued from now on. */
  roles: string[] = [...ENTRA_ROLES];
  /** Page size of `GET /users` when `$top` is not given (Graph: 100). */
  pageSize = 100;
  tokensIssued = 0;
  /** Tokens Graph accepts (a test can clear them to force a 401 → refresh), with their roles. */
  readonly validTokens = new Map<string, string[]>();

  constructor() {
    super(
      [
        {
          name: 'token',
          method: 'POST',
          pattern: /^\/([^/]+)\/oauth2\/v2\.0\/token$/,
          handle: (req, [tenant]) => this.token(req, tenant ?? ''),
        },
        {
          name: 'users',
          method: 'GET',
          pattern: /^\/v1\.0\/users$/,
          handle: (req) => this.listUsers(req),
        },
        {
          name: 'revoke',
          method: 'POST',
          pattern: /^\/v1\.0\/users\/([^/]+)\/revokeSignInSessions$/,
          handle: (req, [id]) => this.revoke(req, id ?? ''),
        },
      ],
      (status) => {
        const [code, message] = DEFAULT_CODES[status] ?? ['UnknownError', 'Error'];
        return graphError(code, message, `entra-req-${status}`);
      },
    );
  }

  /** The tokens issued so far (secrets: none may appear in anything the app says). */
  issuedTokens(): string[] {
    return [...this.validTokens.keys()];
  }

  private token(req: Received, tenant: string): Reply {
    const b = (req.body ?? {}) as Record<string, string>;
    if (tenant !== ENTRA_CREDENTIALS.tenantId && tenant !== 'contoso.onmicrosoft.com') {
      return {
        status: 400,
        body: tokenError(
          'invalid_request',
          90002,
          `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        ),
      };
    }
    if (b.grant_type !== 'client_credentials')
      return {
        status: 400,
        body: tokenError('unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'),
      };
    if (b.client_id !== ENTRA_CREDENTIALS.clientId) {
      return {
        status: 400,
        body: tokenError(
          'unauthorized_client',
          700016,
          `Application with identifier '${b.client_id}' was not found in the directory '${tenant}'.`,
        ),
      };
    }
    if (b.client_secret !== ENTRA_CREDENTIALS.clientSecret) {
      return {
        status: 401,
        body: tokenError(
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${ENTRA_CREDENTIALS.clientId}'.`,
        ),
      };
    }
    if (!/^https?:\/\/[^/]+\/\.default$/.test(b.scope ?? ''))
      return {
        status: 400,
        body: tokenError('invalid_scope', 1002012, `The provided value for scope ${b.scope} is not valid.`),
      };
    this.tokensIssued += 1;
    const token = [
      base64url({ typ: 'JWT', alg: 'RS256' }),
      base64url({
        aud: 'https://graph.microsoft.com',
        tid: tenant,
        appid: b.client_id,
        roles: this.roles,
        uti: `t${this.tokensIssued}`,
      }),
      `entra-signature-${this.tokensIssued}`,
    ].join('.');
    this.validTokens.set(token, [...this.roles]);
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token },
    };
  }

  /** The caller's roles, or the Graph 401 answer. */
  private caller(req: Received): string[] | Reply {
    const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    const roles = m?.[1] !== undefined ? this.validTokens.get(m[1]) : undefined;
    if (!roles) return { status: 401, body: graphError(...(DEFAULT_CODES[401] as [string, string])) };
    return roles;
  }

  private denied(roles: string[], needed: string[]): Reply | undefined {
    if (needed.some((r) => roles.includes(r))) return undefined;
    return { status: 403, body: graphError(...(DEFAULT_CODES[403] as [string, string])) };
  }

  private listUsers(req: Received): Reply {
    const roles = this.caller(req);
    if (!Array.isArray(roles)) return roles;
    const refused = this.denied(roles, [
      'User.Read.All',
      'User.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ]);
    if (refused) return refused;
    const filter = /^mail eq '((?:[^']|'')*)' or userPrincipalName eq '((?:[^']|'')*)'$/.exec(
      req.query.$filter ?? '',
    );
    if (!filter) {
      return {
        status: 400,
        body: graphError(
          'Request_UnsupportedQuery',
          'Unsupported or invalid query filter clause specified for property.',
        ),
      };
    }
    const mail = (filter[1] ?? '').replaceAll("''", "'").toLowerCase();
    const upn = (filter[2] ?? '').replaceAll("''", "'").toLowerCase();
    const select = (req.query.$select ?? '').split(',').filter(Boolean);
    const all = this.users.filter(
      (u) => u.mail?.toLowerCase() === mail || u.userPrincipalName.toLowerCase() === upn,
    );
    const skip = Number(req.query.$skiptoken ?? 0);
    const top = Number(req.query.$top ?? this.pageSize);
    const page = all.slice(skip, skip + top).map((u) => {
      const fields = select.length > 0 ? SELECTABLE.filter((f) => select.includes(f)) : SELECTABLE;
      return Object.fromEntries(fields.map((f) => [f, u[f]]));
    });
    const next = new URL(`${this.url}/v1.0/users`);
    for (const [k, v] of Object.entries(req.query)) if (k !== '$skiptoken') next.searchParams.set(k, v);
    next.searchParams.set('$skiptoken', String(skip + top));
    return {
      status: 200,
      headers: { 'request-id': `entra-list-${this.requests.length}` },
      body: {
        '@odata.context':
          'https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,mail,userPrincipalName,accountEnabled)',
        value: page,
        ...(skip + top < all.length ? { '@odata.nextLink': next.toString() } : {}),
      },
    };
  }

  private revoke(req: Received, id: string): Reply {
    const roles = this.caller(req);
    if (!Array.isArray(roles)) return roles;
    const refused = this.denied(roles, [
      'User.RevokeSessions.All',
      'User.ReadWrite.All',
      'Directory.ReadWrite.All',
    ]);
    if (refused) return refused;
    if (!this.users.some((u) => u.id === id)) {
      return {
        status: 404,
        body: graphError(
          'Request_ResourceNotFound',
          `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
        ),
      };
    }
    this.revoked.push(id);
    return {
      status: 200,
      headers: { 'request-id': `entra-revoke-${this.revoked.length}` },
      body: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true },
    };
  }

  /** Graph throttling: 429 with `Retry-After` and its error body (https://learn.microsoft.com/graph/throttling). */
  protected override rateLimitReply(retryAfterSeconds: number): Reply {
    return {
      status: 429,
      body: graphError('TooManyRequests', 'Too many requests.', `entra-rl-${this.rateLimited}`),
      headers: { 'retry-after': String(retryAfterSeconds) },
    };
  }

  /** Env for the app: the token endpoint at the fake's root, Graph under /v1.0. */
  env(): Record<string, string> {
    return {
      ENTRA_TENANT_ID: ENTRA_CREDENTIALS.tenantId,
      ENTRA_CLIENT_ID: ENTRA_CREDENTIALS.clientId,
      ENTRA_CLIENT_SECRET: ENTRA_CREDENTIALS.clientSecret,
      ENTRA_LOGIN_URL: this.url,
      ENTRA_GRAPH_URL: `${this.url}/v1.0`,
    };
  }
}
