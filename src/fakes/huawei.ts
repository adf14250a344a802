import { verifySignature } from '../providers/huawei-cloud/signer.js';
import { FakeVendor, type Received, type Reply } from './vendor.js';

/** The fake's default credentials and identity store (a 12-character ID, as the API requires). */
export const HUAWEI_KEYS = {
  accessKey: 'HPUAFAKEACCESSKEY001',
  secretKey: 'huawei-secret-key-0123456789',
  store: 'd-0123456789',
};

export interface FakeHwUser {
  user_id: string;
  user_name: string;
  emails: { value: string; primary?: boolean }[];
  display_name?: string;
}

export interface FakeHwSession {
  session_id: string;
  user_id: string;
  ip_address?: string;
  user_agent?: string;
  /** Epoch seconds, as the API documents. */
  creation_time: number;
  session_not_valid_after?: number;
}

export interface FakeHuaweiOptions {
  accessKey?: string;
  secretKey?: string;
  /** When set, every request must carry (and sign) this X-Security-Token. */
  securityToken?: string;
  /** Users per ListUsers page at most (the API allows 100). */
  pageSize?: number;
  /** The server's clock, for the gateway's 15-minute X-Sdk-Date window. */
  now?: () => number;
}

let requestSeq = 0;
const requestId = () => `hw-req-${(++requestSeq).toString(16).padStart(8, '0')}`;
/** Error bodies as the API pages show them: `{error_code, error_msg, request_id}`. */
function hwError(code: string, msg: string, extra: Record<string, string> = {}) {
  return { error_code: code, error_msg: msg, request_id: requestId(), ...extra };
}
function defaultError(status: number) {
  if (status === 429)
    return hwError('APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit');
  if (status === 401)
    return hwError('APIGW.0301', 'Incorrect IAM authentication information: verify aksk signature fail');
  if (status === 403)
    return hwError('IIC.1000', 'No permission for action identitystore:sessions:delete.', {
      encoded_authorization_message: 'ZW5jb2RlZC1hdXRoLW1lc3NhZ2U',
    });
  if (status === 404) return hwError('IIC.404', 'Not found.');
  if (status >= 500) return hwError('IIC.500', 'Internal server error.');
  return hwError('IIC.400', 'Bad Request: invalid parameter.');
}

/** The fake's routes (the names the contract checks and faults use) and the paths they serve. */
export const HUAWEI_ROUTES: Record<string, { method: string; template: string }> = {
  users: { method: 'get', template: '/v1/identity-stores/{identity_store_id}/users' },
  sessions: { method: 'get', template: '/v1/identity-stores/{identity_store_id}/users/{user_id}/sessions' },
  batch_delete: {
    method: 'post',
    template: '/v1/identity-stores/{identity_store_id}/users/{user_id}/sessions/batch-delete',
  },
};
const USERS = `/v1/identity-stores/${HUAWEI_KEYS.store}/users`;
const PATTERNS: Record<string, RegExp> = {
  users: new RegExp(`^${USERS}$`),
  sessions: new RegExp(`^${USERS}/([^/]+)/sessions$`),
  batch_delete: new RegExp(`^${USERS}/([^/]+)/sessions/batch-delete$`),
};

/**
 * A fake IAM Identity Center identity store. It verifies every AK/SK signature
 * with the product's own canonicalisation (401 APIGW.0301 otherwise, and for a
 * stale X-Sdk-Date or a missing security token) and answers as the API pages say;
 * the tests check each request and answer against the OpenAPI description (its `contract`).
 */
export class FakeHuawei extends FakeVendor {
  readonly users: FakeHwUser[] = [];
  sessions: FakeHwSession[] = [];
  pageSize: number;
  /** Answer every ListUsers page with the same next_marker (a looping directory). */
  repeatMarker = false;
  badSignatures = 0;
  private readonly keys: Required<Pick<FakeHuaweiOptions, 'accessKey' | 'secretKey'>> & FakeHuaweiOptions;

  constructor(opts: FakeHuaweiOptions = {}) {
    const guarded = (name: string, handle: (req: Received, params: string[]) => Reply) => ({
      name,
      method: HUAWEI_ROUTES[name]?.method.toUpperCase() ?? 'GET',
      pattern: PATTERNS[name] ?? /^$/,
      handle: (req: Received, params: string[]) => this.serve(req, () => handle(req, params)),
    });
    super(
      [
        guarded('users', (req) => this.listUsers(req)),
        guarded('sessions', (_req, [userId]) => ({
          status: 200,
          body: { session_list: this.sessions.filter((s) => s.user_id === userId).map(sessionDto) },
        })),
        guarded('batch_delete', (req, [userId]) => {
          const ids = (req.body as { session_ids?: unknown })?.session_ids;
          if (!Array.isArray(ids) || ids.length === 0)
            return { status: 400, body: hwError('IIC.400', 'Bad Request: session_ids.') };
          this.sessions = this.sessions.filter((s) => !(s.user_id === userId && ids.includes(s.session_id)));
          return { status: 200 };
        }),
      ],
      defaultError,
    );
    this.keys = { ...HUAWEI_KEYS, ...opts };
    this.pageSize = opts.pageSize ?? 100;
  }

  /** The signature check, then the handler; every answer carries X-Request-Id. */
  private serve(req: Received, handle: () => Reply): Reply {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const url = new URL(`http://${headers.host ?? 'missing-host'}${req.path}`);
    for (const [k, v] of Object.entries(req.query)) url.searchParams.append(k, v);
    const check = verifySignature(
      { method: req.method, url, headers, body: req.rawBody },
      (ak) => (ak === this.keys.accessKey ? this.keys.secretKey : undefined),
      { now: (this.keys.now ?? Date.now)() },
    );
    let reply: Reply;
    if (!check.ok) reply = this.unauthorized(check.reason);
    else if (
      this.keys.securityToken &&
      (headers['x-security-token'] !== this.keys.securityToken ||
        !check.signedHeaders.includes('x-security-token'))
    )
      reply = this.unauthorized('security token missing, unsigned or invalid');
    else reply = handle();
    return { ...reply, headers: { 'x-request-id': requestId(), ...reply.headers } };
  }

  private unauthorized(reason: string): Reply {
    this.badSignatures += 1;
    return {
      status: 401,
      body: hwError('APIGW.0301', `Incorrect IAM authentication information: ${reason}`),
    };
  }

  private listUsers(req: Received): Reply {
    const marker = req.query.marker;
    if (marker !== undefined && !/^m\d{23}$/.test(marker))
      return { status: 400, body: hwError('IIC.400', 'Bad Request: marker.') };
    const start = marker ? Number(marker.slice(1)) : 0;
    const limit = Math.min(Number(req.query.limit ?? 100), this.pageSize);
    const users = this.users.slice(start, start + limit).map((u) => userDto(u, this.keys.accessKey));
    const more = start + limit < this.users.length;
    const next = this.repeatMarker
      ? 'm'.padEnd(24, '0')
      : more
        ? `m${String(start + limit).padStart(23, '0')}`
        : null;
    return { status: 200, body: { users, page_info: { next_marker: next, current_count: users.length } } };
  }

  /** Huawei's API gateway: `429` with `APIGW.0308` (throttling threshold reached) and Retry-After. */
  protected override rateLimitReply(retryAfterSeconds: number, limit: number): Reply {
    return {
      status: 429,
      body: {
        error_code: 'APIGW.0308',
        error_msg: `The throttling threshold has been reached: policy user over ratelimit,limit:${limit}`,
        request_id: `hw-rl-${this.rateLimited}`,
      },
      headers: { 'retry-after': String(retryAfterSeconds) },
    };
  }

  env(): Record<string, string> {
    return {
      HUAWEI_ACCESS_KEY: this.keys.accessKey,
      HUAWEI_SECRET_KEY: this.keys.secretKey,
      ...(this.keys.securityToken ? { HUAWEI_SECURITY_TOKEN: this.keys.securityToken } : {}),
      HUAWEI_IDENTITY_STORE_ID: HUAWEI_KEYS.store,
      HUAWEI_IDENTITYSTORE_ENDPOINT: this.url,
    };
  }
}

/** A user in the documented UserDto shape (every required field present). */
function userDto(u: FakeHwUser, creator: string) {
  const [given = u.user_name, family = ''] = (u.display_name ?? u.user_name).split(' ');
  return {
    user_id: u.user_id,
    user_name: u.user_name,
    display_name: u.display_name ?? u.user_name,
    emails: u.emails.map((e, i) => ({ value: e.value, primary: e.primary ?? i === 0, type: 'work' })),
    identity_store_id: HUAWEI_KEYS.store,
    name: { given_name: given, family_name: family },
    created_at: 1_700_000_000_000,
    created_by: creator,
    updated_at: 1_700_000_000_000,
    updated_by: creator,
    enabled: true,
  };
}

/** A session in the documented UserSessionDto shape (valid for 8 hours unless set). */
function sessionDto(s: FakeHwSession) {
  return { ...s, session_not_valid_after: s.session_not_valid_after ?? s.creation_time + 8 * 3600 };
}

/** Starts a fake Huawei identity store on 127.0.0.1 (port 0). */
export async function startFakeHuawei(opts: FakeHuaweiOptions = {}): Promise<FakeHuawei> {
  const fake = new FakeHuawei(opts);
  await fake.start();
  return fake;
}
