import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { isRequestId } from '../../../util/ids.js';
import { escapeInline, mention, quoteBlock } from '../../../util/mrkdwn.js';
import { IDS } from '../../blocks/ids.js';
import { type SlackDeps, startRun } from '../../context.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const metadataSchema = z.object({ r: z.string(), c: z.string().optional() });

/** The break-glass justification was submitted: decide (checked by policy), announce loudly with @here, run. */
export function breakGlassSubmission(deps: SlackDeps) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    let meta: z.infer<typeof metadataSchema>;
    try {
      meta = metadataSchema.parse(JSON.parse(view.private_metadata));
    } catch {
      await ack({
        response_action: 'errors',
        errors: { [IDS.justificationBlock]: 'The form arrived damaged; close it and try again.' },
      });
      return;
    }
    const note = view.state.values[IDS.justificationBlock]?.[IDS.justificationAction]?.value ?? '';
    if (!isRequestId(meta.r)) {
      await ack({ response_action: 'errors', errors: { [IDS.justificationBlock]: 'Unknown request.' } });
      return;
    }
    const result = await deps.engine.decide(meta.r, { kind: 'slack', id: body.user.id }, 'break_glass', note);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: { [IDS.justificationBlock]: result.reason } });
      return;
    }
    await ack();
    const request = result.request;
    // Revocation first (the run redraws the card); the loud notice follows at once (the queue
    // starts a waiting run before a waiting notice).
    startRun(deps, request);
    const card = request.approvalCard;
    if (!card) return;
    deps.background.enqueue({
      kind: 'breakglass.notice',
      name: `break-glass notice ${request.id}`,
      task: () =>
        client.chat.postMessage({
          channel: card.channel,
          thread_ts: card.ts,
          reply_broadcast: true,
          text: `<!here> :rotating_light: BREAK-GLASS: ${mention(body.user.id)} approved their own request \`${request.id}\` to revoke sessions for ${mention(request.target.slackUserId ?? '')} ${escapeInline(request.target.email ?? '')} without a second person.\n${quoteBlock(note)}`,
        }),
    });
  };
}
