import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { MIN_JUSTIFICATION } from '../../../engine/approval.js';
import { IDS } from '../../blocks/ids.js';
import { arrivalOf, BUSY_TEXT, type SlackDeps, TRIGGER_BUDGET_MS } from '../../context.js';
import { requestButtonClick } from '../../guards/request-button.js';
import { tellUser } from '../../tell-user.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * "Break glass…" on a card: asks the requester for a written justification (checked on submit).
 * The form opens through the queue (urgent: its trigger expires); when it cannot open in time
 * the user gets an ephemeral "busy" in the card's channel instead.
 */
export function breakGlassOpened(deps: SlackDeps) {
  return async ({ ack, body, action, client, context }: Args): Promise<void> => {
    const receivedAt = arrivalOf(deps, context);
    await ack();
    const click = requestButtonClick(body, action);
    if (!click) return;
    const { requestId, userId, channelId } = click;
    deps.background.enqueue({
      kind: 'breakglass.open',
      deadline: receivedAt + TRIGGER_BUDGET_MS,
      onRefused: () => tellUser(client, deps.logger, userId, channelId, BUSY_TEXT),
      task: () => openJustification(client, body.trigger_id, requestId, channelId),
    });
  };
}

function openJustification(
  client: Args['client'],
  triggerId: string,
  requestId: string,
  channelId: string | undefined,
): Promise<unknown> {
  return client.views.open({
    trigger_id: triggerId,
    view: {
      type: 'modal',
      callback_id: IDS.breakGlassView,
      private_metadata: JSON.stringify({ r: requestId, c: channelId }),
      title: { type: 'plain_text', text: 'Break glass' },
      submit: { type: 'plain_text', text: 'Approve my own request' },
      close: { type: 'plain_text', text: 'Cancel' },
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: ':rotating_light: You are about to approve your own request without a second person. This is announced to the whole approval channel and marked in the audit log.',
          },
        },
        {
          type: 'input',
          block_id: IDS.justificationBlock,
          label: { type: 'plain_text', text: 'Why can this not wait for an approver?' },
          element: {
            type: 'plain_text_input',
            action_id: IDS.justificationAction,
            multiline: true,
            min_length: MIN_JUSTIFICATION,
            max_length: 1000,
          },
        },
      ],
    },
  });
}
