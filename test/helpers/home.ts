import type { Harness } from './harness.js';
import { SECRETS } from './harness.js';
import { signedPost } from './slack-signing.js';

/** An `app_home_opened` event (Home tab) as Slack sends it: JSON, signed. */
export function homeOpened(h: Harness, userId: string, tab = 'home'): Promise<Response> {
  const body = JSON.stringify({
    token: 'legacy',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `Ev${userId}${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user: userId, channel: `D${userId}`, tab, event_ts: '1700000000.1' },
  });
  return signedPost(`${h.url}/slack/events`, body, 'application/json', { secret: SECRETS.signing });
}

/** A block_actions payload for a button on a user's App Home (no channel: the container is the view). */
export function homeClick(userId: string, actionId: string, value?: string) {
  return {
    type: 'block_actions',
    user: { id: userId, name: userId.toLowerCase(), team_id: 'T1' },
    team: { id: 'T1', domain: 'acme' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: `trig-home-${userId}`,
    container: { type: 'view', view_id: `VHOME${userId}` },
    view: { id: `VHOME${userId}`, type: 'home', team_id: 'T1', blocks: [], hash: 'h', callback_id: '' },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: value ? `home_approval:${value}` : 'home_actions',
        ...(value ? { value } : {}),
        action_ts: '1700000000.2',
      },
    ],
  };
}

/** What every shortcut payload carries (`kind`: global or message, in its trigger id). */
function shortcutBase(type: string, kind: string, userId: string, callbackId: string) {
  return {
    type,
    token: 'legacy',
    action_ts: '1700000000.3',
    team: { id: 'T1', domain: 'acme' },
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T1' },
    callback_id: callbackId,
    trigger_id: `trig-${kind}-${userId}`,
  };
}

/** A global shortcut (`shortcut`) as Slack sends it. */
export function globalShortcut(userId: string, callbackId = 'revoke_sessions') {
  return shortcutBase('shortcut', 'global', userId, callbackId);
}

/** A message shortcut (`message_action`) on a message written by `author` (undefined: a bot's message). */
export function messageShortcut(
  userId: string,
  author: string | undefined,
  callbackId = 'revoke_sessions_for_author',
) {
  return {
    ...shortcutBase('message_action', 'message', userId, callbackId),
    channel: { id: 'C0SEC', name: 'security' },
    message_ts: '1700000000.000100',
    response_url: 'http://127.0.0.1:9/shortcut/response',
    message: author
      ? { type: 'message', user: author, ts: '1700000000.000100', text: 'click this link' }
      : { type: 'message', bot_id: 'B9', ts: '1700000000.000100', text: 'an alert' },
  };
}
