/**
 * Every credential the tests hand to the app (or that a fake issues to it).
 * None of them may appear in anything the app produces. Token-shaped values
 * (`xoxb-…`, `xoxp-…`, `xwfp-…`) are caught by their shape as well
 * (test/helpers/secret-scan.ts), so only the others must be listed here.
 */
import { BOX_CREDENTIALS } from '../fakes/box.js';
import { ENTRA_CREDENTIALS } from '../fakes/entra.js';
import { HUAWEI_KEYS } from '../fakes/huawei.js';
import { MATTERMOST_TOKEN } from '../fakes/mattermost.js';
import { OKTA_TOKEN } from '../fakes/okta.js';
import { SECRETS } from './harness.js';
import { PUSH_AUTHORIZATION, SSF_TOKENS } from './ssf.js';

/** Bearer tokens for the alert API used by the tests. */
export const API_TOKENS = {
  alert: 'alert-token-0123456789abcdef0123456789abcdef',
  flows: 'alert-api-token-0123456789abcdef0123456789',
};

/** The secret that signs the SIEM webhook's batches (test/siem). */
export const AUDIT_WEBHOOK_SECRET = 'audit-webhook-secret-0123456789abcdef0123';

/** Wrong or one-off credentials single tests give the app (to see that it never echoes them). */
const ONE_OFF_SECRETS = [
  'sign-secret-value-1234', // test/config.test.ts
  'signing-secret-value-123', // test/config.test.ts, `npm start` in a child process
  'wrong-secret-value', // test/providers/box.test.ts
  'wrong-secret-key-value', // test/cli/cli.test.ts
  'temporary-security-token-0123456789', // test/providers/huawei.test.ts
  'not-the-secret-key-42', // test/providers/huawei.test.ts
  'wrong-token-value-123', // test/providers/huawei.test.ts
  'wrong-okta-token-value-123', // test/providers/okta.test.ts, test/cli/okta.test.ts
  'mm-session-token-abcdef', // a Mattermost session's own token (test/resilience/no-secrets.test.ts)
];

/** The password in TEST_DATABASE_URL, if it has one. */
function databasePassword(): string[] {
  try {
    const password = decodeURIComponent(new URL(process.env.TEST_DATABASE_URL ?? '').password);
    return password ? [password] : [];
  } catch {
    return [];
  }
}

export const KNOWN_SECRETS: string[] = [
  SECRETS.bot,
  SECRETS.admin,
  SECRETS.signing,
  BOX_CREDENTIALS.clientSecret,
  MATTERMOST_TOKEN,
  OKTA_TOKEN,
  ENTRA_CREDENTIALS.clientSecret,
  HUAWEI_KEYS.secretKey,
  HUAWEI_KEYS.accessKey,
  API_TOKENS.alert,
  API_TOKENS.flows,
  AUDIT_WEBHOOK_SECRET,
  SSF_TOKENS.siem,
  SSF_TOKENS.other,
  PUSH_AUTHORIZATION.slice('Bearer '.length),
  ...ONE_OFF_SECRETS,
  ...databasePassword(),
];

/**
 * Tokens the fakes issue: Box access tokens (`box-access-token-<n>`), Mattermost session tokens,
 * Entra ID access tokens (their fake signature `entra-signature-<n>`), Google access tokens.
 */
export const ISSUED_TOKEN_PATTERNS: RegExp[] = [
  /box-access-token-\d+/,
  /SESSION-TOKEN-\d+/,
  /entra-signature-\d+/,
  /ya29\.c\.fake-google-access-token-\d+/,
];
