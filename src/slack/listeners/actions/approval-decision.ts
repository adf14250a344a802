import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { DecisionKind } from '../../../engine/approval.js';
import { type SlackDeps, startRun } from '../../context.js';
import { requestButtonClick } from '../../guards/request-button.js';
import { tellUser } from '../../tell-user.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * Approve / Deny on an approval card. The decision is a compare-and-set in the
 * store, so double clicks, two approvers and two replicas lead to one outcome;
 * a refused click gets an ephemeral reason and leaves the card unchanged.
 */
export function approvalDecision(deps: SlackDeps, kind: Extract<DecisionKind, 'approve' | 'deny'>) {
  return async ({ ack, body, action, client }: Args): Promise<void> => {
    await ack();
    const click = requestButtonClick(body, action);
    if (!click) return;
    const { requestId, userId, channelId } = click;
    // A decision is never refused by the queue: it waits its turn, ahead of any preview.
    deps.background.enqueue({
      kind: `approval.${kind}`,
      name: `${kind} ${requestId}`,
      task: () => decide(deps, kind, requestId, userId, channelId, client),
    });
  };
}

async function decide(
  deps: SlackDeps,
  kind: Extract<DecisionKind, 'approve' | 'deny'>,
  requestId: string,
  userId: string,
  channelId: string | undefined,
  client: Args['client'],
): Promise<void> {
  const result = await deps.engine.decide(requestId, { kind: 'slack', id: userId }, kind);
  if (!result.ok) {
    await tellUser(client, deps.logger, userId, channelId, result.reason);
    return;
  }
  // The card's redraw, the requester's note and a waiting workflow step's end are outbox effects
  // of the decision's own write. An approval starts the run here (the run redraws the card as the
  // results thread's parent alongside its first vendor calls).
  if (kind === 'approve') startRun(deps, result.request);
}
