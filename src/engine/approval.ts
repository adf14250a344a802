import type { PrincipalList } from '../config.js';
import type { Person } from '../providers/types.js';
import type { MembershipChecker } from './access.js';
import type { Actor, RequestSource, RevocationRequest } from './types.js';

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
   * through a group). The alert API is authenticated by its bearer token and the CLI is the local
   * operator's break-glass, so both may; nothing else may.
   */
  async mayRequest(actor: Actor): Promise<boolean> {
    if (actor.kind === 'api' || actor.kind === 'cli') return true;
    if (actor.kind !== 'slack') return false;
    return this.membership.isMember(actor.id, this.policy.requesters);
  }

  /** Whether any of these people is in REVOKE_PROTECTED_USERS. */
  async isProtected(...targets: Person[]): Promise<boolean> {
    for (const target of targets) {
      if (
        target.slackUserId &&
        (await this.membership.isMember(target.slackUserId, this.policy.protectedUsers))
      )
        return true;
    }
    return false;
  }

  /**
   * Why a request must wait for an approver, or undefined when it may run at once. Every reason
   * that applies is named (an alert about a protected person says both).
   */
  async approvalReason(source: RequestSource, ...targets: Person[]): Promise<string | undefined> {
    const reasons: string[] = [];
    if (source === 'api' || source === 'workflow')
      reasons.push('requests from automated sources always need an approver');
    if (await this.isProtected(...targets)) {
      reasons.push(
        `${targets.length > 1 ? 'one of the people' : 'the person'} is protected (REVOKE_PROTECTED_USERS)`,
      );
    }
    if (reasons.length === 0 && this.policy.requireApproval)
      reasons.push('approval is required (REVOKE_REQUIRE_APPROVAL)');
    return reasons.length > 0 ? reasons.join('; ') : undefined;
  }

  /**
   * May `viewerId` see the person's session details (devices, IP addresses)? Everyone allowed to
   * request may, except for a protected person, whose details only approvers see (others see counts).
   */
  async maySeeSessionDetails(viewerId: string, ...targets: Person[]): Promise<boolean> {
    if (!(await this.isProtected(...targets))) return true;
    return this.membership.isMember(viewerId, this.policy.approvers);
  }

  /** May `actorId` take this decision on this request now? */
  async check(
    request: RevocationRequest,
    actorId: string,
    kind: DecisionKind,
    now: Date,
    note?: string,
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
    const isRequester = request.requester.kind === 'slack' && request.requester.id === actorId;
    if (kind === 'break_glass') {
      if (!isRequester)
        return { allowed: false, reason: 'Only the requester can use break-glass on their own request.' };
      if (!(await this.membership.isMember(actorId, this.policy.breakGlassUsers))) {
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
    if (!(await this.membership.isMember(actorId, this.policy.approvers))) {
      return {
        allowed: false,
        reason: 'You are not an approver (REVOKE_APPROVERS), so the request is unchanged.',
      };
    }
    return { allowed: true };
  }
}
