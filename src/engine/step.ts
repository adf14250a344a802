import { asRevokeError } from '../errors.js';
import type { Logger } from '../log.js';
import type {
  Account,
  AccountLookup,
  Person,
  RevokeOutcome,
  Session,
  SessionProvider,
} from '../providers/types.js';
import { listSessionsOf, revokeChosenOf } from '../providers/types.js';
import type { RevocationRequest, StepResult, StepState } from './types.js';

export interface StepOutcome {
  state: StepState;
  result: StepResult;
  account?: Account | undefined;
}

/** What a bulk call already did for this step's person. */
export interface BulkPhase {
  lookup: AccountLookup;
  /** When the bulk phase recorded the step as running (the attempt is already counted). */
  started?: string | undefined;
  outcome?: RevokeOutcome | undefined;
  error?: unknown;
  /** The account's sessions as listed for the whole bulk after the call (first verification). */
  listed?: Session[] | undefined;
  /** When the bulk call's answer arrived (the vendor accepted it). */
  acceptedAt?: string | undefined;
}

export interface StepRunnerDeps {
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  verifyRecheckMs: number;
  /** Now, as an ISO timestamp (when the vendor accepted the call, when a listing confirmed it). */
  now: () => string;
  /** Whether the run lost its lease: a call it then refused to send is no vendor failure to report. */
  stopped?: () => boolean;
}

function failure(error: unknown, provider: SessionProvider, account?: Account): StepOutcome {
  const e = asRevokeError(error, provider.id);
  return {
    state: 'failed',
    result: {
      error: {
        code: e.code,
        message: e.message,
        vendorCode: e.vendorCode,
        requestId: e.requestId,
        status: e.status,
        retryable: e.retryable,
        ...(e.hint ? { hint: e.hint } : {}),
      },
    },
    ...(account ? { account } : {}),
  };
}

/**
 * The chosen ids this account owns now: listed by the system for the account at this moment and,
 * when the request's plan recorded the chosen sessions for this system, among them. A system that
 * cannot list or revoke single sessions owns nothing here (chosen sessions are never taken on trust).
 */
export async function ownedSessions(
  provider: SessionProvider,
  account: Account,
  chosen: string[],
  planned: Session[] | undefined,
): Promise<string[]> {
  if (!provider.listSessions || !provider.revokeSessions) return [];
  const listed = new Set((await provider.listSessions(account)).map((s) => s.id));
  const inPlan = planned ? new Set(planned.map((s) => s.id)) : undefined;
  return [...new Set(chosen)].filter((id) => listed.has(id) && (!inPlan || inPlan.has(id)));
}

/**
 * Runs one system's part of a request: find the person, revoke (all or the
 * chosen sessions), then list again where the system can. When `interrupted`,
 * a previous attempt died with an unknown outcome: if the system's listing shows everything the
 * call ends (chosen sessions, or `listingCoversRevokeAll`) and nothing in scope is left, the step
 * is confirmed without repeating the call; otherwise the idempotent call is sent again.
 */
export async function runProviderStep(
  deps: StepRunnerDeps,
  provider: SessionProvider,
  request: RevocationRequest,
  person: Person,
  interrupted: boolean,
  /** Set when a bulk call already ended this account's sessions (or queued it). */
  bulk?: BulkPhase,
): Promise<StepOutcome> {
  let account: Account | undefined;
  try {
    // A bulk's lookup that the vendor failed is this step's failure, never "no account".
    if (bulk?.error && bulk.lookup.status !== 'found') return failure(bulk.error, provider);
    const lookup = bulk?.lookup ?? (await provider.findAccount(person));
    if (lookup.status === 'not_found') return { state: 'no_account', result: { detail: lookup.detail } };
    if (lookup.status === 'ambiguous') return { state: 'ambiguous', result: { detail: lookup.detail } };
    if (lookup.status === 'not_allowed') return { state: 'not_allowed', result: { detail: lookup.detail } };
    account = lookup.account;
    // An approved request runs on the account the approver was shown, never on another one.
    const shown = request.plan?.preview?.find((p) => p.system === provider.id)?.lookup;
    if (shown?.status === 'found' && shown.account.id !== account.id) {
      return {
        state: 'not_allowed',
        result: {
          detail: `the account found now (${account.login}) is not the one the approver was shown (${shown.account.login}); nothing was revoked`,
        },
        account,
      };
    }
    let selection = request.selection?.[provider.id];
    let refusedSessions: string[] | undefined;
    if (selection !== undefined) {
      // Chosen sessions: only ids the system lists for THIS account right now (and that the stored
      // plan holds) are revoked. A vendor call such as Slack's invalidate takes any session id, so
      // an id that belongs to someone else must never reach it.
      const owned = await ownedSessions(
        provider,
        account,
        selection,
        request.plan?.chosenSessions?.[provider.id],
      );
      refusedSessions = selection.filter((id) => !owned.includes(id));
      selection = owned;
      if (owned.length === 0) {
        return {
          state: 'not_allowed',
          result: {
            refusedSessions,
            detail: `none of the chosen sessions is listed for this person in ${provider.label} now; nothing was revoked`,
          },
          account,
        };
      }
    }
    const refused = refusedSessions?.length ? { refusedSessions } : {};
    const inScope = selection !== undefined || request.slackScope === 'all' || !provider.capabilities.scopes;
    let prelisted = bulk?.listed;
    // The ids the last listing showed (in scope of the count), and when it was made.
    let listed: { ids: string[]; at: string } = { ids: [], at: deps.now() };
    const count = async (): Promise<number> => {
      const sessions = prelisted ?? (await listSessionsOf(provider, lookup.account));
      prelisted = undefined; // a re-check always lists afresh
      const shown = selection ? sessions.filter((s) => selection.includes(s.id)) : sessions;
      listed = { ids: sessions.map((s) => s.id), at: deps.now() };
      return shown.length;
    };

    if (bulk?.error) return failure(bulk.error, provider, account);
    // A listing confirms only what it lists: chosen sessions are ids from the listing, but
    // revoke-all may end more than the listing shows (Google's sign-out, Slack's other workspaces),
    // so an empty listing confirms an interrupted revoke-all only where it covers everything.
    const listingProves = selection !== undefined || provider.capabilities.listingCoversRevokeAll;
    if (
      interrupted &&
      provider.capabilities.listSessions &&
      inScope &&
      listingProves &&
      (await count()) === 0
    ) {
      return {
        state: refused.refusedSessions ? 'partial' : 'revoked',
        result: {
          ...refused,
          remaining: 0,
          remainingInScope: true,
          confirmedAt: listed.at,
          confirmedBy: 'listing',
          listedAfter: listed.ids,
          detail: 'confirmed after an interrupted attempt; not repeated',
        },
        account,
      };
    }
    const outcome =
      bulk?.outcome ??
      (selection && selection.length > 0
        ? await revokeChosenOf(provider, account, selection)
        : await provider.revokeAll(account, { scope: request.slackScope }));
    // A bulk call's answer came in its phase, before this step: its time is the phase's.
    const acceptedAt = bulk?.acceptedAt ?? deps.now();
    const result: StepResult = {
      ...refused,
      acceptedAt,
      revokedCount: outcome.count,
      vendorRequestId: outcome.requestId,
      detail:
        [outcome.detail, interrupted ? 'repeated after an interrupted attempt' : undefined]
          .filter(Boolean)
          .join('; ') || undefined,
    };
    if (outcome.state === 'queued' && !(bulk && provider.capabilities.listSessions))
      // Never more than the vendor shows: a job it gives no word on is requested, not confirmed.
      return {
        state: 'queued',
        result: { ...result, ...(provider.capabilities.listSessions ? {} : { confirmation: 'none' }) },
        account,
      };
    if (!provider.capabilities.listSessions) return { state: 'revoked', result, account };
    // Some chosen sessions were refused: the step needs a human's eye whatever the rest did.
    const done = refused.refusedSessions ? 'partial' : 'revoked';

    let remaining: number;
    try {
      remaining = await count();
      if (remaining > 0 && inScope) {
        await deps.sleep(deps.verifyRecheckMs);
        remaining = await count();
      }
    } catch (error) {
      if (deps.stopped?.()) throw error;
      deps.logger.warn(`${provider.id}: verification listing failed:`, asRevokeError(error).message);
      const detail = [result.detail, 'could not list again to verify'].filter(Boolean).join('; ');
      return { state: done, result: { ...result, detail }, account };
    }
    const shows = selection === undefined ? provider.capabilities.listingShows : undefined;
    const verified: StepResult = {
      ...result,
      remaining,
      remainingInScope: inScope,
      ...(shows ? { listingShows: shows } : {}),
      listedAfter: listed.ids,
      // An empty listing (in scope) confirms what it lists, at the time it was made.
      ...(remaining === 0 ? { confirmedAt: listed.at, confirmedBy: 'listing' as const } : {}),
    };
    if (outcome.state === 'queued') {
      // A queued bulk job (Slack resetBulk): confirmed done only when nothing in scope is listed any more.
      return { state: remaining > 0 && inScope ? 'queued' : done, result: verified, account };
    }
    return { state: remaining > 0 && inScope ? 'partial' : done, result: verified, account };
  } catch (error) {
    return failure(error, provider, account);
  }
}
