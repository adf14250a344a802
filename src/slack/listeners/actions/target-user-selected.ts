import type {
  AllMiddlewareArgs,
  BlockAction,
  SlackActionMiddlewareArgs,
  UsersSelectAction,
} from '@slack/bolt';
import { isSlackUserId } from '../../../util/input-rules.js';
import { decodeMetadata, IDS } from '../../blocks/ids.js';
import { messageModal, requestModal } from '../../blocks/request-modal.js';
import { requesterRefusal, type SlackDeps } from '../../context.js';
import { loadPreview } from '../../preview-loader.js';

type Args = SlackActionMiddlewareArgs<BlockAction<UsersSelectAction>> & AllMiddlewareArgs;

/**
 * The person picker changed: after the ack, queue the "loading" redraw (normal), then the new
 * person's sessions (low: a preview never goes ahead of a revocation).
 */
export function targetUserSelected(deps: SlackDeps) {
  return async ({ ack, body, action, client }: Args): Promise<void> => {
    await ack();
    const view = body.view;
    const userId = action.selected_user;
    if (!view || !userId || !isSlackUserId(userId)) return;
    deps.background.enqueue({
      kind: 'picker.update',
      task: async () => {
        const refusal = await requesterRefusal(deps, body.user.id);
        if (refusal) {
          await client.views.update({
            view_id: view.id,
            view: messageModal(refusal.why === 'not a requester' ? 'Not allowed' : 'Try again', refusal.text),
          });
          return;
        }
        const metadata = { ...decodeMetadata(view.private_metadata), t: userId };
        const suffix = action.block_id.startsWith(`${IDS.targetBlock}:`)
          ? action.block_id.slice(IDS.targetBlock.length + 1)
          : undefined;
        const res = await client.views.update({
          view_id: view.id,
          hash: view.hash,
          view: requestModal({
            systems: deps.systems,
            metadata,
            initialUser: userId,
            targetBlockSuffix: suffix,
            preview: { kind: 'loading', what: 'Loading sessions…' },
          }),
        });
        const hash = res.view?.hash;
        if (!hash) return;
        deps.background.enqueue({
          kind: 'preview',
          priority: 'low',
          task: () =>
            loadPreview(deps, client, {
              viewerId: body.user.id,
              viewId: view.id,
              hash,
              metadata,
              ref: { kind: 'user', userId },
              setPicker: false,
              pickerSuffix: suffix,
            }),
        });
      },
    });
  };
}
