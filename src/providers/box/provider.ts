import { z } from 'zod';
import { foldEmailOrUndefined, sameEmail } from '../../util/email.js';
import type {
  Account,
  AccountLookup,
  Person,
  ProviderCapabilities,
  RevokeAllOptions,
  RevokeOutcome,
  SessionProvider,
} from '../types.js';
import { capabilitiesOf } from '../types.js';
import type { BoxClient } from './client.js';
import { BOX_QUIRKS } from './quirks.js';

const user = z.object({
  type: z.literal('user').optional(),
  id: z.string(),
  login: z.string().optional(),
  name: z.string().optional(),
  status: z.string().optional(),
});
const usersPage = z.object({
  total_count: z.number().optional(),
  entries: z.array(user),
  offset: z.number().optional(),
  limit: z.number().optional(),
});
const terminated = z.object({ message: z.string().optional() }).loose().optional();

/** How many people go into one terminate_sessions call (Box documents no maximum; kept modest). */
export const BOX_CHUNK = 200;
const PAGE = 1000;
/** Box caps offset paging at 10,000; a prefix matching more than this is refused rather than guessed. */
const MAX_OFFSET = 10_000;

/** Box (enterprise, Client Credentials Grant). No session listing API; termination is an asynchronous job. */
export class BoxProvider implements SessionProvider {
  readonly id = 'box' as const;
  readonly label = BOX_QUIRKS.label;
  readonly capabilities = BOX_CAPABILITIES;

  constructor(private readonly client: BoxClient) {}

  /**
   * https://developer.box.com/reference/get-users/ — `filter_term` is a prefix match on
   * name or login (and may fold case beyond ASCII), so the login is compared exactly here
   * with {@link sameEmail}: a lookalike login (Kelvin sign, fullwidth letters) never matches.
   */
  async findAccount(person: Person): Promise<AccountLookup> {
    const email = foldEmailOrUndefined(person.email);
    if (!email)
      return { status: 'not_found', detail: 'No email is known for this person, so Box cannot be searched.' };
    const exact: z.infer<typeof user>[] = [];
    for (let offset = 0; offset < MAX_OFFSET; offset += PAGE) {
      const res = await this.client.http.request({
        operation: 'list users',
        method: 'GET',
        path: '/users',
        query: { filter_term: email, user_type: 'all', fields: 'id,login,name,status', limit: PAGE, offset },
        idempotent: true,
        schema: usersPage,
      });
      exact.push(...res.data.entries.filter((u) => sameEmail(u.login, email)));
      const total = res.data.total_count ?? 0;
      if (res.data.entries.length < PAGE || offset + PAGE >= total) break;
    }
    const distinct = [...new Map(exact.map((u) => [u.id, u])).values()];
    if (distinct.length === 0) return { status: 'not_found', detail: `No Box user has the login ${email}.` };
    if (distinct.length > 1) {
      return {
        status: 'ambiguous',
        candidates: distinct.length,
        detail: `${distinct.length} Box users have the login ${email}.`,
      };
    }
    const [found] = distinct;
    if (!found) return { status: 'not_found', detail: `No Box user has the login ${email}.` };
    return {
      status: 'found',
      account: { system: 'box', id: found.id, login: found.login ?? email, displayName: found.name },
    };
  }

  /** https://developer.box.com/reference/get-users-me/ — token plus the service account. */
  async healthCheck(): Promise<string> {
    const res = await this.client.http.request({
      operation: 'users/me',
      method: 'GET',
      path: '/users/me',
      idempotent: true,
      schema: user,
    });
    return `token issued; acting as ${res.data.login ?? res.data.id}`;
  }

  async revokeAll(account: Account, _options: RevokeAllOptions): Promise<RevokeOutcome> {
    const [outcome] = [...(await this.revokeAllBulk([account])).values()];
    if (outcome instanceof Error) throw outcome;
    return outcome ?? { state: 'queued' };
  }

  /**
   * https://developer.box.com/reference/post-users-terminate-sessions/ — both `user_ids`
   * and `user_logins` are required by the spec; 202 means the job was queued (its
   * outcome only appears in the enterprise event stream), so nothing is reported done.
   * Repeating the call is harmless (terminating again), so it counts as idempotent.
   */
  async revokeAllBulk(
    accounts: Account[],
    _options?: RevokeAllOptions,
  ): Promise<Map<string, RevokeOutcome | Error>> {
    const results = new Map<string, RevokeOutcome | Error>();
    for (let i = 0; i < accounts.length; i += BOX_CHUNK) {
      const chunk = accounts.slice(i, i + BOX_CHUNK);
      try {
        const res = await this.client.http.request({
          operation: 'terminate_sessions',
          method: 'POST',
          path: '/users/terminate_sessions',
          json: { user_ids: chunk.map((a) => a.id), user_logins: chunk.map((a) => a.login) },
          idempotent: true,
          okStatus: [200, 201, 202],
          schema: terminated,
        });
        for (const a of chunk) {
          results.set(a.id, {
            state: 'queued',
            requestId: res.requestId,
            detail: 'Box queued a job; check the admin events for its result',
          });
        }
      } catch (error) {
        for (const a of chunk) results.set(a.id, error instanceof Error ? error : new Error(String(error)));
      }
    }
    return results;
  }
}

/** No listing, no single sessions; termination is an asynchronous job ("queued"). */
export const BOX_CAPABILITIES: ProviderCapabilities = capabilitiesOf(BoxProvider, {
  asyncRevoke: true,
  scopes: false,
  listingCoversRevokeAll: false,
});
