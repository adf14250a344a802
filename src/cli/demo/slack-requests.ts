import { createHmac } from 'node:crypto';
import type { SystemId } from '../../providers/registry.js';
import { IDS } from '../../slack/blocks/ids.js';

/**
 * The demo app's signing secret. Everyone can read it here: it guards nothing but the demo, whose
 * systems are the local fakes. `demo sign` signs with it and with nothing else.
 */
export const DEMO_SIGNING_SECRET = 'revoke-sessions-demo-signing-secret';

/** Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
export function slackSignature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * `demo sign <body>`: curl's header options for a request Slack signed now with the demo secret
 * (Slack's signatures are valid for five minutes, so each curl line signs when it runs). No
 * spaces inside an option: the shell splits `$(…)` on spaces.
 */
export function demoSigningHeaders(body: string, nowMs = Date.now()): string {
  const ts = Math.floor(nowMs / 1000);
  return `-H X-Slack-Request-Timestamp:${ts} -H X-Slack-Signature:${slackSignature(DEMO_SIGNING_SECRET, ts, body)}`;
}

/** A one-line shell command that posts `body` to the app as Slack would (signed when it runs). */
export function curlLine(appUrl: string, body: string): string {
  // URLSearchParams percent-encodes every quote: the body is safe inside single quotes.
  return `B='${body}'; curl -sS ${appUrl}/slack/events --data "$B" $(npx revoke-sessions demo sign "$B"); echo`;
}

const TEAM = { id: 'T1', domain: 'demo' };

/** `/revoke-sessions <text>` typed by `userId` in `channelId`, as Slack posts it. */
export function commandBody(userId: string, channelId: string, text: string): string {
  return new URLSearchParams({
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: channelId,
    user_id: userId,
    command: IDS.command,
    text,
    response_url: 'http://127.0.0.1:9/response',
    trigger_id: `demo.${Date.now()}`,
    api_app_id: 'ADEMO',
  }).toString();
}

/** An interactivity payload, form-encoded as Slack posts it. */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** What every interaction payload starts with: its type, the team, the user, the app. */
function envelope(type: string, userId: string) {
  return {
    type,
    team: TEAM,
    user: { id: userId, team_id: TEAM.id },
    api_app_id: 'ADEMO',
    trigger_id: `demo.${type}`,
  };
}

/** The request form submitted by `userId`: every system, all sessions, with a reason. */
export function formSubmission(o: {
  userId: string;
  viewId: string;
  privateMetadata: string;
  targetUserId: string;
  systems: readonly SystemId[];
  reason: string;
}) {
  return {
    ...envelope('view_submission', o.userId),
    view: {
      id: o.viewId,
      team_id: TEAM.id,
      type: 'modal',
      callback_id: IDS.requestView,
      private_metadata: o.privateMetadata,
      state: {
        values: {
          [IDS.targetBlock]: { [IDS.targetAction]: { type: 'users_select', selected_user: o.targetUserId } },
          [IDS.systemsBlock]: {
            [IDS.systemsAction]: {
              type: 'checkboxes',
              selected_options: o.systems.map((value) => ({ value })),
            },
          },
          [IDS.scopeBlock]: {
            [IDS.scopeAction]: { type: 'radio_buttons', selected_option: { value: 'all' } },
          },
          [IDS.reasonBlock]: { [IDS.reasonAction]: { type: 'plain_text_input', value: o.reason } },
        },
      },
    },
  };
}

/** A click on a message button (Approve / Deny on an approval card). */
export function buttonClick(o: {
  userId: string;
  channelId: string;
  messageTs: string;
  actionId: string;
  value: string;
}) {
  return {
    ...envelope('block_actions', o.userId),
    container: { type: 'message', message_ts: o.messageTs, channel_id: o.channelId, is_ephemeral: false },
    channel: { id: o.channelId },
    message: { type: 'message', ts: o.messageTs },
    response_url: 'http://127.0.0.1:9/response',
    actions: [{ type: 'button', action_id: o.actionId, value: o.value, action_ts: '1700000000.1' }],
  };
}
