import { FakeVendor, type Reply } from './vendor.js';

export interface FakeBoxUser {
  id: string;
  login: string;
  name: string;
}

export const BOX_CREDENTIALS = {
  clientId: 'box-client-id',
  clientSecret: 'box-client-secret-0123456789',
  enterpriseId: '424242',
};

function boxError(status: number, code: string, message: string) {
  return { type: 'error', status, code, message, request_id: `box-req-${status}` };
}

/**
 * A fake Box API (+ OAuth token endpoint) as Box documents it: CCG tokens,
 * `GET /users?filter_term=` as a prefix match with offset paging,
 * `POST /users/terminate_sessions` → 202, ClientError bodies.
 */
export class FakeBox extends FakeVendor {
  readonly users: FakeBoxUser[] = [];
  /** User IDs whose sessions a terminate job was queued for. */
  readonly terminated: string[] = [];
  tokensIssued = 0;
  /** Tokens the API accepts (a test can revoke them to force a 401 → refresh). */
  readonly validTokens = new Set<string>();

  constructor() {
    super(
      [
        {
          name: 'token',
          method: 'POST',
          pattern: /^\/oauth2\/token$/,
          handle: (req) => {
            const b = req.body as Record<string, string>;
            if (
              b.grant_type !== 'client_credentials' ||
              b.client_id !== BOX_CREDENTIALS.clientId ||
              b.client_secret !== BOX_CREDENTIALS.clientSecret ||
              b.box_subject_type !== 'enterprise' ||
              b.box_subject_id !== BOX_CREDENTIALS.enterpriseId
            ) {
              return {
                status: 400,
                body: { error: 'invalid_client', error_description: 'The client credentials are not valid' },
              };
            }
            this.tokensIssued += 1;
            const token = `box-access-token-${this.tokensIssued}`;
            this.validTokens.add(token);
            return {
              status: 200,
              body: { access_token: token, expires_in: 3600, token_type: 'bearer', restricted_to: [] },
            };
          },
        },
        {
          name: 'users',
          method: 'GET',
          pattern: /^\/2\.0\/users$/,
          handle: (req) => {
            if (!this.authorized(req.headers.authorization))
              return { status: 401, body: boxError(401, 'unauthorized', 'Unauthorized') };
            const term = (req.query.filter_term ?? '').toLowerCase();
            const all = this.users.filter(
              (u) => u.login.toLowerCase().startsWith(term) || u.name.toLowerCase().startsWith(term),
            );
            const offset = Number(req.query.offset ?? 0);
            const limit = Number(req.query.limit ?? 100);
            const entries = all
              .slice(offset, offset + limit)
              .map((u) => ({ type: 'user', ...u, status: 'active' }));
            return { status: 200, body: { total_count: all.length, limit, offset, entries } };
          },
        },
        {
          name: 'me',
          method: 'GET',
          pattern: /^\/2\.0\/users\/me$/,
          handle: (req) =>
            this.authorized(req.headers.authorization)
              ? {
                  status: 200,
                  body: { type: 'user', id: '1', login: 'service@box', name: 'Service account' },
                }
              : { status: 401, body: boxError(401, 'unauthorized', 'Unauthorized') },
        },
        {
          name: 'terminate_sessions',
          method: 'POST',
          pattern: /^\/2\.0\/users\/terminate_sessions$/,
          handle: (req) => {
            if (!this.authorized(req.headers.authorization))
              return { status: 401, body: boxError(401, 'unauthorized', 'Unauthorized') };
            const b = req.body as { user_ids?: string[]; user_logins?: string[] };
            if (!b?.user_ids?.length && !b?.user_logins?.length) {
              return { status: 400, body: boxError(400, 'bad_request', 'Users can not be NULL or EMPTY') };
            }
            this.terminated.push(...(b.user_ids ?? []));
            return {
              status: 202,
              body: {
                message: 'Request is successful, please check the admin\nevents for the status of the job',
              },
            };
          },
        },
      ],
      (status) =>
        boxError(
          status,
          status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'internal_server_error' : 'error',
          'Error',
        ),
    );
  }

  private authorized(header: string | string[] | undefined): boolean {
    const m = /^Bearer (.+)$/.exec(String(header ?? ''));
    return m?.[1] !== undefined && this.validTokens.has(m[1]);
  }

  /** Env for the app: the API under /2.0 and the token endpoint. */
  /** Box: `429` with its error body and `retry-after` (about 1,000 requests a minute a user). */
  protected override rateLimitReply(retryAfterSeconds: number): Reply {
    return {
      status: 429,
      body: {
        type: 'error',
        status: 429,
        code: 'rate_limit_exceeded',
        message: 'Request rate limit exceeded, please try again later',
        request_id: `box-rl-${this.rateLimited}`,
      },
      headers: { 'retry-after': String(retryAfterSeconds) },
    };
  }

  env(): Record<string, string> {
    return {
      BOX_CLIENT_ID: BOX_CREDENTIALS.clientId,
      BOX_CLIENT_SECRET: BOX_CREDENTIALS.clientSecret,
      BOX_ENTERPRISE_ID: BOX_CREDENTIALS.enterpriseId,
      BOX_API_URL: `${this.url}/2.0`,
      BOX_TOKEN_URL: `${this.url}/oauth2/token`,
    };
  }
}
