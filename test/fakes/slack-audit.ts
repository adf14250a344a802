import { FakeVendor, type Reply } from './vendor.js';

/** The org owner's token the fake accepts (`auditlogs:read`). */
export const SLACK_AUDIT_TOKEN = 'xoxp-test-audit-owner-token-made-up-not-real';

/** One audit log entry as Slack's Audit Logs API returns it. */
export interface FakeAuditEntry {
  id: string;
  date_create: number;
  action: string;
  actor?: Record<string, unknown>;
  entity?: Record<string, unknown>;
  context?: Record<string, unknown>;
  details?: Record<string, unknown>;
}

const err = (status: number, error: string): Reply => ({ status, body: { ok: false, error } });

/**
 * A fake of Slack's Audit Logs API (https://docs.slack.dev/reference/audit-logs-api/methods-actions-reference):
 * `GET /logs` with a Bearer org owner token, filtered by `action` (comma-separated), `oldest` and
 * `latest` (epoch seconds, inclusive), `limit` (1–9999) and an opaque `cursor`; newest first.
 * Errors are `{ok: false, error}` with an HTTP status; its Tier 3 limit answers 429 with
 * Retry-After (see {@link FakeVendor.limitRate}).
 */
export class FakeSlackAudit extends FakeVendor {
  entries: FakeAuditEntry[] = [];
  /** The entries Slack has not written yet (its audit log lags): shown from `visibleAfter` (epoch ms) on. */
  readonly later: { entry: FakeAuditEntry; visibleAfter: number }[] = [];

  constructor() {
    super(
      [
        {
          name: 'logs',
          method: 'GET',
          pattern: /^\/audit\/v1\/logs$/,
          handle: (req) => {
            const auth = String(req.headers.authorization ?? '');
            if (!auth.startsWith('Bearer ')) return err(401, 'not_authed');
            if (auth.slice(7) !== SLACK_AUDIT_TOKEN) return err(401, 'invalid_auth');
            const q = req.query;
            const limit = q.limit === undefined ? 100 : Number(q.limit);
            if (!Number.isInteger(limit) || limit < 1 || limit > 9999) return err(400, 'invalid_arguments');
            for (const n of [q.oldest, q.latest])
              if (n !== undefined && !/^\d+$/.test(n)) return err(400, 'invalid_arguments');
            const actions = q.action?.split(',');
            const now = Date.now();
            const visible = [
              ...this.entries,
              ...this.later.filter((l) => l.visibleAfter <= now).map((l) => l.entry),
            ]
              .filter((e) => !actions || actions.includes(e.action))
              .filter((e) => q.oldest === undefined || e.date_create >= Number(q.oldest))
              .filter((e) => q.latest === undefined || e.date_create <= Number(q.latest))
              .sort((a, b) => b.date_create - a.date_create);
            const offset = q.cursor ? Number(Buffer.from(q.cursor, 'base64').toString()) : 0;
            if (!Number.isInteger(offset) || offset < 0) return err(400, 'invalid_cursor');
            const next =
              offset + limit < visible.length ? Buffer.from(String(offset + limit)).toString('base64') : '';
            return {
              status: 200,
              body: {
                entries: visible.slice(offset, offset + limit),
                response_metadata: { next_cursor: next },
              },
            };
          },
        },
      ],
      (status) => ({ ok: false, error: status === 429 ? 'ratelimited' : 'internal_error' }),
    );
  }

  /** Its base URL as SLACK_AUDIT_API_URL. */
  env(): Record<string, string> {
    return { SLACK_AUDIT_TOKEN, SLACK_AUDIT_API_URL: `${this.url}/audit/v1/` };
  }

  /** `user_session_reset_by_admin` for one person, at epoch seconds `at`. */
  static reset(userId: string, at: number): FakeAuditEntry {
    return {
      id: `entry-${userId}-${at}`,
      date_create: at,
      action: 'user_session_reset_by_admin',
      actor: { type: 'user', user: { id: 'UADMIN', name: 'admin', email: 'admin@example.com' } },
      entity: {
        type: 'user',
        user: { id: userId, name: userId.toLowerCase(), email: `${userId}@example.com` },
      },
      context: {
        location: { type: 'enterprise', id: 'E1', name: 'Acme', domain: 'acme' },
        ua: 'ua',
        ip_address: '192.0.2.1',
      },
    };
  }

  /**
   * `bulk_session_reset_by_admin`: its `details.succeeded_users` / `failed_users` as lists, or — as
   * Slack has sent them for historical reasons — as one string of encoded JSON.
   */
  static bulk(succeeded: string[], failed: string[], at: number, asStrings = false): FakeAuditEntry {
    const list = (ids: string[]) => (asStrings ? JSON.stringify(ids) : ids);
    return {
      id: `bulk-${at}-${succeeded.length}-${failed.length}`,
      date_create: at,
      action: 'bulk_session_reset_by_admin',
      actor: { type: 'user', user: { id: 'UADMIN', name: 'admin', email: 'admin@example.com' } },
      entity: { type: 'enterprise', enterprise: { id: 'E1', name: 'Acme', domain: 'acme' } },
      details: { succeeded_users: list(succeeded), failed_users: list(failed) },
    };
  }
}
