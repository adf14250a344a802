import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { MIN_JUSTIFICATION } from '../../../engine/approval.js';
import { isRequestId } from '../../../util/ids.js';
import { IDS } from '../../blocks/ids.js';
import type { SlackDeps } from '../../context.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** "Break glass…" on a card: asks the requester for a written justification (checked on submit). */
export function breakGlassOpened(_deps: SlackDeps) {
  return async ({ ack, body, action, client }: Args): Promise<void> => {
    await ack();
    const requestId = action.value ?? '';
    if (!isRequestId(requestId)) return;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: IDS.breakGlassView,
        private_metadata: JSON.stringify({ r: requestId, c: body.channel?.id }),
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
  };
}
