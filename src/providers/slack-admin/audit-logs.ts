import { z } from 'zod';
import type { Logger } from '../../log.js';
import type { Budgets } from '../budget/index.js';
import { VendorHttp } from '../http.js';
import type { VendorQuirks } from '../quirks.js';
import { parseRetryAfter, type RetryPolicy } from '../retry.js';
import { standardWording } from '../wording.js';

/** The Audit Logs actions that record a session reset: one person's, and a bulk job's. */
export const RESET_ACTIONS = ['user_session_reset_by_admin', 'bulk_session_reset_by_admin'] as const;

/** What Slack's audit log says of one person's reset. */
export interface ResetRecord {
  userId: string;
  outcome: 'succeeded' | 'failed';
  /** When Slack did it (the entry's `date_create`). */
  at: string;
  /** The audit entry's id. */
  entryId: string;
  action: (typeof RESET_ACTIONS)[number];
}

/**
 * `succeeded_users` / `failed_users`: for historical reasons a list, or one string holding the
 * list as encoded JSON (Slack's own SDKs accept both). Anything else reads as no one.
 */
const userList = z.unknown().transform((value): string[] => {
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return [];
    }
  }
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
});

const entry = z.object({
  id: z.string(),
  date_create: z.number(),
  action: z.string(),
  entity: z
    .object({ type: z.string().optional(), user: z.object({ id: z.string() }).loose().optional() })
    .loose()
    .optional(),
  details: z
    .object({ succeeded_users: userList.optional(), failed_users: userList.optional() })
    .loose()
    .optional(),
});

const logsResponse = z.object({
  entries: z.array(z.unknown()),
  response_metadata: z.object({ next_cursor: z.string().optional() }).loose().optional(),
});

/** Slack's Audit Logs errors: `{ok: false, error}` with an HTTP status; 429 with Retry-After. */
export const SLACK_AUDIT_QUIRKS: VendorQuirks = {
  label: 'Slack Audit Logs',
  parseError: (_status, body) => {
    const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    return { vendorCode: typeof b.error === 'string' ? b.error : undefined };
  },
  rateLimitWaitMs: (headers) => parseRetryAfter(headers['retry-after']),
  wording: standardWording('Slack Audit Logs'),
};

/** Pages read per look at most (100 entries a page): far beyond the resets of one request's window. */
const MAX_PAGES = 20;

export interface AuditLogsDeps {
  logger: Logger;
  budgets?: Budgets | undefined;
  retryPolicy?: RetryPolicy | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  timeoutMs?: number | undefined;
}

/**
 * Reads Slack's Audit Logs API (org owner token, `auditlogs:read`): the session resets done by
 * admins in a time range. Tier 3 (50 calls a minute, organisation-wide): its calls keep to the
 * `slack:audit.logs` budget, and a 429's Retry-After is honoured by the shared HTTP layer.
 */
export class SlackAuditLogs {
  private readonly http: VendorHttp;

  constructor(config: { token: string; apiUrl: string }, deps: AuditLogsDeps) {
    this.http = new VendorHttp({
      system: 'slack',
      baseUrl: config.apiUrl,
      logger: deps.logger,
      secrets: [config.token],
      quirks: SLACK_AUDIT_QUIRKS,
      authorize: () => ({ authorization: `Bearer ${config.token}` }),
      retryPolicy: deps.retryPolicy,
      sleep: deps.sleep,
      budgets: deps.budgets,
      timeoutMs: deps.timeoutMs,
    });
  }

  /**
   * https://docs.slack.dev/reference/audit-logs-api/methods-actions-reference — `GET logs` filtered
   * by the reset actions and `oldest`/`latest` (epoch seconds), paged by cursor. Returns one record
   * per person an entry names (a bulk entry names several).
   */
  async resets(oldest: Date, latest: Date): Promise<ResetRecord[]> {
    const records: ResetRecord[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.http.request({
        operation: 'audit.logs',
        method: 'GET',
        path: '/logs',
        query: {
          action: RESET_ACTIONS.join(','),
          oldest: Math.floor(oldest.getTime() / 1000),
          latest: Math.ceil(latest.getTime() / 1000),
          limit: 100,
          cursor,
        },
        idempotent: true,
        schema: logsResponse,
      });
      for (const raw of res.data.entries) {
        const parsed = entry.safeParse(raw);
        if (parsed.success) records.push(...recordsOf(parsed.data));
      }
      cursor = res.data.response_metadata?.next_cursor || undefined;
      if (!cursor) return records;
    }
    return records;
  }
}

function recordsOf(e: z.infer<typeof entry>): ResetRecord[] {
  const action = RESET_ACTIONS.find((a) => a === e.action);
  if (!action) return [];
  const at = new Date(e.date_create * 1000).toISOString();
  const common = { at, entryId: e.id, action };
  if (action === 'user_session_reset_by_admin') {
    const userId = e.entity?.user?.id;
    return userId ? [{ ...common, userId, outcome: 'succeeded' }] : [];
  }
  return [
    ...(e.details?.succeeded_users ?? []).map((userId) => ({
      ...common,
      userId,
      outcome: 'succeeded' as const,
    })),
    ...(e.details?.failed_users ?? []).map((userId) => ({ ...common, userId, outcome: 'failed' as const })),
  ];
}
