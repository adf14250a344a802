import type { App, BlockAction, UsersSelectAction } from '@slack/bolt';
import { IDS } from '../../blocks/ids.js';
import type { SlackDeps } from '../../context.js';
import { targetUserSelected } from './target-user-selected.js';

/** Registers the block action listeners. */
export function register(app: App, deps: SlackDeps): void {
  app.action<BlockAction<UsersSelectAction>>(
    { action_id: IDS.targetAction, type: 'block_actions' },
    targetUserSelected(deps),
  );
  // Selecting sessions, systems or the scope needs no server round trip; ack so Slack shows no error.
  for (const id of [IDS.sessionsAction, IDS.modeAction, IDS.systemsAction, IDS.scopeAction]) {
    app.action(id, async ({ ack }) => ack());
  }
}
