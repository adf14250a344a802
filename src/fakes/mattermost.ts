import { FakeVendor, type Reply } from './vendor.js';

export const MATTERMOST_TOKEN = 'mm-personal-access-token-0123456789';

export interface FakeMmUser {
  id: string;
  email: string;
  username: string;
  delete_at?: number;
}

export interface FakeMmSession {
  id: string;
  user_id: string;
  token: string;
  create_at: number;
  last_activity_at: number;
  props?: Record<string, string>;
  device_id?: string;
}

function mmError(status: number, id: string, message: string) {
  return { id, message, detailed_error: '', request_id: `mm-req-${status}`, status_code: status };
}

/** A fake Mattermost server (API v4) answering as its API reference says. */
export class FakeMattermost extends FakeVendor {
  readonly users: FakeMmUser[] = [];
  sessions: FakeMmSession[] = [];

  constructor() {
    const auth = (h: string | string[] | undefined) =>
      /^bearer /i.test(String(h ?? '')) && String(h).slice(7) === MATTERMOST_TOKEN;
    const unauthorized = {
      status: 401,
      body: mmError(
        401,
        'api.context.session_expired.app_error',
        'Invalid or expired session, please login again.',
      ),
    };
    super(
      [
        {
          name: 'me',
          method: 'GET',
          pattern: /^\/api\/v4\/users\/me$/,
          handle: (req) =>
            auth(req.headers.authorization)
              ? { status: 200, body: { id: 'bot', username: 'revoke-bot' } }
              : unauthorized,
        },
        {
          name: 'user_by_email',
          method: 'GET',
          pattern: /^\/api\/v4\/users\/email\/([^/]+)$/,
          handle: (req, [email]) => {
            if (!auth(req.headers.authorization)) return unauthorized;
            const u = this.users.find((x) => x.email.toLowerCase() === (email ?? '').toLowerCase());
            return u
              ? { status: 200, body: { ...u, delete_at: u.delete_at ?? 0 } }
              : {
                  status: 404,
                  body: mmError(
                    404,
                    'store.sql_user.missing_account.const',
                    'We couldn’t find an existing account matching your email address.',
                  ),
                };
          },
        },
        {
          name: 'sessions',
          method: 'GET',
          pattern: /^\/api\/v4\/users\/([^/]+)\/sessions$/,
          handle: (req, [userId]) =>
            auth(req.headers.authorization)
              ? { status: 200, body: this.sessions.filter((s) => s.user_id === userId) }
              : unauthorized,
        },
        {
          name: 'revoke_all',
          method: 'POST',
          pattern: /^\/api\/v4\/users\/([^/]+)\/sessions\/revoke\/all$/,
          handle: (req, [userId]) => {
            if (!auth(req.headers.authorization)) return unauthorized;
            this.sessions = this.sessions.filter((s) => s.user_id !== userId);
            return { status: 200, body: { status: 'OK' } };
          },
        },
        {
          name: 'revoke',
          method: 'POST',
          pattern: /^\/api\/v4\/users\/([^/]+)\/sessions\/revoke$/,
          handle: (req, [userId]) => {
            if (!auth(req.headers.authorization)) return unauthorized;
            const id = (req.body as { session_id?: string })?.session_id;
            const s = this.sessions.find((x) => x.id === id && x.user_id === userId);
            if (!s)
              return {
                status: 400,
                body: mmError(400, 'api.user.revoke_session.invalid_session', 'Invalid session id'),
              };
            this.sessions = this.sessions.filter((x) => x !== s);
            return { status: 200, body: { status: 'OK' } };
          },
        },
      ],
      (status) =>
        status === 429
          ? 'limit exceeded'
          : mmError(status, status >= 500 ? 'app.internal_error' : 'api.error', 'Error'),
    );
  }

  /** Mattermost: `429` with the plain-text body `limit exceeded` and its X-Ratelimit-* headers. */
  protected override rateLimitReply(retryAfterSeconds: number, limit: number): Reply {
    return {
      status: 429,
      body: 'limit exceeded\n',
      headers: {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(retryAfterSeconds),
        'retry-after': String(retryAfterSeconds),
      },
    };
  }

  env(): Record<string, string> {
    return { MATTERMOST_URL: this.url, MATTERMOST_TOKEN };
  }
}
