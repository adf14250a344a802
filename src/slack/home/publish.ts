import type { WebClient } from '@slack/web-api';
import type { SlackDeps } from '../context.js';
import { type HomeRoles, homeView } from './home-view.js';

/** The viewer's roles, from REVOKE_APPROVERS and REVOKE_REQUESTERS (a group read may be cached briefly). */
export async function homeRoles(deps: SlackDeps, userId: string): Promise<HomeRoles> {
  const { policy } = deps.approvals;
  const [approver, requester] = await Promise.all([
    deps.membership.check(userId, policy.approvers),
    deps.membership.check(userId, policy.requesters),
  ]);
  return { approver: approver.state, requester: requester.state };
}

/**
 * Renders one person's Home from the store as it is now and publishes it. A stranger's Home is
 * built without reading any request. Throws when Slack refuses (the outbox retries its own).
 * `opened`: its owner opened it — a stale health round is started then; a Home pushed because
 * something changed shows the last round as it is (no vendor call in the middle of a revocation).
 */
export async function publishHome(
  deps: SlackDeps,
  client: WebClient,
  userId: string,
  opened = false,
): Promise<void> {
  const roles = await homeRoles(deps, userId);
  const approver = roles.approver === 'member';
  const requester = roles.requester === 'member';
  const reads = approver || requester ? await deps.engine.home(userId, { approver, requester }) : undefined;
  const health = approver || requester ? (opened ? deps.health?.lines() : deps.health?.cached()) : undefined;
  await client.views.publish({
    user_id: userId,
    view: homeView({ roles, reads, health, labels: deps.labels }),
  });
}
