import { type EnvValues, tokenVar } from '../../util/env-vars.js';

/** The org admin user token for `admin.users.session.*`, and the Web API it talks to. */
export interface SlackAdminConfig {
  adminToken: string;
  /** `SLACK_API_URL` (shared with the bot), with a trailing slash. */
  apiUrl: string;
}

/** Its own variable; `SLACK_API_URL` is a shared Slack setting. */
export const SLACK_ADMIN_ENV = {
  SLACK_ADMIN_TOKEN: tokenVar(
    ['xoxp-'],
    'the org admin user token with admin.users:read and admin.users:write',
  ),
};

/** The Slack Web API base URL as the clients want it. */
export function slackApiUrl(env: EnvValues): string {
  const url = env.SLACK_API_URL ?? 'https://slack.com/api/';
  return url.endsWith('/') ? url : `${url}/`;
}

/** Enabled when `SLACK_ADMIN_TOKEN` is set. */
export function configureSlackAdmin(env: EnvValues): SlackAdminConfig | undefined {
  if (env.SLACK_ADMIN_TOKEN === undefined) return undefined;
  return { adminToken: env.SLACK_ADMIN_TOKEN, apiUrl: slackApiUrl(env) };
}
