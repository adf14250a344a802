import { z } from 'zod';
import type { HuaweiConfig } from '../../config.js';
import { ErrorCode, RevokeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { type VendorErrorInfo, VendorHttp } from '../http.js';
import type { RetryPolicy } from '../retry.js';
import type {
  Account,
  AccountLookup,
  Person,
  ProviderCapabilities,
  RevokeOutcome,
  Session,
  SessionProvider,
} from '../types.js';
import { signRequest } from './signer.js';

export interface HuaweiDeps {
  logger: Logger;
  retryPolicy?: RetryPolicy | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  now?: (() => number) | undefined;
  timeoutMs?: number | undefined;
}

const userDto = z.object({
  user_id: z.string(),
  user_name: z.string().optional(),
  display_name: z.string().optional(),
  emails: z.array(z.object({ value: z.string().optional(), primary: z.boolean().optional() })).nullish(),
});
const usersPage = z.object({
  users: z.array(userDto).default([]),
  page_info: z.object({ next_marker: z.string().nullish(), current_count: z.number().optional() }).nullish(),
});
const sessionsResponse = z.object({
  session_list: z
    .array(
      z.object({
        session_id: z.string(),
        user_id: z.string().optional(),
        ip_address: z.string().nullish(),
        user_agent: z.string().nullish(),
        creation_time: z.number().nullish(),
        session_not_valid_after: z.number().nullish(),
      }),
    )
    .default([]),
});
const empty = z.unknown();

/** Huawei errors `{error_code, error_msg, request_id}` (+ `encoded_authorization_message` on 403); gateway errors use APIGW.* codes. */
export function parseHuaweiError(_status: number, body: unknown): VendorErrorInfo {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      vendorCode: str(b.error_code) ?? str(b.code),
      message: str(b.error_msg) ?? str(b.message),
      requestId: str(b.request_id),
    };
  }
  return { message: typeof body === 'string' ? body.slice(0, 200) : undefined };
}

/** The API takes 1–100 users a page. */
const PAGE = 100;
/** Stop after this many pages (100,000 users) rather than loop on a misbehaving marker. */
const MAX_PAGES = 1_000;
/** Sessions per batch-delete call; the API documents no maximum, so calls are kept small. */
export const HUAWEI_DELETE_CHUNK = 50;
const seconds = (s: number | null | undefined) => (s ? new Date(s * 1000).toISOString() : undefined);

/**
 * Huawei Cloud IAM Identity Center (identity store) over AK/SK-signed requests.
 * batch-delete ends user-portal sessions only; console sessions obtained
 * through a permission set live until they expire.
 */
export class HuaweiProvider implements SessionProvider {
  readonly id = 'huawei' as const;
  readonly label = 'Huawei Cloud';
  readonly capabilities: ProviderCapabilities = {
    listSessions: true,
    revokeSelected: true,
    asyncRevoke: false,
    scopes: false,
  };
  private readonly http: VendorHttp;
  private readonly base: string;

  constructor(config: HuaweiConfig, deps: HuaweiDeps) {
    const now = deps.now ?? Date.now;
    this.base = `/v1/identity-stores/${encodeURIComponent(config.identityStoreId)}`;
    this.http = new VendorHttp({
      system: 'huawei',
      baseUrl: config.endpoint,
      logger: deps.logger,
      secrets: [config.secretKey, ...(config.securityToken ? [config.securityToken] : [])],
      parseError: parseHuaweiError,
      requestIdHeader: 'x-request-id',
      authorize: (req) =>
        signRequest({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: req.body,
          accessKey: config.accessKey,
          secretKey: config.secretKey,
          securityToken: config.securityToken,
          now: new Date(now()),
        }),
      retryPolicy: deps.retryPolicy,
      sleep: deps.sleep,
      timeoutMs: deps.timeoutMs,
    });
  }

  /** ListUsers (no email filter exists): page through and match `emails[].value` or `user_name` exactly. */
  async findAccount(person: Person): Promise<AccountLookup> {
    const email = person.email?.trim().toLowerCase();
    if (!email)
      return {
        status: 'not_found',
        detail: 'No email is known for this person, so Huawei Cloud cannot be searched.',
      };
    const matches = new Map<string, z.infer<typeof userDto>>();
    let marker: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) {
        throw new RevokeError(
          `Huawei Cloud's user list did not end after ${MAX_PAGES} pages; refusing to guess.`,
          {
            code: ErrorCode.MalformedResponse,
            system: 'huawei',
          },
        );
      }
      // https://support.huaweicloud.com/intl/en-us/api-identitycenter/ListUsers.html
      const res = await this.http.request({
        operation: 'list users',
        method: 'GET',
        path: `${this.base}/users`,
        query: { limit: PAGE, marker },
        idempotent: true,
        schema: usersPage,
      });
      for (const u of res.data.users) {
        const emails = (u.emails ?? []).map((e) => e.value?.trim().toLowerCase());
        if (emails.includes(email) || u.user_name?.toLowerCase() === email) matches.set(u.user_id, u);
      }
      const next = res.data.page_info?.next_marker ?? undefined;
      if (!next || next === marker || res.data.users.length === 0) break;
      marker = next;
    }
    if (matches.size === 0)
      return { status: 'not_found', detail: `No Huawei Cloud identity-store user has the email ${email}.` };
    if (matches.size > 1) {
      return {
        status: 'ambiguous',
        candidates: matches.size,
        detail: `${matches.size} Huawei Cloud users match ${email}.`,
      };
    }
    const [u] = [...matches.values()];
    if (!u) return { status: 'not_found', detail: `No Huawei Cloud user matches ${email}.` };
    return {
      status: 'found',
      account: { system: 'huawei', id: u.user_id, login: u.user_name ?? email, displayName: u.display_name },
    };
  }

  /** A signed ListUsers call with limit 1: proves the AK/SK, the endpoint and the store ID. */
  async healthCheck(): Promise<string> {
    await this.http.request({
      operation: 'list users',
      method: 'GET',
      path: `${this.base}/users`,
      query: { limit: 1 },
      idempotent: true,
      schema: usersPage,
    });
    return 'signed request accepted; identity store reachable';
  }

  /** https://support.huaweicloud.com/intl/en-us/api-identitycenter/ListSessions.html */
  async listSessions(account: Account): Promise<Session[]> {
    const res = await this.http.request({
      operation: 'list sessions',
      method: 'GET',
      path: `${this.base}/users/${encodeURIComponent(account.id)}/sessions`,
      idempotent: true,
      schema: sessionsResponse,
    });
    return res.data.session_list
      .filter((s) => s.user_id === undefined || s.user_id === account.id)
      .map((s) => ({
        id: s.session_id,
        device: s.user_agent ?? undefined,
        ip: s.ip_address ?? undefined,
        createdAt: seconds(s.creation_time),
        kind: 'web' as const,
      }));
  }

  /** https://support.huaweicloud.com/intl/en-us/api-identitycenter/BatchDeleteSessions.html — in chunks. */
  async revokeSessions(account: Account, sessionIds: string[]): Promise<RevokeOutcome> {
    let ended = 0;
    let requestId: string | undefined;
    for (let i = 0; i < sessionIds.length; i += HUAWEI_DELETE_CHUNK) {
      const chunk = sessionIds.slice(i, i + HUAWEI_DELETE_CHUNK);
      try {
        const res = await this.http.request({
          operation: 'batch-delete sessions',
          method: 'POST',
          path: `${this.base}/users/${encodeURIComponent(account.id)}/sessions/batch-delete`,
          json: { session_ids: chunk },
          idempotent: true,
          schema: empty,
        });
        requestId = res.requestId ?? requestId;
        ended += chunk.length;
      } catch (error) {
        if (ended > 0 && error instanceof RevokeError) {
          throw new RevokeError(`${ended} of ${sessionIds.length} session(s) ended; then: ${error.message}`, {
            code: error.code,
            system: 'huawei',
            status: error.status,
            vendorCode: error.vendorCode,
            requestId: error.requestId,
            retryable: error.retryable,
          });
        }
        throw error;
      }
    }
    return {
      state: 'revoked',
      count: ended,
      requestId,
      detail: 'user-portal sessions; console sessions from a permission set last until they expire',
    };
  }

  /** Huawei has no "revoke all": list, then batch-delete everything listed (the engine lists again to verify). */
  async revokeAll(account: Account): Promise<RevokeOutcome> {
    const sessions = await this.listSessions(account);
    if (sessions.length === 0)
      return { state: 'revoked', count: 0, detail: 'no user-portal sessions were open' };
    return this.revokeSessions(
      account,
      sessions.map((s) => s.id),
    );
  }
}

/** Creates the Huawei Cloud provider. */
export function createHuaweiProvider(config: HuaweiConfig, deps: HuaweiDeps): SessionProvider {
  return new HuaweiProvider(config, deps);
}
