import { z } from 'zod';
import { type ClientDeps, createVendorHttp, type VendorHttp } from '../http.js';
import { HUAWEI_QUIRKS } from './quirks.js';
import type { HuaweiConfig } from './settings.js';
import { signRequest } from './signer.js';

export interface HuaweiDeps extends ClientDeps {
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
    this.http = createVendorHttp(deps, {
      system: 'huawei',
      baseUrl: config.endpoint,
      secrets: [config.secretKey, ...(config.securityToken ? [config.securityToken] : [])],
      quirks: HUAWEI_QUIRKS,
      // Signed per attempt, over the exact method, URL, headers and body about to be sent.
      authorize: (request) => signRequest(request, credentials, now),
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
