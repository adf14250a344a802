import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { arrivalOf, type SlackDeps } from '../../context.js';
import { openFormIfRequester } from '../../open-form.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** The App Home's **Revoke sessions…** button: the same form as /revoke-sessions, nobody named yet. */
export function homeOpenForm(deps: SlackDeps) {
  return async ({ ack, body, client, context }: Args): Promise<void> => {
    const receivedAt = arrivalOf(deps, context);
    await ack();
    await openFormIfRequester(
      deps,
      client,
      { userId: body.user.id, triggerId: body.trigger_id, channelId: undefined, receivedAt, targets: [] },
      'app_home',
    );
  };
}
