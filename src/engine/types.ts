import type { SystemId } from '../catalog.js';
import type {
  Account,
  AccountLookup,
  Person,
  ProviderCapabilities,
  Session,
  SlackScope,
} from '../providers/types.js';

/** What one system knows about the person before anything is revoked (the dry run). */
export interface SystemPreview {
  system: SystemId;
  label: string;
  capabilities: ProviderCapabilities;
  lookup?: AccountLookup | undefined;
  /** Present when the system can list and the account was found (and the viewer may see them). */
  sessions?: Session[] | undefined;
  /** Set instead of `sessions` when the viewer may only see how many there are (a protected person). */
  sessionCount?: number | undefined;
  /** A lookup or listing failure, as a sentence. */
  error?: string | undefined;
}

export type { Person };

/** Where a request came from. */
export type RequestSource = 'slash_command' | 'workflow' | 'api' | 'cli' | 'signal' | 'universal_logout';

/** Who asked: a Slack user, or a local OS user of the CLI. */
export interface Actor {
  kind: 'slack' | 'cli' | 'api' | 'workflow' | 'signal';
  id: string;
  name?: string | undefined;
}

/**
 * The life of a request:
 * pending_approval → approved → running → done | partially_failed | failed;
 * pending_approval → denied | expired.
 */
export type RequestStatus =
  | 'pending_approval'
  | 'approved'
  | 'running'
  | 'done'
  | 'partially_failed'
  | 'failed'
  | 'denied'
  | 'expired';

export const FINAL_STATUSES: readonly RequestStatus[] = [
  'done',
  'partially_failed',
  'failed',
  'denied',
  'expired',
];

/**
 * What was decided when the request was recorded, stored with it: what the approver is shown and
 * what execution is checked against.
 */
export interface RequestPlan {
  /** Why the request waits for an approver (absent when it may run at once). */
  approvalReason?: string | undefined;
  /** Some person of the request is in REVOKE_PROTECTED_USERS (or might be: see `protectionUnknown`). */
  protectedTarget?: boolean | undefined;
  /** The user groups of REVOKE_PROTECTED_USERS that could not be read: the request is treated as protected. */
  protectionUnknown?: string[] | undefined;
  /**
   * For "only selected sessions": per system, the chosen sessions as the system listed them for
   * this person when the request was recorded (ids the person did not own are never in here).
   */
  chosenSessions?: Partial<Record<SystemId, Session[]>> | undefined;
  /**
   * For a request that waits for an approver: what each system reported for the person when it was
   * recorded — the approver is shown exactly this, and execution refuses a system whose account
   * is no longer the one shown.
   */
  preview?: SystemPreview[] | undefined;
  /**
   * Identity providers among the systems: their steps run first and the downstream systems right
   * after, so nobody signs in again through single sign-on in between.
   */
  firstSystems?: SystemId[] | undefined;
  /** The same person was revoked in the last 24 h: that request (a second reset within a day is deliberate). */
  repeatOf?: { requestId: string; at: string } | undefined;
}

/** What the requester asked for, before it is stored. */
export interface NewRequest {
  source: RequestSource;
  requester: Actor;
  /** The person (the first one, for a bulk request). */
  target: Person;
  /** Further people of a bulk request: one request, one approval, per-person results. */
  additionalTargets?: Person[] | undefined;
  systems: SystemId[];
  slackScope: SlackScope;
  /** Chosen sessions per system; a system absent here means "all sessions". */
  selection?: Partial<Record<SystemId, string[]>> | undefined;
  reason: string;
  /** Where the request was made (Slack channel), for the results thread. */
  origin?: { channelId?: string | undefined } | undefined;
  /** The plan recorded with the request (see {@link RequestPlan}). */
  plan?: RequestPlan | undefined;
}

/** Where the results thread lives once posted. */
export interface ThreadRef {
  channel: string;
  ts: string;
}

/** A Workflow Builder step waiting for this request's outcome. */
export interface WorkflowLink {
  functionExecutionId: string;
  /** The short-lived function bot access token Slack sent with the event (a secret). */
  botAccessToken?: string | undefined;
  /** Set once `functions.completeSuccess/Error` went through. */
  completedAt?: string | undefined;
}

export interface RevocationRequest extends NewRequest {
  id: string;
  status: RequestStatus;
  createdAt: string;
  updatedAt: string;
  thread?: ThreadRef | undefined;
  summary?: string | undefined;
  /** When a pending approval lapses. */
  expiresAt?: string | undefined;
  /** The approval card, when one was posted (the results thread then hangs off it). */
  approvalCard?: ThreadRef | undefined;
  /** Who approved, denied or expired it (`slack:U…`, `system`). */
  decidedBy?: string | undefined;
  decidedAt?: string | undefined;
  /** The break-glass justification or the denial note. */
  decisionNote?: string | undefined;
  /** Approved by the requester themselves under break-glass. */
  breakGlass?: boolean | undefined;
  idempotencyKey?: string | undefined;
  workflow?: WorkflowLink | undefined;
}

/** The state of one system within a request. */
export type StepState =
  | 'pending'
  | 'running'
  | 'revoked'
  | 'queued'
  | 'partial'
  | 'failed'
  | 'no_account'
  | 'ambiguous'
  | 'not_allowed';

export const FINAL_STEP_STATES: readonly StepState[] = [
  'revoked',
  'queued',
  'partial',
  'failed',
  'no_account',
  'ambiguous',
  'not_allowed',
];

export interface StepError {
  code: string;
  message: string;
  vendorCode?: string | undefined;
  requestId?: string | undefined;
  status?: number | undefined;
  retryable?: boolean | undefined;
  /** What the admin should do about it, in one sentence (from the vendor error). */
  hint?: string | undefined;
}

/** What a finished step found and did. */
export interface StepResult {
  /** Sessions the revoke call ended, when the vendor says. */
  revokedCount?: number | undefined;
  /** Sessions still listed afterwards (verification), when the system can list. */
  remaining?: number | undefined;
  /** Whether `remaining` counts sessions that should have ended (true) or out-of-scope ones. */
  remainingInScope?: boolean | undefined;
  /**
   * What the verification listing showed, when it is not every session revoke-all ends (e.g.
   * "OAuth app grants"): "none left" then speaks of these only.
   */
  listingShows?: string | undefined;
  vendorRequestId?: string | undefined;
  detail?: string | undefined;
  error?: StepError | undefined;
  /**
   * Chosen session ids that the system did not list for this account when the step ran (ended
   * already, or never the person's): refused, nothing revoked for them.
   */
  refusedSessions?: string[] | undefined;
  /** When the vendor accepted the revoke call (its answer arrived): the time to contain starts at approval. */
  acceptedAt?: string | undefined;
  /** When the revocation was confirmed, and by what (an empty listing, the vendor's audit log). */
  confirmedAt?: string | undefined;
  confirmedBy?: ConfirmedBy | undefined;
  /**
   * A confirmation that is not (or not yet) there: `awaiting` the vendor's audit log; `not_confirmed`
   * within the window; `failed` per the vendor's audit log; `unavailable` (e.g. no audit token);
   * `none` where the vendor gives no confirmation at all (Box).
   */
  confirmation?: 'awaiting' | 'not_confirmed' | 'failed' | 'unavailable' | 'none' | undefined;
  /** Session ids still listed by the verification listing (the watch tells a new session from these). */
  listedAfter?: string[] | undefined;
  /** Why a confirmation is not there, in words (e.g. "not confirmed by Slack within 15 min"). */
  confirmationNote?: string | undefined;
  /** The vendor audit entry that confirmed (or failed) it. */
  confirmationRef?: string | undefined;
  /** Each look of the watch for a return: when, how many sessions were listed, the new ones. */
  watch?: WatchLook[] | undefined;
}

/** One look of the watch (REVOKE_WATCH) at a person's sessions after the revocation. */
export interface WatchLook {
  round: number;
  at: string;
  listed?: number | undefined;
  /** Sessions created after the revocation (never seen before). */
  found?: Session[] | undefined;
  error?: string | undefined;
}

/** What confirmed a revocation. */
export type ConfirmedBy = 'listing' | 'slack_audit_log';

export interface RevocationStep {
  requestId: string;
  /** Unique within the request: the system, plus `#<index>` for the further people of a bulk request. */
  key: string;
  system: SystemId;
  /** Which person: 0 is `target`, n is `additionalTargets[n-1]`. */
  targetIndex: number;
  state: StepState;
  attempts: number;
  account?: Account | undefined;
  result?: StepResult | undefined;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
}

/** Every person a request acts on, in order (index = step.targetIndex). */
export function allTargets(request: Pick<NewRequest, 'target' | 'additionalTargets'>): Person[] {
  return [request.target, ...(request.additionalTargets ?? [])];
}

/** The step key of one system for one person. */
export function stepKey(system: SystemId, targetIndex: number): string {
  return targetIndex === 0 ? system : `${system}#${targetIndex}`;
}

/** Every step key of a request: each system for each person. */
export function stepKeys(request: Pick<NewRequest, 'target' | 'additionalTargets' | 'systems'>): string[] {
  return allTargets(request).flatMap((_, i) => request.systems.map((system) => stepKey(system, i)));
}
