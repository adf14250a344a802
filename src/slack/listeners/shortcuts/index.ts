import type { App, GlobalShortcut, MessageShortcut } from '@slack/bolt';
import { SLACK_USER_ID } from '../../../util/input-rules.js';
import { arrivalOf, type SlackDeps } from '../../context.js';
import { openFormIfRequester } from '../../open-form.js';

/** The shortcuts' callback IDs (manifest.yml `shortcuts`). */
export const SHORTCUTS = {
  global: 'revoke_sessions',
  message: 'revoke_sessions_for_author',
} as const;

/**
 * The global shortcut ("Revoke sessions…") opens the form; the message shortcut opens it with the
 * message's author as the person. Both ack at once and check the requester as the command does.
 */
export function register(app: App, deps: SlackDeps): void {
  app.shortcut<GlobalShortcut>(
    { callback_id: SHORTCUTS.global, type: 'shortcut' },
    async ({ ack, shortcut, client, context }) => {
      const receivedAt = arrivalOf(deps, context);
      await ack();
      const opening = { userId: shortcut.user.id, triggerId: shortcut.trigger_id, channelId: undefined };
      await openFormIfRequester(deps, client, { ...opening, receivedAt, targets: [] }, 'global_shortcut');
    },
  );
  app.shortcut<MessageShortcut>(
    { callback_id: SHORTCUTS.message, type: 'message_action' },
    async ({ ack, shortcut, client, context }) => {
      const receivedAt = arrivalOf(deps, context);
      await ack();
      // A bot's or an app's message has no user author: the form opens with nobody named.
      const author = shortcut.message.user;
      const targets = author && SLACK_USER_ID.test(author) ? [{ kind: 'user' as const, userId: author }] : [];
      await openFormIfRequester(
        deps,
        client,
        {
          userId: shortcut.user.id,
          triggerId: shortcut.trigger_id,
          channelId: shortcut.channel.id,
          receivedAt,
          targets,
        },
        'message_shortcut',
      );
    },
  );
}
