import { allOrNone, type EnvValues, noTrailingSlash, opt, urlVar } from '../../util/env-vars.js';

/** A Mattermost server and a bot or personal access token with `edit_other_users`. */
export interface MattermostConfig {
  url: string;
  token: string;
}

/** Its variables, as documented in the README. */
export const MATTERMOST_ENV = {
  MATTERMOST_URL: urlVar('the Mattermost server base URL, e.g. https://chat.example.com'),
  MATTERMOST_TOKEN: opt,
};

/** Enabled when both variables are set; one without the other is a problem. */
export function configureMattermost(env: EnvValues, problems: string[]): MattermostConfig | undefined {
  if (!allOrNone(env, ['MATTERMOST_URL', 'MATTERMOST_TOKEN'], 'Mattermost', problems)) return undefined;
  return { url: noTrailingSlash(env.MATTERMOST_URL ?? ''), token: env.MATTERMOST_TOKEN ?? '' };
}
