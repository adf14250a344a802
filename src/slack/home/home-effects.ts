import type { WebClient } from '@slack/web-api';
import { EFFECT } from '../../engine/effects.js';
import type { RevocationRequest } from '../../engine/types.js';
import type { Delivery, EffectHandler } from '../../runtime/outbox-worker.js';
import type { SlackDeps } from '../context.js';
import { publishHome } from './publish.js';

/**
 * The people whose Home shows this request: its Slack requester and the approvers named one by
 * one in REVOKE_APPROVERS (a user group's members are not listed here: their Home is fresh each
 * time they open it).
 */
export function homesOf(deps: SlackDeps, request: RevocationRequest): string[] {
  const people = new Set<string>(deps.approvals.policy.approvers.users);
  if (request.requester.kind === 'slack') people.add(request.requester.id);
  return [...people].sort();
}

/**
 * `home_publish`: each Home that shows the request is rendered from the store as it is at delivery
 * and published. Best effort, never retried: the effects of a request are delivered in order, and
 * a Home that Slack refused (an approver who left, a rate limit) must not hold up the request's
 * results thread; a Home is rendered afresh whenever its owner opens it anyway.
 */
export function homeEffectHandlers(
  deps: SlackDeps,
  client: () => WebClient,
  requestOf: (d: Delivery) => Promise<RevocationRequest>,
): Record<string, EffectHandler> {
  return {
    [EFFECT.homePublish]: async (d) => {
      const request = await requestOf(d);
      for (const userId of homesOf(deps, request)) {
        await publishHome(deps, client(), userId).catch((error: unknown) =>
          deps.logger.warn(`could not publish the App Home of ${userId} (request ${request.id}):`, error),
        );
      }
    },
  };
}
