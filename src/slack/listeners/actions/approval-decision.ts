import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { DecisionKind } from '../../../engine/approval.js';
import { isRequestId } from '../../../util/ids.js';
import { mention } from '../../../util/mrkdwn.js';
import { failWorkflowIfWaiting, resolveCard, tellRequester } from '../../approval-flow.js';
import { type SlackDeps, startRun } from '../../context.js';
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
    const requestId = action.value ?? '';
    const userId = body.user.id;
    const channelId = body.channel?.id;
    if (!isRequestId(requestId)) return;
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
  const request = result.request;
  if (kind === 'approve') {
    // Revocation first: the run redraws the card (it becomes the results thread's parent)
    // alongside its first vendor calls, so no Slack message stands between the click and them.
    // The queue starts a waiting run before a waiting note.
    startRun(deps, request);
    deps.background.enqueue({
      kind: 'approval.note',
      task: () =>
        tellRequester(
          deps,
          client,
          request,
          `Your request \`${request.id}\` was approved by ${mention(userId)}. Results follow in the thread.`,
        ),
    });
    return;
  }
  await resolveCard(deps, client, request);
  await tellRequester(
    deps,
    client,
    request,
    `Your request \`${request.id}\` was denied by ${mention(userId)}. Nothing was revoked.`,
  );
  await failWorkflowIfWaiting(deps, request);
}
