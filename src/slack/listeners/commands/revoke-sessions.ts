import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { helpText } from '../../blocks/help.js';
import { historyText, statusText } from '../../blocks/history.js';
import { MAX_MORE_PEOPLE, requestModal } from '../../blocks/request-modal.js';
import { replyEphemeral } from '../../busy-reply.js';
import { arrivalOf, BUSY_TEXT, requesterRefusal, type SlackDeps, TRIGGER_BUDGET_MS } from '../../context.js';
import type { CommandIntent } from '../../guards/command-text.js';
import { parseCommandText } from '../../guards/command-text.js';
import { loadPreview } from '../../preview-loader.js';
import { tellUser } from '../../tell-user.js';

/** Answers `history` and `status` from what the engine recorded (fast: no vendor call; a Slack lookup only for an email). */
async function lookupText(
  deps: SlackDeps,
  intent: Extract<CommandIntent, { kind: 'history' | 'status' }>,
): Promise<string> {
  if (intent.kind === 'status') {
    const request = await deps.engine.request(intent.requestId);
    if (!request) return `No request \`${intent.requestId}\`.`;
    return statusText(request, await deps.engine.steps(request.id), deps.labels);
  }
  let userId = intent.target.kind === 'user' ? intent.target.userId : undefined;
  if (intent.target.kind === 'email') {
    // Bounded so the reply still fits in Slack's 3-second window.
    const lookup = deps.directory.findByEmail(intent.target.email).catch(() => undefined);
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2_000).unref());
    userId = (await Promise.race([lookup, timeout]))?.id;
  }
  if (!userId) return 'I could not find a Slack user with that email (in time); try the @mention.';
  return historyText(userId, await deps.engine.history(userId, 10));
}

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * `/revoke-sessions [@person | email | help]`: checks the requester, acks, then queues the
 * modal's opening (urgent: its trigger expires; when the queue cannot start it in time the user
 * is told the app is busy instead) and, once it is open, the lookups for the preview (low).
 */
export function revokeSessionsCommand(deps: SlackDeps) {
  return async ({ command, ack, client, context }: Args): Promise<void> => {
    const receivedAt = arrivalOf(deps, context);
    const intent = parseCommandText(command.text);
    if (intent.kind === 'help') {
      await ack({ response_type: 'ephemeral', text: helpText(deps.systems) });
      return;
    }
    const refusal = await requesterRefusal(deps, command.user_id);
    if (refusal) {
      await ack({ response_type: 'ephemeral', text: refusal.text });
      await deps.engine.refused({ kind: 'slack', id: command.user_id }, refusal.why, 'slash_command');
      return;
    }
    if (intent.kind === 'history' || intent.kind === 'status') {
      await ack({ response_type: 'ephemeral', text: await lookupText(deps, intent) });
      return;
    }
    if (intent.kind === 'invalid') {
      await ack({ response_type: 'ephemeral', text: intent.message });
      return;
    }
    if (deps.systems.length === 0) {
      await ack({
        response_type: 'ephemeral',
        text: 'No systems are configured on this server; see the README’s configuration section.',
      });
      return;
    }
    if (intent.targets.length > 1 && intent.targets.some((t) => t.kind === 'email')) {
      await ack({
        response_type: 'ephemeral',
        text: 'For several people, name them with @mentions (an email works for one person at a time).',
      });
      return;
    }
    if (intent.targets.length > MAX_MORE_PEOPLE + 1) {
      await ack({
        response_type: 'ephemeral',
        text: `At most ${MAX_MORE_PEOPLE + 1} people from the command; add more in the form.`,
      });
      return;
    }
    await ack();
    const ref = intent.targets[0];
    const initialUser = ref?.kind === 'user' ? ref.userId : undefined;
    const metadata = { c: command.channel_id, t: initialUser };
    deps.background.enqueue({
      kind: 'command.open',
      deadline: receivedAt + TRIGGER_BUDGET_MS,
      // No trigger is needed to answer through the command's response_url (any channel, DMs too).
      onRefused: () =>
        replyEphemeral(command.response_url, BUSY_TEXT).catch(() =>
          tellUser(client, deps.logger, command.user_id, command.channel_id, BUSY_TEXT),
        ),
      task: async () => {
        const opened = await client.views.open({
          trigger_id: command.trigger_id,
          view: requestModal({
            systems: deps.systems,
            metadata,
            initialUser,
            moreUsers: intent.targets.slice(1).flatMap((t) => (t.kind === 'user' ? [t.userId] : [])),
            preview: ref
              ? {
                  kind: 'loading',
                  what: ref.kind === 'email' ? `Looking up ${ref.email}…` : 'Loading sessions…',
                }
              : { kind: 'none' },
          }),
        });
        const viewId = opened.view?.id;
        const hash = opened.view?.hash;
        if (!ref || !viewId || !hash) return;
        deps.background.enqueue({
          kind: 'preview',
          priority: 'low',
          task: () =>
            loadPreview(deps, client, {
              viewerId: command.user_id,
              viewId,
              hash,
              metadata,
              ref,
              setPicker: ref.kind === 'email',
            }),
        });
      },
    });
  };
}
