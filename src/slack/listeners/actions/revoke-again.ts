import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isRequestId } from '../../../util/ids.js';
import { type SlackDeps, startRun } from '../../context.js';
import { tellUser } from '../../tell-user.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** The button's value: `<request id>:<look>`. Anyone can send any value: it names, it grants nothing. */
export function parseRevokeAgain(
  value: string | undefined,
): { requestId: string; round: number } | undefined {
  const match = /^(.{1,40}):(\d{1,3})$/.exec(value ?? '');
  if (!match?.[1] || !isRequestId(match[1])) return undefined;
  return { requestId: match[1], round: Number(match[2]) };
}

/**
 * Revoke again, on the watch's note of a new session: a new request through the engine for the
 * same people and systems, read from the stored request (never from the button), with the clicker
 * as requester — so the requester check and the approval policy apply as to any request.
 */
export function revokeAgainClicked(deps: SlackDeps) {
  return async ({ ack, body, action, client }: Args): Promise<void> => {
    await ack();
    const parsed = parseRevokeAgain(action.value);
    const userId = body.user.id;
    const channelId = body.channel?.id;
    if (!parsed) return;
    deps.background.enqueue({
      kind: 'revoke.again',
      name: `revoke again ${parsed.requestId}`,
      task: async () => {
        const result = await deps.engine.revokeAgain(
          parsed.requestId,
          parsed.round,
          { kind: 'slack', id: userId },
          { channelId },
        );
        if (!result.ok) {
          await tellUser(client, deps.logger, userId, channelId, result.message);
          return;
        }
        if (!result.created) {
          await tellUser(
            client,
            deps.logger,
            userId,
            channelId,
            `Already asked: request \`${result.request.id}\`.`,
          );
          return;
        }
        if (result.next === 'run') startRun(deps, result.request);
        else
          await tellUser(
            client,
            deps.logger,
            userId,
            channelId,
            `Request \`${result.request.id}\` needs approval; it was posted for an approver.`,
          );
      },
    });
  };
}
