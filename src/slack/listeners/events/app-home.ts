import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../context.js';
import { publishHome } from '../../home/publish.js';

type Args = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/**
 * `app_home_opened` (Home tab): Bolt acks the event at once; the Home is read and published after
 * the ack, on the work queue (low priority: a revocation goes first).
 */
export function appHomeOpened(deps: SlackDeps) {
  return async ({ event, client }: Args): Promise<void> => {
    if (event.tab !== 'home') return;
    const userId = event.user;
    deps.background.enqueue({
      kind: 'home.publish',
      priority: 'low',
      name: `home ${userId}`,
      task: () =>
        publishHome(deps, client, userId, true).catch((error: unknown) =>
          deps.logger.warn(`could not publish the App Home of ${userId}:`, error),
        ),
    });
  };
}
