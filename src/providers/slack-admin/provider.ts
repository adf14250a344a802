import { z } from 'zod';
import { ErrorCode, RevokeError } from '../../errors.js';
import { sameEmail } from '../../util/email.js';
import type {
  Account,
  AccountLookup,
  Person,
  ProviderCapabilities,
  RevokeAllOptions,
  RevokeOutcome,
  Session,
  SessionProvider,
} from '../types.js';
import { capabilitiesOf } from '../types.js';
import type { SlackApi } from './client.js';
import type { SlackDirectory, SlackUser } from './directory.js';
import { listResponse, parseSessionRef, toSession } from './sessions.js';

export { slackSessionRef } from './sessions.js';

const okResponse = z.object({ ok: z.literal(true) });

/** resetBulk takes 1 to 1,000 user IDs. */
export const BULK_CHUNK = 1_000;
/** Longest organisation-wide session walk for bulk verification (1,000 sessions a page). */
const ORG_WALK_MAX_PAGES = 100;
/**
 * Pages of one person's sessions in one workspace read before giving up: 20 pages of 1,000 is
 * 20,000 sessions, far beyond any real person, so reaching it means Slack's paging is broken.
 */
export const MAX_SESSION_PAGES = 20;

export interface SlackAdminOptions {
  /** Pages of `admin.users.session.list` per person and workspace (default {@link MAX_SESSION_PAGES}). */
  maxSessionPages?: number | undefined;
}

/** The listing was cut off: said as an error so verification reports "could not verify", never "none left". */
function cutOff(why: string): RevokeError {
  return new RevokeError(`Slack's session list for this person ${why}; the listing is incomplete.`, {
    code: ErrorCode.MalformedResponse,
    system: 'slack',
    retryable: true,
    hint: 'Check the person in the Slack admin dashboard (Manage members → sessions).',
  });
}

function refuse(user: SlackUser): AccountLookup | undefined {
  if (user.deleted)
    return {
      status: 'not_allowed',
      detail: 'The Slack account is deactivated; it has no sessions to revoke.',
    };
  if (user.isBot)
    return { status: 'not_allowed', detail: 'That user is a bot: bots have tokens, not login sessions.' };
  if (user.isPrimaryOwner) {
    return {
      status: 'not_allowed',
      detail: "That user is the Primary Owner; Slack never lets an app reset the Primary Owner's sessions.",
    };
  }
  return undefined;
}

/** Lists, ends all (web / mobile / all) or chosen sessions. */
/** The system's name as people read it (the descriptor and the provider share it). */
export const SLACK_LABEL = 'Slack';

/** Slack Enterprise Grid sessions via `admin.users.session.*` with the org admin user token. */
export class SlackAdminProvider implements SessionProvider {
  readonly id = 'slack' as const;
  readonly label = SLACK_LABEL;
  readonly capabilities = SLACK_CAPABILITIES;

  private readonly maxSessionPages: number;

  constructor(
    private readonly admin: SlackApi,
    private readonly directory: SlackDirectory,
    options: SlackAdminOptions = {},
  ) {
    this.maxSessionPages = Math.max(1, options.maxSessionPages ?? MAX_SESSION_PAGES);
  }

  async findAccount(person: Person): Promise<AccountLookup> {
    let user: SlackUser | undefined;
    if (person.slackUserId) {
      const known = person.directoryUser as SlackUser | undefined;
      // One lookup per person: reuse the directory's answer this process just had for them.
      user =
        known?.id === person.slackUserId && Array.isArray(known.teamIds)
          ? known
          : await this.directory.getUser(person.slackUserId);
      if (user && person.email && user.email && !sameEmail(user.email, person.email)) {
        return {
          status: 'ambiguous',
          candidates: 2,
          detail: 'The Slack user ID and the email belong to different people.',
        };
      }
    } else if (person.email) {
      user = await this.directory.findByEmail(person.email);
    }
    if (!user)
      return { status: 'not_found', detail: 'No Slack user with that ID or email in this organization.' };
    const refused = refuse(user);
    if (refused) return refused;
    return {
      status: 'found',
      account: {
        system: 'slack',
        id: user.id,
        login: user.email ?? user.id,
        displayName: user.realName ?? user.name,
        extra: { teamIds: user.teamIds },
      },
    };
  }

  /**
   * https://docs.slack.dev/reference/methods/admin.users.session.list (user_id and team_id go together).
   * Paging is bounded: a cursor Slack already gave, or more than {@link MAX_SESSION_PAGES} pages,
   * throws rather than returning what was read so far as if it were the whole list.
   */
  async listSessions(account: Account): Promise<Session[]> {
    const teamIds = Array.isArray(account.extra?.teamIds) ? account.extra.teamIds : [];
    const seen = new Map<string, Session>();
    for (const teamId of teamIds) {
      const cursors = new Set<string>();
      let cursor: string | undefined;
      for (let page = 1; ; page++) {
        const res = await this.admin.call(
          'admin.users.session.list',
          { user_id: account.id, team_id: teamId, limit: 1000, ...(cursor ? { cursor } : {}) },
          listResponse,
        );
        for (const s of res.active_sessions) {
          // Identity safety: never show or act on another person's session.
          if (s.user_id !== account.id) continue;
          const session = toSession(s);
          seen.set(session.id, session);
        }
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
        if (cursors.has(cursor)) throw cutOff('repeated a page cursor');
        if (page >= this.maxSessionPages) throw cutOff(`did not end within ${this.maxSessionPages} pages`);
        cursors.add(cursor);
      }
    }
    return [...seen.values()];
  }

  /**
   * Bulk verification: one walk of the organisation's active sessions (`admin.users.session.list`
   * without user and team, 1,000 a page) instead of one Tier-2 call per person and team — for
   * 1,000 people that is a few pages instead of 1,000+ calls. Gives up (undefined) when the walk
   * would take more pages than listing each person would take calls, or when Slack repeats a cursor.
   */
  async listSessionsBulk(accounts: Account[]): Promise<Map<string, Session[]> | undefined> {
    const wanted = new Map(accounts.map((a) => [a.id, [] as Session[]]));
    const perPerson = accounts.reduce(
      (n, a) => n + Math.max(1, Array.isArray(a.extra?.teamIds) ? a.extra.teamIds.length : 1),
      0,
    );
    const maxPages = Math.min(ORG_WALK_MAX_PAGES, perPerson - 1);
    let cursor: string | undefined;
    const cursors = new Set<string>();
    for (let page = 0; ; page++) {
      if (page >= maxPages) return undefined;
      const res = await this.admin.call(
        'admin.users.session.list',
        { limit: 1000, ...(cursor ? { cursor } : {}) },
        listResponse,
      );
      for (const s of res.active_sessions) wanted.get(s.user_id)?.push(toSession(s));
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return wanted;
      // A repeated cursor means the walk would never end: give up, and each person is listed alone.
      if (cursors.has(cursor)) return undefined;
      cursors.add(cursor);
    }
  }

  /** https://docs.slack.dev/reference/methods/admin.users.session.list — one session, to prove the admin token works. */
  async healthCheck(): Promise<string> {
    await this.admin.call('admin.users.session.list', { limit: 1 }, okResponse.loose());
    return 'admin.users.session.* callable (Enterprise Grid, org admin)';
  }

  /** https://docs.slack.dev/reference/methods/admin.users.session.reset */
  async revokeAll(account: Account, options: RevokeAllOptions): Promise<RevokeOutcome> {
    await this.admin.call(
      'admin.users.session.reset',
      {
        user_id: account.id,
        ...(options.scope === 'web' ? { web_only: true } : {}),
        ...(options.scope === 'mobile' ? { mobile_only: true } : {}),
      },
      okResponse,
    );
    const scope =
      options.scope === 'all' ? 'all devices' : options.scope === 'web' ? 'web only' : 'mobile only';
    return { state: 'revoked', detail: `reset (${scope})` };
  }

  /**
   * https://docs.slack.dev/reference/methods/admin.users.session.resetBulk — up to 1,000
   * users a call. Asynchronous: `ok` only means the job was queued, so every outcome is
   * "queued" (the engine then lists each person to confirm). `failed_for_some_users`
   * does not say who, so that chunk's people are reported queued with a warning and the
   * listing decides.
   */
  async revokeAllBulk(
    accounts: Account[],
    options: RevokeAllOptions,
  ): Promise<Map<string, RevokeOutcome | Error>> {
    const results = new Map<string, RevokeOutcome | Error>();
    for (let i = 0; i < accounts.length; i += BULK_CHUNK) {
      const chunk = accounts.slice(i, i + BULK_CHUNK);
      const scope = {
        ...(options.scope === 'web' ? { web_only: true } : {}),
        ...(options.scope === 'mobile' ? { mobile_only: true } : {}),
      };
      try {
        await this.admin.call(
          'admin.users.session.resetBulk',
          { user_ids: chunk.map((a) => a.id), ...scope },
          okResponse,
        );
        for (const a of chunk) results.set(a.id, { state: 'queued', detail: 'queued with resetBulk' });
      } catch (error) {
        const partly = error instanceof RevokeError && error.vendorCode === 'failed_for_some_users';
        for (const a of chunk) {
          results.set(
            a.id,
            partly
              ? { state: 'queued', detail: 'resetBulk reported failed_for_some_users; verified by listing' }
              : error instanceof Error
                ? error
                : new Error(String(error)),
          );
        }
      }
    }
    return results;
  }

  /** https://docs.slack.dev/reference/methods/admin.users.session.invalidate — one call per session. */
  async revokeSessions(_account: Account, sessionIds: string[]): Promise<RevokeOutcome> {
    let ended = 0;
    let alreadyGone = 0;
    const failures: RevokeError[] = [];
    for (const ref of sessionIds) {
      const { sessionId, teamId } = parseSessionRef(ref);
      try {
        await this.admin.call(
          'admin.users.session.invalidate',
          { session_id: sessionId, team_id: teamId },
          okResponse,
        );
        ended++;
      } catch (error) {
        if (
          error instanceof RevokeError &&
          ['session_not_found', 'session_expired'].includes(error.vendorCode ?? '')
        ) {
          alreadyGone++;
        } else if (error instanceof RevokeError) {
          failures.push(error);
        } else {
          throw error;
        }
      }
    }
    const first = failures[0];
    if (first) {
      throw new RevokeError(
        `${ended} of ${sessionIds.length} session(s) ended; ${failures.length} failed: ${first.message}`,
        { code: first.code, system: 'slack', vendorCode: first.vendorCode, retryable: first.retryable },
      );
    }
    return {
      state: 'revoked',
      count: ended,
      detail: alreadyGone > 0 ? `${alreadyGone} had already ended` : undefined,
    };
  }
}

export const SLACK_CAPABILITIES: ProviderCapabilities = capabilitiesOf(SlackAdminProvider, {
  asyncRevoke: false,
  scopes: true,
  // session.list answers per workspace the directory knows for the person (and is cut off after
  // 20 pages); reset ends every session in the organisation. An empty listing proves less than reset.
  listingCoversRevokeAll: false,
  listingShows: "sessions in the person's workspaces",
});
