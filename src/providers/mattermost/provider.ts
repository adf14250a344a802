import { z } from 'zod';
import { ErrorCode, RevokeError } from '../../errors.js';
import { foldEmailOrUndefined, sameEmail } from '../../util/email.js';
import { type ClientDeps, createVendorHttp, type VendorHttp } from '../http.js';
import type {
  Account,
  AccountLookup,
  Person,
  ProviderCapabilities,
  RevokeOutcome,
  Session,
  SessionProvider,
} from '../types.js';
import { capabilitiesOf } from '../types.js';
import { MATTERMOST_QUIRKS } from './quirks.js';
import type { MattermostConfig } from './settings.js';

export type MattermostDeps = ClientDeps;

const user = z.object({
  id: z.string(),
  email: z.string().optional(),
  username: z.string().optional(),
  delete_at: z.number().optional(),
});
const session = z.object({
  id: z.string(),
  user_id: z.string(),
  create_at: z.number().optional(),
  last_activity_at: z.number().optional(),
  device_id: z.string().optional(),
  props: z.record(z.string(), z.unknown()).optional(),
  // The session's own `token` field is deliberately not read: it is a credential.
});
const statusOk = z.object({ status: z.string().optional() }).loose().optional();

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);
const prop = (props: Record<string, unknown> | undefined, key: string) =>
  typeof props?.[key] === 'string' && props[key] !== '' ? (props[key] as string) : undefined;

function kindOf(props: Record<string, unknown> | undefined): Session['kind'] {
  if (prop(props, 'is_mobile') === 'true' || /ios|android/i.test(prop(props, 'os') ?? '')) return 'mobile';
  if (prop(props, 'browser')) return 'web';
  return undefined;
}

/** A self-hosted Mattermost server with a bot or personal access token that has edit_other_users. */
export class MattermostProvider implements SessionProvider {
  readonly id = 'mattermost' as const;
  readonly label = MATTERMOST_QUIRKS.label;
  readonly capabilities = MATTERMOST_CAPABILITIES;
  private readonly http: VendorHttp;

  constructor(config: MattermostConfig, deps: MattermostDeps) {
    this.http = createVendorHttp(deps, {
      system: 'mattermost',
      baseUrl: `${config.url}/api/v4`,
      secrets: [config.token],
      quirks: MATTERMOST_QUIRKS,
      authorize: () => ({ authorization: `Bearer ${config.token}` }),
    });
  }

  /**
   * https://developers.mattermost.com/api-documentation/#/operations/GetUserByEmail (email URL-encoded);
   * the answer is compared with {@link sameEmail}.
   */
  async findAccount(person: Person): Promise<AccountLookup> {
    const email = foldEmailOrUndefined(person.email);
    if (!email)
      return {
        status: 'not_found',
        detail: 'No email is known for this person, so Mattermost cannot be searched.',
      };
    try {
      const res = await this.http.request({
        operation: 'get user by email',
        method: 'GET',
        path: `/users/email/${encodeURIComponent(email)}`,
        idempotent: true,
        schema: user,
      });
      const u = res.data;
      // Mattermost lower-cases with Unicode rules, so a lookalike address can come back as the
      // real person's account: only an exact match (ASCII case aside) is this person.
      if (!sameEmail(u.email, email)) {
        return {
          status: 'ambiguous',
          candidates: 1,
          detail: 'Mattermost returned a user whose email does not match exactly.',
        };
      }
      if ((u.delete_at ?? 0) > 0)
        return { status: 'not_allowed', detail: 'The Mattermost account is deactivated.' };
      return {
        status: 'found',
        account: { system: 'mattermost', id: u.id, login: email, displayName: u.username },
      };
    } catch (error) {
      if (error instanceof RevokeError && error.status === 404)
        return { status: 'not_found', detail: `No Mattermost user has the email ${email}.` };
      throw error;
    }
  }

  /** https://developers.mattermost.com/api-documentation/#/operations/GetUser (`me`). */
  async healthCheck(): Promise<string> {
    const res = await this.http.request({
      operation: 'users/me',
      method: 'GET',
      path: '/users/me',
      idempotent: true,
      schema: user,
    });
    return `token accepted; acting as ${res.data.username ?? res.data.id}`;
  }

  /** https://developers.mattermost.com/api-documentation/#/operations/GetSessions */
  async listSessions(account: Account): Promise<Session[]> {
    const res = await this.http.request({
      operation: 'get sessions',
      method: 'GET',
      path: `/users/${encodeURIComponent(account.id)}/sessions`,
      idempotent: true,
      schema: z.array(session),
    });
    return res.data
      .filter((s) => s.user_id === account.id)
      .map((s) => ({
        id: s.id,
        device:
          [prop(s.props, 'browser'), prop(s.props, 'platform')].filter(Boolean).join(' on ') ||
          (s.device_id ? 'mobile app' : undefined),
        os: prop(s.props, 'os'),
        createdAt: iso(s.create_at),
        lastActiveAt: iso(s.last_activity_at),
        kind: s.device_id ? 'mobile' : kindOf(s.props),
      }));
  }

  /** https://developers.mattermost.com/api-documentation/#/operations/RevokeAllSessions */
  async revokeAll(account: Account): Promise<RevokeOutcome> {
    const res = await this.http.request({
      operation: 'revoke all sessions',
      method: 'POST',
      path: `/users/${encodeURIComponent(account.id)}/sessions/revoke/all`,
      idempotent: true,
      schema: statusOk,
    });
    return { state: 'revoked', requestId: res.requestId };
  }

  /** https://developers.mattermost.com/api-documentation/#/operations/RevokeSession — one call per session. */
  async revokeSessions(account: Account, sessionIds: string[]): Promise<RevokeOutcome> {
    let ended = 0;
    let gone = 0;
    const failures: RevokeError[] = [];
    for (const id of sessionIds) {
      try {
        await this.http.request({
          operation: 'revoke session',
          method: 'POST',
          path: `/users/${encodeURIComponent(account.id)}/sessions/revoke`,
          json: { session_id: id },
          idempotent: true,
          schema: statusOk,
        });
        ended++;
      } catch (error) {
        if (
          error instanceof RevokeError &&
          (error.status === 400 || error.status === 404) &&
          /session/i.test(error.message)
        )
          gone++;
        else if (error instanceof RevokeError) failures.push(error);
        else throw error;
      }
    }
    const first = failures[0];
    if (first) {
      throw new RevokeError(
        `${ended} of ${sessionIds.length} session(s) ended; ${failures.length} failed: ${first.message}`,
        {
          code: first.code ?? ErrorCode.VendorRejected,
          system: 'mattermost',
          status: first.status,
          vendorCode: first.vendorCode,
          requestId: first.requestId,
          retryable: first.retryable,
        },
      );
    }
    return { state: 'revoked', count: ended, detail: gone > 0 ? `${gone} had already ended` : undefined };
  }
}

/** Creates the Mattermost provider. */
export function createMattermostProvider(config: MattermostConfig, deps: MattermostDeps): SessionProvider {
  return new MattermostProvider(config, deps);
}

/** Lists sessions, ends all or chosen ones, synchronously. */
export const MATTERMOST_CAPABILITIES: ProviderCapabilities = capabilitiesOf(MattermostProvider, {
  asyncRevoke: false,
  scopes: false,
  // GET /users/{id}/sessions lists every session revoke/all ends.
  listingCoversRevokeAll: true,
});
