import { z } from 'zod';
import { ErrorCode, RevokeError } from '../../errors.js';
import { foldEmailOrUndefined, sameEmail } from '../../util/email.js';
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
import type { GoogleClient } from './client.js';
import { GoogleGrants, grantCount } from './grants.js';
import { GOOGLE_QUIRKS } from './quirks.js';

const user = z.object({
  id: z.string().min(1),
  primaryEmail: z.string(),
  name: z.object({ fullName: z.string().optional() }).loose().optional(),
  aliases: z.array(z.string()).optional(),
  nonEditableAliases: z.array(z.string()).optional(),
  suspended: z.boolean().optional(),
  suspensionReason: z.string().optional(),
  archived: z.boolean().optional(),
});
const empty = z.unknown();

const USERS = '/admin/directory/v1/users';
const key = (id: string) => encodeURIComponent(id);

/** What the thread says of the sign-out: Google confirms it, but has no listing to check it against. */
export const SIGN_OUT_SENTENCE =
  'signed out of every web and device session: revoked, not verifiable by listing; open Gmail sessions can take up to an hour to end';

/** Google Workspace through the Admin SDK Directory API, as a service account with domain-wide delegation. */
export class GoogleWorkspaceProvider implements SessionProvider {
  readonly id = 'google' as const;
  readonly label = GOOGLE_QUIRKS.label;
  readonly capabilities = GOOGLE_CAPABILITIES;

  private readonly grants: GoogleGrants;

  constructor(private readonly client: GoogleClient) {
    this.grants = new GoogleGrants(client);
  }

  /**
   * https://developers.google.com/workspace/admin/directory/reference/rest/v1/users/get — a lookup by
   * an alias answers the primary account, and Google folds case beyond ASCII, so the answer is this
   * person only when its primary address is the address asked ({@link sameEmail}); an address that is
   * only the account's alias is refused (`not_allowed`, said in the thread), never a match.
   * A suspended or archived user is still found (signing them out stays useful), and says so.
   */
  async findAccount(person: Person): Promise<AccountLookup> {
    const email = foldEmailOrUndefined(person.email);
    if (!email)
      return {
        status: 'not_found',
        detail: 'No email is known for this person, so Google Workspace cannot be searched.',
      };
    let u: z.infer<typeof user>;
    try {
      const res = await this.client.http.request({
        operation: 'users.get',
        method: 'GET',
        path: `${USERS}/${key(email)}`,
        query: { projection: 'basic', viewType: 'admin_view' },
        idempotent: true,
        schema: user,
      });
      u = res.data;
    } catch (error) {
      if (error instanceof RevokeError && error.status === 404)
        return { status: 'not_found', detail: `No Google Workspace user has the address ${email}.` };
      throw error;
    }
    // One rule in every system: the person is the account whose own (primary) address this is. An
    // alias is often a departed person's address handed to their manager, so an address that is
    // only another account's alias is not that person.
    if (!sameEmail(u.primaryEmail, email)) {
      const aliases = [...(u.aliases ?? []), ...(u.nonEditableAliases ?? [])];
      if (aliases.some((a) => sameEmail(a, email))) {
        return {
          status: 'not_allowed',
          detail: `${email} is an alias of another account (${foldEmailOrUndefined(u.primaryEmail) ?? u.id}), not its own address, so that account was not revoked; if it is this person's, revoke it by hand`,
        };
      }
      return {
        status: 'ambiguous',
        candidates: 1,
        detail: `Google Workspace answered ${email} with a user whose primary address and aliases all differ from it; nothing is revoked there.`,
      };
    }
    const state = u.suspended ? 'suspended' : u.archived ? 'archived' : undefined;
    const name = u.name?.fullName;
    return {
      status: 'found',
      account: {
        system: 'google',
        id: u.id,
        login: foldEmailOrUndefined(u.primaryEmail) ?? email,
        displayName: state ? `${name ?? u.primaryEmail} (${state})` : name,
        extra: state ? { state, ...(u.suspensionReason ? { reason: u.suspensionReason } : {}) } : undefined,
      },
    };
  }

  /**
   * The doctor check: a token for the admin (delegation grants both scopes), then reading the admin
   * (user.readonly) and its OAuth grants (user.security) — nothing is changed.
   */
  async healthCheck(): Promise<string> {
    const { adminSubject, key: sa } = this.client.config;
    const me = await this.client.http.request({
      operation: 'users.get (admin)',
      method: 'GET',
      path: `${USERS}/${key(adminSubject)}`,
      query: { projection: 'basic' },
      idempotent: true,
      schema: user,
    });
    await this.grants.list(me.data.id);
    return `token issued to ${sa.clientEmail} acting as ${adminSubject}; users and their OAuth grants readable`;
  }

  /** The OAuth app grants (see {@link GoogleGrants}). */
  async listSessions(account: Account): Promise<Session[]> {
    return this.grants.sessions(account);
  }

  /** Revokes the chosen grants only: the person is not signed out (that is revoke-all), and the detail says so. */
  async revokeSessions(account: Account, clientIds: string[]): Promise<RevokeOutcome> {
    const { ended, gone, failures } = await this.grants.delete(account, clientIds);
    const first = failures[0];
    if (first) {
      throw new RevokeError(
        `${ended} of ${clientIds.length} OAuth app grant(s) revoked; ${failures.length} failed: ${first.message}`,
        {
          code: first.code,
          system: 'google',
          status: first.status,
          vendorCode: first.vendorCode,
          requestId: first.requestId,
          retryable: first.retryable,
          hint: first.hint,
        },
      );
    }
    const already = gone > 0 ? `; ${gone} not held by this account (or already gone)` : '';
    return {
      state: 'revoked',
      count: ended,
      detail: `${grantCount(ended)} revoked${already}; not signed out of web and device sessions (revoking all does that)`,
    };
  }

  /**
   * https://developers.google.com/workspace/admin/directory/reference/rest/v1/users/signOut (204), then
   * every OAuth grant revoked; the engine lists them again to verify. Signing out again is harmless (idempotent).
   */
  async revokeAll(account: Account): Promise<RevokeOutcome> {
    await this.client.http.request({
      operation: 'users.signOut',
      method: 'POST',
      path: `${USERS}/${key(account.id)}/signOut`,
      idempotent: true,
      okStatus: [200, 204],
      schema: empty,
    });
    let ended = 0;
    try {
      const held = await this.listSessions(account);
      const ids = held.map((s) => s.id);
      if (ids.length > 0) ended = (await this.revokeSessions(account, ids)).count ?? 0;
    } catch (error) {
      const e = error instanceof RevokeError ? error : undefined;
      throw new RevokeError(
        `Google Workspace signed the account out of every web and device session, but its OAuth app grants were not all revoked: ${e?.message ?? 'unexpected error'}`,
        {
          code: e?.code ?? ErrorCode.Unknown,
          system: 'google',
          status: e?.status,
          vendorCode: e?.vendorCode,
          retryable: e?.retryable ?? false,
          hint: e?.hint ?? 'Try again: signing out again is harmless.',
        },
      );
    }
    // The grants are listed again once, by the engine's verification (not here as well).
    const state = account.extra?.state;
    const parts = [
      state ? `the account is ${String(state)}` : undefined,
      SIGN_OUT_SENTENCE,
      `${grantCount(ended)} revoked`,
    ];
    return { state: 'revoked', count: ended, detail: parts.filter(Boolean).join('; ') };
  }
}

/**
 * Google's "sessions" here are the person's OAuth grants to third-party apps: listed, revoked one
 * by one (a grant's id is its client ID) and listed again after revoking. Sign-out has no listing.
 */
export const GOOGLE_CAPABILITIES: ProviderCapabilities = capabilitiesOf(GoogleWorkspaceProvider, {
  asyncRevoke: false,
  scopes: false,
  identityProvider: true,
  // The listing shows OAuth grants only; sign-out (web and device sessions) has no listing.
  listingCoversRevokeAll: false,
  listingShows: 'OAuth app grants',
});
