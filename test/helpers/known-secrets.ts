/**
 * Every credential the tests hand to the app (or that a fake issues to it).
 * None of them may appear in anything the app produces.
 */
import { BOX_CREDENTIALS } from '../fakes/box.js';
import { HUAWEI_KEYS } from '../fakes/huawei.js';
import { MATTERMOST_TOKEN } from '../fakes/mattermost.js';
import { SECRETS } from './harness.js';

/** Bearer tokens for the alert API used by the tests. */
export const API_TOKENS = {
  alert: 'alert-token-0123456789abcdef0123456789abcdef',
  flows: 'alert-api-token-0123456789abcdef0123456789',
};

export const KNOWN_SECRETS: string[] = [
  SECRETS.bot,
  SECRETS.admin,
  SECRETS.signing,
  BOX_CREDENTIALS.clientSecret,
  MATTERMOST_TOKEN,
  HUAWEI_KEYS.secretKey,
  HUAWEI_KEYS.accessKey,
  API_TOKENS.alert,
  API_TOKENS.flows,
];

/** Box access tokens the fake issues (`box-access-token-<n>`). */
export const ISSUED_TOKEN_PATTERNS: RegExp[] = [/box-access-token-\d+/];
