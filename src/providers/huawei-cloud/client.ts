import { z } from 'zod';
import type { HuaweiConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import { type VendorErrorInfo, VendorHttp } from '../http.js';
import type { RetryPolicy } from '../retry.js';
import { signRequest } from './signer.js';

export interface HuaweiDeps {
  logger: Logger;
  retryPolicy?: RetryPolicy | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Clock for X-Sdk-Date (epoch ms); the gateway refuses dates more than 15 minutes off. */
  now?: (() => number) | undefined;
  /** Per-request timeout in ms. */
  timeoutMs?: number | undefined;
  /** ListUsers pages to read before giving up (default {@link MAX_USER_PAGES}). */
  maxUserPages?: number | undefined;
}

const userDto = z.object({
  user_id: z.string().min(1),
  user_name: z.string().nullish(),
  display_name: z.string().nullish(),
  emails: z.array(z.object({ value: z.string().nullish(), primary: z.boolean().nullish() })).nullish(),
});
export type HuaweiUser = z.infer<typeof userDto>;

const usersPage = z.object({
  // Omitted when empty (the SDK models use omitempty).
  users: z.array(userDto).default([]),
  page_info: z.object({ next_marker: z.string().nullish(), current_count: z.number().nullish() }).nullish(),
});

const sessionDto = z.object({
  session_id: z.string().min(1),
  user_id: z.string().nullish(),
  ip_address: z.string().nullish(),
  user_agent: z.string().nullish(),
  creation_time: z.number().nullish(),
  session_not_valid_after: z.number().nullish(),
});
export type HuaweiSession = z.infer<typeof sessionDto>;

const sessionsResponse = z.object({ session_list: z.array(sessionDto).default([]) });

/**
 * BatchDeleteSessions answers 200 with an empty body; the status is the
 * signal, so whatever body comes is accepted (the engine lists again to verify).
 */
const batchDeleteResponse = z.unknown();

/** ListUsers takes `limit` 1–100. */
export const USERS_PAGE_SIZE = 100;
/** 500 pages of 100 = 50,000 users: past that, a revocation should not keep paging. */
export const MAX_USER_PAGES = 500;

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Reads a Huawei error body as the official SDKs do: `error_code`/`error_msg`,
 * else `errorCode`/`errorMsg`, else `code`/`message`, looking one level into
 * nested objects; gateway errors carry `APIGW.*` codes in the same fields.
 * The request id falls back to the `X-Request-Id` header.
 */
export function parseHuaweiError(
  _status: number,
  body: unknown,
  headers: Record<string, string> = {},
): VendorErrorInfo {
  const headerId = str(headers['x-request-id']);
  if (typeof body === 'string') return { message: body.slice(0, 200), requestId: headerId };
  if (!body || typeof body !== 'object') return { requestId: headerId };
  const read = (b: Record<string, unknown>): VendorErrorInfo => ({
    vendorCode: str(b.error_code) ?? str(b.errorCode) ?? str(b.code),
    message: str(b.error_msg) ?? str(b.errorMsg) ?? str(b.message),
    requestId: str(b.request_id) ?? str(b.requestId),
  });
  const top = body as Record<string, unknown>;
  const own = read(top);
  const nested = Object.values(top).find((v): v is Record<string, unknown> => !!v && typeof v === 'object');
  const inner = nested ? read(nested) : undefined;
  const info =
    own.vendorCode || own.message || !inner ? own : { ...inner, requestId: own.requestId ?? inner.requestId };
  if (str(top.encoded_authorization_message) && info.message) {
    info.message = `${info.message} (Huawei Cloud also returned an encoded authorization message with the details)`;
  }
  return { ...info, requestId: info.requestId ?? headerId };
}

/** The three IAM Identity Center (identity store) calls this product makes, AK/SK-signed. */
export class HuaweiClient {
  private readonly http: VendorHttp;
  private readonly base: string;

  constructor(config: HuaweiConfig, deps: HuaweiDeps) {
    const credentials = {
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      securityToken: config.securityToken,
    };
    const now = deps.now ?? Date.now;
    this.base = `/v1/identity-stores/${encodeURIComponent(config.identityStoreId)}`;
    this.http = new VendorHttp({
      system: 'huawei',
      baseUrl: config.endpoint,
      logger: deps.logger,
      secrets: [config.secretKey, ...(config.securityToken ? [config.securityToken] : [])],
      parseError: parseHuaweiError,
      requestIdHeader: 'x-request-id',
      // Signed per attempt, over the exact method, URL, headers and body about to be sent.
      authorize: (request) => signRequest(request, credentials, now),
      retryPolicy: deps.retryPolicy,
      sleep: deps.sleep,
      timeoutMs: deps.timeoutMs,
    });
  }

  private userPath(userId: string): string {
    return `${this.base}/users/${encodeURIComponent(userId)}`;
  }

  /** One page of the store's users. */
  async listUsers(marker?: string, limit = USERS_PAGE_SIZE): Promise<{ users: HuaweiUser[]; next?: string }> {
    // https://support.huaweicloud.com/intl/en-us/api-identitycenter/ListUsers.html
    const res = await this.http.request({
      operation: 'list users',
      method: 'GET',
      path: `${this.base}/users`,
      query: { limit, marker },
      idempotent: true,
      schema: usersPage,
    });
    return { users: res.data.users, next: res.data.page_info?.next_marker ?? undefined };
  }

  /** The user's user-portal sessions. */
  async listSessions(userId: string): Promise<HuaweiSession[]> {
    // https://support.huaweicloud.com/intl/en-us/api-identitycenter/ListSessions.html
    const res = await this.http.request({
      operation: 'list sessions',
      method: 'GET',
      path: `${this.userPath(userId)}/sessions`,
      idempotent: true,
      schema: sessionsResponse,
    });
    return res.data.session_list;
  }

  /**
   * Ends the given sessions (one call; the caller chunks). Marked idempotent:
   * deleting an already-deleted session leaves the same end state.
   */
  async batchDeleteSessions(
    userId: string,
    sessionIds: string[],
  ): Promise<{ requestId?: string | undefined }> {
    // https://support.huaweicloud.com/intl/en-us/api-identitycenter/BatchDeleteSessions.html
    const res = await this.http.request({
      operation: 'batch-delete sessions',
      method: 'POST',
      path: `${this.userPath(userId)}/sessions/batch-delete`,
      json: { session_ids: sessionIds },
      idempotent: true,
      schema: batchDeleteResponse,
    });
    return { requestId: res.requestId };
  }
}
