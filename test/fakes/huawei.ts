import { verifySignature } from '../../src/providers/huawei-cloud/signer.js';
import { loadSpec } from '../helpers/openapi.js';
import { FakeVendor, type Received } from './vendor.js';

export const HUAWEI_KEYS = {
  accessKey: 'HPUAFAKEACCESSKEY001',
  secretKey: 'huawei-secret-key-0123456789',
  store: 'd-0123456789',
};
const spec = loadSpec(
  new URL('../../../shared/specs/huawei/identitycenterstore_sessions.openapi.json', import.meta.url),
);

export interface FakeHwUser {
  user_id: string;
  user_name: string;
  emails: { value: string; primary?: boolean }[];
}

export interface FakeHwSession {
  session_id: string;
  user_id: string;
  ip_address?: string;
  user_agent?: string;
  creation_time: number;
}

function hwError(status: number, code: string, msg: string) {
  return { error_code: code, error_msg: msg, request_id: `hw-req-${status}` };
}

/**
 * A fake IAM Identity Center identity store that verifies every AK/SK signature
 * (401 APIGW.0301 otherwise) and answers as the API pages say: ListUsers with
 * markers, ListSessions, BatchDeleteSessions (200, empty body).
 */
export class FakeHuawei extends FakeVendor {
  readonly users: FakeHwUser[] = [];
  sessions: FakeHwSession[] = [];
  pageSize = 100;
  badSignatures = 0;

  constructor() {
    const base = `/v1/identity-stores/${HUAWEI_KEYS.store}`;
    const esc = base.replace(/[/-]/g, (c) => `\\${c}`);
    super(
      [
        {
          name: 'users',
          method: 'GET',
          pattern: new RegExp(`^${esc}/users$`),
          handle: (req) => this.guard(req) ?? this.listUsers(req),
        },
        {
          name: 'sessions',
          method: 'GET',
          pattern: new RegExp(`^${esc}/users/([^/]+)/sessions$`),
          handle: (req, [userId]) =>
            this.guard(req) ?? {
              status: 200,
              body: { session_list: this.sessions.filter((s) => s.user_id === userId) },
            },
        },
        {
          name: 'batch_delete',
          method: 'POST',
          pattern: new RegExp(`^${esc}/users/([^/]+)/sessions/batch-delete$`),
          handle: (req, [userId]) => {
            const denied = this.guard(req);
            if (denied) return denied;
            const ids = (req.body as { session_ids?: string[] })?.session_ids;
            if (!Array.isArray(ids) || ids.length === 0)
              return { status: 400, body: hwError(400, 'IIC.400', 'Bad Request: session_ids.') };
            this.sessions = this.sessions.filter(
              (s) => !(s.user_id === userId && ids.includes(s.session_id)),
            );
            return { status: 200, headers: { 'x-request-id': 'hw-delete-ok' } };
          },
        },
      ],
      { spec },
      (status) =>
        status === 429
          ? hwError(429, 'APIGW.0308', 'The throttling threshold has been reached')
          : status >= 500
            ? hwError(status, 'IIC.500', 'Internal error')
            : hwError(status, 'IIC.400', 'Bad Request'),
    );
  }

  /** 401 unless the AK/SK signature (over the SignedHeaders the client chose) is right. */
  private guard(req: Received) {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
    const url = new URL(`http://${headers.host ?? 'x'}${req.path}`);
    for (const [k, v] of Object.entries(req.query)) url.searchParams.append(k, v);
    const check = verifySignature(
      { method: req.method, url, headers, body: req.rawBody },
      { [HUAWEI_KEYS.accessKey]: HUAWEI_KEYS.secretKey },
    );
    if (check.ok) return undefined;
    this.badSignatures += 1;
    return {
      status: 401,
      body: hwError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${check.reason}`),
    };
  }

  private listUsers(req: Received) {
    const start = req.query.marker ? Number.parseInt(req.query.marker.replace(/^m0*/, '') || '0', 10) : 0;
    const limit = Math.min(Number(req.query.limit ?? 100), this.pageSize);
    const users = this.users.slice(start, start + limit);
    const next =
      start + limit < this.users.length ? `m${String(start + limit).padStart(23, '0')}` : undefined;
    return { status: 200, body: { users, page_info: { next_marker: next, current_count: users.length } } };
  }

  env(): Record<string, string> {
    return {
      HUAWEI_ACCESS_KEY: HUAWEI_KEYS.accessKey,
      HUAWEI_SECRET_KEY: HUAWEI_KEYS.secretKey,
      HUAWEI_IDENTITY_STORE_ID: HUAWEI_KEYS.store,
      HUAWEI_IDENTITYSTORE_ENDPOINT: this.url,
    };
  }
}
