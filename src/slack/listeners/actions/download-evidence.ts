import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../context.js';
import { requestButtonClick } from '../../guards/request-button.js';
import { tellUser } from '../../tell-user.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * Download evidence, on a finished results parent: the request's signed evidence is exported for
 * the clicker (a requester or approver who may see the people's session details; audited) and
 * uploaded to the results thread with files.uploadV2. The button names the request, nothing more.
 */
export function downloadEvidence(deps: SlackDeps) {
  return async ({ ack, body, action, client }: Args): Promise<void> => {
    await ack();
    const click = requestButtonClick(body, action);
    if (!click) return;
    const { requestId, userId, channelId } = click;
    deps.background.enqueue({
      kind: 'evidence.download',
      name: `evidence ${requestId}`,
      task: async () => {
        const result = await deps.engine.evidence(requestId, { kind: 'slack', id: userId });
        if (!result.ok) {
          await tellUser(client, deps.logger, userId, channelId, result.message);
          return;
        }
        const thread = (await deps.engine.request(requestId))?.thread;
        // Into the results thread (the parent the button is on); a request without one has no button.
        if (!thread) return;
        await client.files.uploadV2({
          channel_id: thread.channel,
          thread_ts: thread.ts,
          filename: `evidence-${requestId}.json`,
          title: `Evidence of request ${requestId}`,
          content: `${JSON.stringify(result.file, null, 2)}\n`,
          initial_comment: `Signed evidence of request \`${requestId}\`, taken by <@${userId}>. Check it offline: \`npx revoke-sessions evidence verify evidence-${requestId}.json\`.`,
        });
      },
    });
  };
}
