import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { allTargets } from '../../../engine/types.js';
import { helpText } from '../../blocks/help.js';
import { historyText, statusText } from '../../blocks/history.js';
import { MAX_MORE_PEOPLE } from '../../blocks/request-modal.js';
import { replyEphemeral } from '../../busy-reply.js';
import { arrivalOf, requesterRefusal, type SlackDeps } from '../../context.js';
import type { CommandIntent } from '../../guards/command-text.js';
import { parseCommandText } from '../../guards/command-text.js';
import { openRequestForm } from '../../open-form.js';
import { tellUser } from '../../tell-user.js';

/**
 * Steps a `status` answers before its ack. A bulk with more is acked at once and answered through
 * the command's `response_url` afterwards: reading and summarising thousands of steps must not
 * hold up the ack.
 */
const STATUS_STEPS_BEFORE_ACK = 50;

/** Answers `history` from what the engine recorded (fast: an index search; a Slack lookup only for an email). */
async function historyAnswer(
  deps: SlackDeps,
  target: Extract<CommandIntent, { kind: 'history' }>['target'],
): Promise<string> {
  let userId = target.kind === 'user' ? target.userId : undefined;
  if (target.kind === 'email') {
    // Bounded so the reply still fits in Slack's 3-second window.
    const lookup = deps.directory.findByEmail(target.email).catch(() => undefined);
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2_000).unref());
    userId = (await Promise.race([lookup, timeout]))?.id;
  }
  if (!userId) return 'I could not find a Slack user with that email (in time); try the @mention.';
  return historyText(userId, await deps.engine.history(userId, 10));
}

/**
 * `status <id>`: one request, system by system. A small one is the ack itself; a large bulk's ack
 * says the answer follows, and the summary is posted to `response_url` after the ack.
 */
async function answerStatus(deps: SlackDeps, args: Args, requestId: string): Promise<void> {
  const { command, ack, client } = args;
  const request = await deps.engine.request(requestId);
  if (!request) {
    await ack({ response_type: 'ephemeral', text: `No request \`${requestId}\`.` });
    return;
  }
  const people = allTargets(request).length;
  if (people * request.systems.length <= STATUS_STEPS_BEFORE_ACK) {
    const text = statusText(request, await deps.engine.steps(request.id), deps.labels);
    await ack({ response_type: 'ephemeral', text });
    return;
  }
  await ack({
    response_type: 'ephemeral',
    text: `Gathering the status of \`${request.id}\` (${people} people, ${request.systems.length} systems)…`,
  });
  deps.background.enqueue({
    kind: 'status',
    priority: 'low',
    task: async () => {
      const text = statusText(request, await deps.engine.steps(request.id), deps.labels);
      await replyEphemeral(command.response_url, text).catch(() =>
        tellUser(client, deps.logger, command.user_id, command.channel_id, text),
      );
    },
  });
}

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * `/revoke-sessions [@person | email | help]`: checks the requester, acks, then opens the form
 * ({@link openRequestForm}: the trigger's deadline, the busy answer, the preview).
 */
export function revokeSessionsCommand(deps: SlackDeps) {
  return async (args: Args): Promise<void> => {
    const { command, ack, client, context } = args;
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
    if (intent.kind === 'status') {
      await answerStatus(deps, args, intent.requestId);
      return;
    }
    if (intent.kind === 'history') {
      await ack({ response_type: 'ephemeral', text: await historyAnswer(deps, intent.target) });
      return;
    }
    if (intent.kind === 'invalid') {
      await ack({ response_type: 'ephemeral', text: intent.message });
      return;
    }
    if (deps.systems.length === 0) {
      await ack({
        response_type: 'ephemeral',
        text: 'No systems are configured on this server; see docs/configuration.md in the project.',
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
    openRequestForm(deps, client, {
      userId: command.user_id,
      triggerId: command.trigger_id,
      channelId: command.channel_id,
      receivedAt,
      targets: intent.targets,
      // No trigger is needed to answer through the command's response_url (any channel, DMs too).
      onBusy: (text) =>
        replyEphemeral(command.response_url, text).catch(() =>
          tellUser(client, deps.logger, command.user_id, command.channel_id, text),
        ),
    });
  };
}
