import type { App, BlockAction, ButtonAction, UsersSelectAction } from '@slack/bolt';
import { REVOKE_AGAIN_ACTION } from '../../blocks/follow-up.js';
import { IDS } from '../../blocks/ids.js';
import { DOWNLOAD_EVIDENCE_ACTION } from '../../blocks/proof.js';
import type { SlackDeps } from '../../context.js';
import { HOME_OPEN_FORM_ACTION } from '../../home/home-view.js';
import { approvalDecision } from './approval-decision.js';
import { breakGlassOpened } from './break-glass-opened.js';
import { downloadEvidence } from './download-evidence.js';
import { homeOpenForm } from './home-open-form.js';
import { revokeAgainClicked } from './revoke-again.js';
import { targetUserSelected } from './target-user-selected.js';

/** Registers the block action listeners. */
export function register(app: App, deps: SlackDeps): void {
  app.action<BlockAction<UsersSelectAction>>(
    { action_id: IDS.targetAction, type: 'block_actions' },
    targetUserSelected(deps),
  );
  app.action<BlockAction<ButtonAction>>(
    { action_id: IDS.approveAction, type: 'block_actions' },
    approvalDecision(deps, 'approve'),
  );
  app.action<BlockAction<ButtonAction>>(
    { action_id: IDS.denyAction, type: 'block_actions' },
    approvalDecision(deps, 'deny'),
  );
  app.action<BlockAction<ButtonAction>>(
    { action_id: IDS.breakGlassAction, type: 'block_actions' },
    breakGlassOpened(deps),
  );
  app.action<BlockAction<ButtonAction>>(
    { action_id: REVOKE_AGAIN_ACTION, type: 'block_actions' },
    revokeAgainClicked(deps),
  );
  app.action<BlockAction<ButtonAction>>(
    { action_id: DOWNLOAD_EVIDENCE_ACTION, type: 'block_actions' },
    downloadEvidence(deps),
  );
  app.action<BlockAction<ButtonAction>>(
    { action_id: HOME_OPEN_FORM_ACTION, type: 'block_actions' },
    homeOpenForm(deps),
  );
  // Selecting sessions, systems or the scope needs no server round trip; ack so Slack shows no error.
  for (const id of [IDS.sessionsAction, IDS.modeAction, IDS.systemsAction, IDS.scopeAction]) {
    app.action(id, async ({ ack }) => ack());
  }
}
