import { ErrorCode, RevokeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { foldEmailOrUndefined, sameEmail } from '../../util/email.js';
import { mapLimit } from '../../util/limit.js';
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
import { HuaweiClient, type HuaweiDeps, type HuaweiUser, MAX_USER_PAGES } from './client.js';
import { HUAWEI_QUIRKS } from './quirks.js';
import type { HuaweiConfig } from './settings.js';

/**
 * Session IDs per BatchDeleteSessions call. The API documents no maximum
 * (`session_ids` is a plain "Array of strings" on the API page, with no
 * maxItems in the SDK models), so chunks stay small: 50 IDs is a ~2 KB body,
 * far below any gateway limit, and one refused chunk cannot hide how many
 * sessions the earlier chunks ended. People rarely have more than a few
 * portal sessions, so this is normally a single call.
 */
export const HUAWEI_DELETE_CHUNK = 50;

/**
 * How long a finished walk of the user list keeps answering lookups (and a walk in flight is
 * shared by every lookup that arrives meanwhile). ListUsers has no email filter, so without
 * this a bulk of 1,000 people in a directory of 1,000 users would make 10,000 calls; one walk
 * serves the whole lookup phase of a bulk, which takes well under a second. Short on purpose:
 * a request that runs later (after an approval, say) walks the list afresh.
 */
export const DIRECTORY_TTL_MS = 1_000;

/** Accounts revoked at a time by {@link HuaweiProvider.revokeAllBulk} (as the engine runs steps). */
export const HUAWEI_BULK_CONCURRENCY = 4;

/** Said with every revocation: what Huawei's batch-delete does not end. */
export const HUAWEI_PORTAL_NOTICE =
  'batch-delete ends user-portal sessions only; console sessions from a permission set live until they expire';

/** Epoch seconds (as documented: creation_time 1753858567) to ISO; milliseconds are recognised too. */
function epochToIso(value: number | null | undefined): string | undefined {
  if (!value || value <= 0) return undefined;
  const date = new Date(value > 1e11 ? value : value * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const hasEmail = (user: HuaweiUser) => (user.emails ?? []).some((e) => foldEmailOrUndefined(e.value));

/**
 * How users are matched to an email: on the `emails[].value` attribute, the identity store's
 * own record of the address. A user name is only a login name anyone with write access to the
 * store can set (`alice@example.com` on Mallory's account), so it is used only when no user in
 * the store has an email at all (a store synchronised without email attributes).
 */
function matcherFor(users: HuaweiUser[]): {
  by: 'email' | 'user_name';
  matches: (u: HuaweiUser, email: string) => boolean;
} {
  if (users.some(hasEmail)) {
    return { by: 'email', matches: (u, email) => (u.emails ?? []).some((e) => sameEmail(e.value, email)) };
  }
  return { by: 'user_name', matches: (u, email) => sameEmail(u.user_name, email) };
}

/**
 * Huawei Cloud IAM Identity Center (identity store) behind the provider
 * interface. Sessions are user-portal sessions; "revoke all" is list, then
 * batch-delete everything listed.
 */
export class HuaweiProvider implements SessionProvider {
  readonly id = 'huawei' as const;
  readonly label = HUAWEI_QUIRKS.label;
  readonly capabilities = HUAWEI_CAPABILITIES;
  private readonly client: HuaweiClient;
  private readonly logger: Logger;
  private readonly maxPages: number;
  private readonly now: () => number;
  private cached: { users: Promise<HuaweiUser[]>; doneAt?: number } | undefined;

  constructor(config: HuaweiConfig, deps: HuaweiDeps) {
    this.client = new HuaweiClient(config, deps);
    this.logger = deps.logger;
    this.maxPages = deps.maxUserPages ?? MAX_USER_PAGES;
    this.now = deps.now ?? Date.now;
  }

  /**
   * ListUsers has no email filter, so every page is read and matched exactly on the email
   * attribute (the user name only when nobody in the store has an email; see {@link matcherFor});
   * one match is the account, several distinct users are ambiguous (nothing is
   * revoked), and paging is bounded so a huge or looping directory cannot hang.
   */
  async findAccount(person: Person): Promise<AccountLookup> {
    const email = foldEmailOrUndefined(person.email);
    if (!email) {
      return {
        status: 'not_found',
        detail: 'No email is known for this person, so Huawei Cloud cannot be searched.',
      };
    }
    const users = await this.directory();
    const matcher = matcherFor(users);
    const matches = new Map<string, HuaweiUser>();
    for (const user of users) if (matcher.matches(user, email)) matches.set(user.user_id, user);
    const [user, ...others] = [...matches.values()];
    if (!user) {
      const where =
        matcher.by === 'email' ? 'the email' : 'the user name (no user in the store has an email)';
      return { status: 'not_found', detail: `No Huawei Cloud identity-store user has ${where} ${email}.` };
    }
    if (matcher.by === 'user_name') {
      this.logger.info('huawei lookup: no user in the identity store has an email; matched on the user name');
    }
    if (others.length > 0) {
      return {
        status: 'ambiguous',
        candidates: matches.size,
        detail: `${matches.size} Huawei Cloud users match ${email}; nothing will be revoked there.`,
      };
    }
    return {
      status: 'found',
      account: {
        system: 'huawei',
        id: user.user_id,
        login: user.user_name ?? email,
        displayName: user.display_name ?? undefined,
      },
    };
  }

  /**
   * Every identity-store user. A walk in flight is shared by every lookup (single flight) and
   * answers for {@link DIRECTORY_TTL_MS} after it ends, so a bulk of 1,000 people reads the user
   * list once instead of once per person; a failed walk is never reused.
   */
  private directory(): Promise<HuaweiUser[]> {
    const c = this.cached;
    if (c && (c.doneAt === undefined || this.now() - c.doneAt < DIRECTORY_TTL_MS)) return c.users;
    const entry: { users: Promise<HuaweiUser[]>; doneAt?: number } = { users: this.listAllUsers() };
    this.cached = entry;
    entry.users.then(
      () => {
        entry.doneAt = this.now();
      },
      () => {
        if (this.cached === entry) this.cached = undefined;
      },
    );
    return entry.users;
  }

  private async listAllUsers(): Promise<HuaweiUser[]> {
    const all: HuaweiUser[] = [];
    let marker: string | undefined;
    const markers = new Set<string>();
    for (let page = 1; ; page++) {
      const { users, next } = await this.client.listUsers(marker);
      all.push(...users);
      if (!next) break;
      if (markers.has(next)) {
        throw new RevokeError(
          'Huawei Cloud repeated a page marker while listing users; the person was not looked up.',
          {
            code: ErrorCode.MalformedResponse,
            system: 'huawei',
            hint: 'Try again later; if it persists, raise it with Huawei Cloud support.',
          },
        );
      }
      if (page >= this.maxPages) {
        throw new RevokeError(
          `Huawei Cloud's user list did not end within ${this.maxPages} pages; the person was not looked up.`,
          {
            code: ErrorCode.IdentityMismatch,
            system: 'huawei',
            hint: 'Revoke this person in the Huawei Cloud console.',
          },
        );
      }
      markers.add(next);
      marker = next;
    }
    return all;
  }

  /** A signed ListUsers call with limit 1: proves the AK/SK, the endpoint and the store ID. */
  async healthCheck(): Promise<string> {
    await this.client.listUsers(undefined, 1);
    return 'signed request accepted; identity store reachable';
  }

  /** The account's user-portal sessions; any session reported for another user is dropped. */
  async listSessions(account: Account): Promise<Session[]> {
    const all = await this.client.listSessions(account.id);
    const own = all.filter((s) => s.user_id == null || s.user_id === account.id);
    if (own.length < all.length) {
      this.logger.warn(`huawei list sessions: dropped ${all.length - own.length} session(s) of another user`);
    }
    return own.map((s) => ({
      id: s.session_id,
      device: s.user_agent ?? undefined,
      ip: s.ip_address ?? undefined,
      createdAt: epochToIso(s.creation_time),
      kind: 'web' as const,
    }));
  }

  /** Ends the chosen sessions, {@link HUAWEI_DELETE_CHUNK} per call; a failure says how many had ended. */
  async revokeSessions(account: Account, sessionIds: string[]): Promise<RevokeOutcome> {
    const ids = [...new Set(sessionIds)];
    let ended = 0;
    let requestId: string | undefined;
    for (let i = 0; i < ids.length; i += HUAWEI_DELETE_CHUNK) {
      const chunk = ids.slice(i, i + HUAWEI_DELETE_CHUNK);
      try {
        requestId = (await this.client.batchDeleteSessions(account.id, chunk)).requestId ?? requestId;
      } catch (error) {
        if (ended === 0 || !(error instanceof RevokeError)) throw error;
        throw new RevokeError(`${ended} of ${ids.length} session(s) were ended; then: ${error.message}`, {
          code: error.code,
          system: 'huawei',
          status: error.status,
          vendorCode: error.vendorCode,
          requestId: error.requestId,
          retryable: error.retryable,
          hint: error.hint,
          cause: error,
        });
      }
      ended += chunk.length;
    }
    return {
      state: 'revoked',
      count: ended,
      requestId,
      detail: HUAWEI_PORTAL_NOTICE,
    };
  }

  /**
   * Many accounts: Huawei has no call for several users, so each account is listed and
   * batch-deleted ({@link revokeAll}), {@link HUAWEI_BULK_CONCURRENCY} at a time. Offered so that
   * a bulk request looks everyone up first — all lookups inside one walk of the user list
   * ({@link DIRECTORY_TTL_MS}) — before any revocation; looked up step by step, between other
   * calls under the rate limit, the walk would expire and be repeated many times. One account's
   * failure is that account's outcome only.
   */
  async revokeAllBulk(
    accounts: Account[],
    _options?: RevokeAllOptions,
  ): Promise<Map<string, RevokeOutcome | Error>> {
    const results = new Map<string, RevokeOutcome | Error>();
    await mapLimit(accounts, HUAWEI_BULK_CONCURRENCY, async (account) => {
      try {
        results.set(account.id, await this.revokeAll(account));
      } catch (error) {
        results.set(account.id, error instanceof Error ? error : new Error(String(error)));
      }
    });
    return results;
  }

  /** No "revoke all" exists: list, then batch-delete everything listed (the engine lists again to verify). */
  async revokeAll(account: Account): Promise<RevokeOutcome> {
    const sessions = await this.listSessions(account);
    if (sessions.length === 0) {
      return {
        state: 'revoked',
        count: 0,
        detail: `no user-portal sessions were open; ${HUAWEI_PORTAL_NOTICE}`,
      };
    }
    return this.revokeSessions(
      account,
      sessions.map((s) => s.id),
    );
  }
}

/** Creates the Huawei Cloud IAM Identity Center provider. */
export function createHuaweiProvider(config: HuaweiConfig, deps: HuaweiDeps): SessionProvider {
  return new HuaweiProvider(config, deps);
}

/** Lists user-portal sessions, ends all or chosen ones. */
export const HUAWEI_CAPABILITIES: ProviderCapabilities = capabilitiesOf(HuaweiProvider, {
  asyncRevoke: false,
  scopes: false,
  // Revoke-all is "list, then batch-delete every listed session": the listing is exactly what it ends.
  listingCoversRevokeAll: true,
});
