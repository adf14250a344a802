import type { SystemId } from '../catalog.js';
import { ErrorCode, RevokeError } from '../errors.js';

/** Who we are acting on, as known from Slack (or the CLI): the email is the join key across systems. */
export interface Person {
  /** Slack user ID when the person came from Slack. */
  slackUserId?: string | undefined;
  /** The email on the Slack profile (or given to the CLI); ASCII-folded (`util/email.ts`), never Unicode-lowered. */
  email?: string | undefined;
  displayName?: string | undefined;
  /**
   * Never stored: the directory's answer for this person, fetched moments ago in this process
   * (when the request was recorded with no approval wait before the run, or for the preview the
   * form shows), so the Slack system does not look the same person up a second time.
   */
  directoryUser?: DirectoryUser | undefined;
}

/** A person in the organisation's directory (Slack), reduced to what identity checks need. */
export interface DirectoryUser {
  id: string;
  name: string;
  realName: string | undefined;
  /** Profile email, ASCII-folded; undefined when the profile has none. */
  email: string | undefined;
  deleted: boolean;
  isBot: boolean;
  isPrimaryOwner: boolean;
}

/** The person's account in one system, found unambiguously. */
export interface Account {
  system: SystemId;
  /** The system's own user ID. */
  id: string;
  /** The login / email the system reports for it. */
  login: string;
  displayName?: string | undefined;
  /** System-specific data the provider needs later (e.g. Slack team IDs). */
  extra?: Record<string, string | string[]> | undefined;
}

export type AccountLookup =
  | { status: 'found'; account: Account }
  | { status: 'not_found'; detail: string }
  | { status: 'ambiguous'; candidates: number; detail: string }
  | { status: 'not_allowed'; detail: string };

/** One login session as a system reports it, normalised for display. */
export interface Session {
  /** Opaque ID the provider can revoke by; unique within the system. */
  id: string;
  /** Device / client, e.g. "Mac Desktop 4.41" or "Chrome on Windows". */
  device?: string | undefined;
  os?: string | undefined;
  ip?: string | undefined;
  createdAt?: string | undefined;
  lastActiveAt?: string | undefined;
  /** Slack web vs mobile, where known. */
  kind?: 'web' | 'mobile' | 'desktop' | 'api' | undefined;
}

/**
 * Which share of a vendor budget a call may use. `urgent` — a request for one person, or one
 * from an alert — may use all of it and goes first; `bulk` — a request for several people that
 * no alert raised — leaves a reserved share free for urgent calls. Which lane a request's work is
 * in is the engine's rule (`engine/lane.ts`); the budgets keep calls to it.
 */
export type Lane = 'urgent' | 'bulk';

/** Slack's reset scope; other systems always revoke everything they can. */
export type SlackScope = 'all' | 'web' | 'mobile';

export interface RevokeAllOptions {
  scope: SlackScope;
}

/** What one revoke call achieved, as truthfully as the vendor lets us know. */
export interface RevokeOutcome {
  /** `revoked`: the vendor confirmed synchronously. `queued`: accepted as an asynchronous job. */
  state: 'revoked' | 'queued';
  /** How many sessions the call ended, when known. */
  count?: number | undefined;
  /** The vendor's request id, when it sends one. */
  requestId?: string | undefined;
  detail?: string | undefined;
}

export interface ProviderCapabilities {
  /** The system can list a person's sessions (preview and verification). */
  listSessions: boolean;
  /** Single sessions can be revoked. */
  revokeSelected: boolean;
  /** Revocation is an asynchronous job: reported "queued", never "done". */
  asyncRevoke: boolean;
  /** Supports Slack's web-only / mobile-only scope. */
  scopes: boolean;
  /** An identity provider (single sign-on): its step runs before the downstream systems'. */
  identityProvider?: boolean | undefined;
  /**
   * The listing shows everything revoke-all ends (no session revoke-all ends is missing from it).
   * Only then may an empty listing confirm an interrupted revoke-all without sending it again;
   * otherwise the (idempotent) revoke-all is sent again. A listing confirms only what it lists.
   */
  listingCoversRevokeAll: boolean;
  /**
   * What the listing shows, when it is not every session revoke-all ends (plural noun, e.g.
   * "OAuth app grants"): the verification says "no … left", never "no sessions left".
   */
  listingShows?: string | undefined;
}

/** One connected system. Every method throws {@link RevokeError} on failure. */
export interface SessionProvider {
  readonly id: SystemId;
  readonly label: string;
  readonly capabilities: ProviderCapabilities;
  /** Finds the person's account by exact identity (never a prefix or "first result"). */
  findAccount(person: Person): Promise<AccountLookup>;
  /** Lists the account's active sessions; present exactly when `capabilities.listSessions`. */
  listSessions?(account: Account): Promise<Session[]>;
  /** Ends every session of the account (within the scope where supported). */
  revokeAll(account: Account, options: RevokeAllOptions): Promise<RevokeOutcome>;
  /** Ends the chosen sessions; present exactly when `capabilities.revokeSelected`. */
  revokeSessions?(account: Account, sessionIds: string[]): Promise<RevokeOutcome>;
  /**
   * Optional: ends every session of many accounts with the vendor's bulk API
   * (chunked as the vendor allows). Returns, per account ID, the outcome or
   * the error for that account; one failed chunk never hides the others.
   */
  revokeAllBulk?(accounts: Account[], options: RevokeAllOptions): Promise<Map<string, RevokeOutcome | Error>>;
  /**
   * Optional: the sessions of many accounts in one walk of the vendor's listing (verifying a bulk
   * request without one call per person), keyed by account ID. Undefined when the walk would be
   * longer than listing each person (the caller then lists one by one).
   */
  listSessionsBulk?(accounts: Account[]): Promise<Map<string, Session[]> | undefined>;
  /** Optional: proves the credentials work with a harmless call; resolves with a short description. */
  healthCheck?(): Promise<string>;
}

export type ProviderMap = ReadonlyMap<SystemId, SessionProvider>;

/**
 * A provider class's capabilities: whether it lists sessions and ends chosen ones is read from the
 * methods its class defines (`listSessions`, `revokeSessions`), never declared apart from them; the
 * rest is what the vendor's API does.
 */
export function capabilitiesOf(
  provider: new (...args: never[]) => SessionProvider,
  declared: Omit<ProviderCapabilities, 'listSessions' | 'revokeSelected'>,
): ProviderCapabilities {
  const methods = provider.prototype as Partial<SessionProvider>;
  return {
    listSessions: typeof methods.listSessions === 'function',
    revokeSelected: typeof methods.revokeSessions === 'function',
    ...declared,
  };
}

/** A provider's listing of one account's sessions; refused (not allowed) where it has none. */
export async function listSessionsOf(provider: SessionProvider, account: Account): Promise<Session[]> {
  if (!provider.listSessions)
    throw new RevokeError(`${provider.label} has no API to list a person's sessions.`, {
      code: ErrorCode.NotAllowed,
      system: provider.id,
    });
  return provider.listSessions(account);
}

/** A provider's revocation of chosen sessions; refused (not allowed) where it cannot end single ones. */
export async function revokeChosenOf(
  provider: SessionProvider,
  account: Account,
  ids: string[],
): Promise<RevokeOutcome> {
  if (!provider.revokeSessions)
    throw new RevokeError(`${provider.label} cannot end single sessions; only all of a person's sessions.`, {
      code: ErrorCode.NotAllowed,
      system: provider.id,
    });
  return provider.revokeSessions(account, ids);
}
