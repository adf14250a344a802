import type { Person } from '../providers/types.js';
import { sameEmail } from '../util/email.js';
import { DECISION_MAX_AGE_MS, type Membership, type MembershipChecker, unreadableGroups } from './access.js';
import type { PrincipalList } from './principals.js';
import { type Actor, allTargets, type RequestSource, type RevocationRequest } from './types.js';

export interface ApprovalPolicy {
  requireApproval: boolean;
  /** Who may ask (REVOKE_REQUESTERS). */
  requesters: PrincipalList;
  approvers: PrincipalList;
  protectedUsers: PrincipalList;
  breakGlassUsers: PrincipalList;
  ttlMs: number;
}

export type DecisionKind = 'approve' | 'deny' | 'break_glass';

/** Whether any of a request's people is protected, or might be (`unknownGroups`: the unreadable groups). */
export interface Protection {
  isProtected: boolean;
  unknownGroups: string[];
}

export type DecisionCheck = { allowed: true } | { allowed: false; reason: string };

/** Shortest break-glass justification accepted. */
export const MIN_JUSTIFICATION = 15;

/**
 * Who must approve and who may: four eyes by default, protected targets always
 * need an approver, automated sources (alert API, workflows) always need one,
 * and break-glass users may approve their own request with a justification.
 */
export class Approvals {
  constructor(
    readonly policy: ApprovalPolicy,
    private readonly membership: MembershipChecker,
  ) {}

  /**
   * May this actor ask for a revocation? A Slack user must be in REVOKE_REQUESTERS (directly or
   * through a group); `unknown` when a group could not be read (the caller says the check failed
   * and to try again, never "not allowed" and never "allowed"). The alert API is authenticated by
   * its bearer token and the CLI is the local operator's break-glass, so both may; nothing else may.
   */
  async mayRequest(actor: Actor): Promise<Membership> {
    if (actor.kind === 'api' || actor.kind === 'cli' || actor.kind === 'signal') return { state: 'member' };
    if (actor.kind !== 'slack') return { state: 'not_member' };
    return this.membership.check(actor.id, this.policy.requesters);
  }

  /**
   * Whether any of these people is in REVOKE_PROTECTED_USERS. A person whose membership cannot be
   * checked is protected (`unknownGroups` says why): protection never lapses because Slack failed.
   */
  async protection(...targets: Person[]): Promise<Protection> {
    const unknown = new Set<string>();
    for (const target of targets) {
      if (!target.slackUserId) continue;
      const m = await this.membership.check(target.slackUserId, this.policy.protectedUsers);
      if (m.state === 'member') return { isProtected: true, unknownGroups: [] };
      if (m.state === 'unknown') for (const g of m.groups) unknown.add(g);
    }
    return { isProtected: unknown.size > 0, unknownGroups: [...unknown] };
  }

  /** Whether any of these people is protected, or might be (see {@link protection}). */
  async isProtected(...targets: Person[]): Promise<boolean> {
    return (await this.protection(...targets)).isProtected;
  }

  /**
   * Why a request must wait for an approver, or undefined when it may run at once. Every reason
   * that applies is named (an alert about a protected person says both).
   */
  async approvalReason(source: RequestSource, ...targets: Person[]): Promise<string | undefined> {
    return this.reasonFor(source, await this.protection(...targets), targets.length);
  }

  /** {@link approvalReason} for people whose {@link protection} was read already (`people`: how many). */
  reasonFor(source: RequestSource, protection: Protection, people: number): string | undefined {
    const reasons: string[] = [];
    if (source === 'api' || source === 'workflow')
      reasons.push('requests from automated sources always need an approver');
    if (source === 'signal') reasons.push('a signal from another system always needs an approver');
    const who = people > 1 ? 'one of the people' : 'the person';
    if (protection.isProtected && protection.unknownGroups.length > 0) {
      reasons.push(
        `could not check whether ${who} is protected (${unreadableGroups(protection.unknownGroups)}), so treated as protected`,
      );
    } else if (protection.isProtected) {
      reasons.push(`${who} is protected (REVOKE_PROTECTED_USERS)`);
    }
    if (reasons.length === 0 && this.policy.requireApproval)
      reasons.push('approval is required (REVOKE_REQUIRE_APPROVAL)');
    return reasons.length > 0 ? reasons.join('; ') : undefined;
  }

  /**
   * May `viewerId` see the person's session details (devices, IP addresses)? Everyone allowed to
   * request may, except for a protected (or possibly protected) person, whose details only
   * approvers known to be approvers see (others see counts).
   */
  async maySeeSessionDetails(viewerId: string, ...targets: Person[]): Promise<boolean> {
    if (!(await this.isProtected(...targets))) return true;
    return (await this.membership.check(viewerId, this.policy.approvers)).state === 'member';
  }

  /**
   * May `viewerId` take a request's evidence (its people, their sessions, the audit trail)? Someone
   * in REVOKE_REQUESTERS or REVOKE_APPROVERS who may see these people's session details; a check
   * that cannot be made refuses.
   */
  async mayReadEvidence(viewerId: string, ...targets: Person[]): Promise<boolean> {
    const requester = await this.membership.check(viewerId, this.policy.requesters);
    const approver =
      requester.state === 'member' ? requester : await this.membership.check(viewerId, this.policy.approvers);
    return approver.state === 'member' && (await this.maySeeSessionDetails(viewerId, ...targets));
  }

  /**
   * May `actorId` take this decision on this request now? Nobody named in the request (any of its
   * people) may approve, deny or break-glass it; membership is read from Slack afresh
   * ({@link DECISION_MAX_AGE_MS}); a check that cannot be made refuses, and says so.
   * `actorEmail` is the actor's Slack profile email, needed when a person is named by email only
   * (null when it could not be read: then such a request is refused to everyone until it can).
   */
  async check(
    request: RevocationRequest,
    actorId: string,
    kind: DecisionKind,
    now: Date,
    note?: string,
    actorEmail?: string | null,
  ): Promise<DecisionCheck> {
    if (request.status !== 'pending_approval') {
      return {
        allowed: false,
        reason: `This request is already ${request.status.replace('_', ' ')}${request.decidedBy ? ` (by ${request.decidedBy})` : ''}.`,
      };
    }
    if (request.expiresAt && request.expiresAt <= now.toISOString()) {
      return { allowed: false, reason: 'This request has expired; ask the requester to raise it again.' };
    }
    const named = namedIn(request, actorId, actorEmail);
    if (named === 'unknown') {
      return {
        allowed: false,
        reason:
          'Could not check that you are not one of the people this request names (Slack did not answer with your profile), so the request is unchanged. Try again in a moment.',
      };
    }
    if (named) {
      return {
        allowed: false,
        reason:
          'You are one of the people this request names, so you cannot decide it; the request is unchanged.',
      };
    }
    const fresh = { maxAgeMs: DECISION_MAX_AGE_MS };
    const isRequester = request.requester.kind === 'slack' && request.requester.id === actorId;
    if (kind === 'break_glass') {
      if (!isRequester)
        return { allowed: false, reason: 'Only the requester can use break-glass on their own request.' };
      const m = await this.membership.check(actorId, this.policy.breakGlassUsers, fresh);
      if (m.state === 'unknown') return couldNotCheck('REVOKE_BREAK_GLASS_USERS', m.groups);
      if (m.state !== 'member') {
        return {
          allowed: false,
          reason: 'You are not in REVOKE_BREAK_GLASS_USERS, so you cannot approve your own request.',
        };
      }
      if ((note ?? '').trim().length < MIN_JUSTIFICATION) {
        return {
          allowed: false,
          reason: `Break-glass needs a written justification of at least ${MIN_JUSTIFICATION} characters.`,
        };
      }
      return { allowed: true };
    }
    if (isRequester) {
      return {
        allowed: false,
        reason: 'You raised this request, so someone else must approve or deny it (four eyes).',
      };
    }
    const m = await this.membership.check(actorId, this.policy.approvers, fresh);
    if (m.state === 'unknown') return couldNotCheck('REVOKE_APPROVERS', m.groups);
    if (m.state !== 'member') {
      return {
        allowed: false,
        reason: 'You are not an approver (REVOKE_APPROVERS), so the request is unchanged.',
      };
    }
    return { allowed: true };
  }

  /** Whether a decision on this request needs the actor's email (a person is named by email only). */
  static needsActorEmail(request: RevocationRequest): boolean {
    return allTargets(request).some((p) => !p.slackUserId);
  }
}

/** Is the actor one of the request's people? `unknown` when a person is named by email only and the actor's email is unknown. */
function namedIn(
  request: RevocationRequest,
  actorId: string,
  actorEmail: string | null | undefined,
): boolean | 'unknown' {
  let unknown = false;
  for (const person of allTargets(request)) {
    if (person.slackUserId === actorId) return true;
    if (person.slackUserId || !person.email) continue;
    if (actorEmail === null || actorEmail === undefined) unknown = true;
    else if (sameEmail(actorEmail, person.email)) return true;
  }
  return unknown ? 'unknown' : false;
}

function couldNotCheck(list: string, groups: string[]): DecisionCheck {
  return {
    allowed: false,
    reason: `Could not check that you are in ${list} (${unreadableGroups(groups)}), so the request is unchanged. Try again in a moment.`,
  };
}
