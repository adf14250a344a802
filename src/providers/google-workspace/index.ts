import { defaultDoctor, defineSystem } from '../descriptor.js';
import type { SessionProvider } from '../types.js';
import { GoogleClient, type GoogleDeps } from './client.js';
import { GOOGLE_CAPABILITIES, GoogleWorkspaceProvider } from './provider.js';
import { GOOGLE_QUIRKS } from './quirks.js';
import { configureGoogle, GOOGLE_ENV, type GoogleConfig, googleSecrets } from './settings.js';

export { GoogleClient, type GoogleDeps } from './client.js';
export { readServiceAccountKey, type ServiceAccountKey } from './keyfile.js';
export { SIGN_OUT_SENTENCE } from './provider.js';
export { parseGoogleError } from './quirks.js';
export { GOOGLE_RATE_LIMIT_REASONS, isRateLimitBody } from './rate-limit-adapter.js';
export { GOOGLE_SCOPES, type GoogleConfig } from './settings.js';

/** Creates the Google Workspace provider for a configured service account. */
export function createGoogleProvider(config: GoogleConfig, deps: GoogleDeps): SessionProvider {
  return new GoogleWorkspaceProvider(new GoogleClient(config, deps));
}

const ENV_EXAMPLE = `# --- Google Workspace (identity provider; service account with domain-wide delegation) ---
# Google Cloud console → IAM & Admin → Service accounts: create one, then Keys → Add key → JSON;
# point GOOGLE_SERVICE_ACCOUNT_KEY_FILE at that file (keep it readable by the app only).
# Google Admin console → Security → Access and data control → API controls → Manage domain-wide
# delegation: add the service account's client ID with exactly the scopes
# https://www.googleapis.com/auth/admin.directory.user.security,https://www.googleapis.com/auth/admin.directory.user.readonly
# GOOGLE_ADMIN_SUBJECT: an admin whose role may read users and sign them out (the account acted as).
GOOGLE_SERVICE_ACCOUNT_KEY_FILE=
# e.g. security-bot-admin@example.com
GOOGLE_ADMIN_SUBJECT=
GOOGLE_ADMIN_API_URL=https://admin.googleapis.com
GOOGLE_TOKEN_URL=
`;

/**
 * Google Workspace (identity provider): signs the person out of every web and device session, and
 * lists, revokes and lists again their OAuth grants to third-party apps.
 */
export const google = defineSystem({
  id: 'google',
  label: GOOGLE_QUIRKS.label,
  env: GOOGLE_ENV,
  // Its content is the secret (read here, never put in the environment); the path is treated as one
  // too: never echoed, and a path cut at a `#` in .env is refused rather than read from elsewhere.
  secretVars: ['GOOGLE_SERVICE_ACCOUNT_KEY_FILE'],
  enableWith: 'GOOGLE_SERVICE_ACCOUNT_KEY_FILE/GOOGLE_ADMIN_SUBJECT',
  capabilities: GOOGLE_CAPABILITIES,
  /** The Directory API allows 2,400 queries a minute for each user (the admin the service account acts as). */
  rateLimits: { perMethod: false, limits: { '*': '2400/1m' } },
  quirks: GOOGLE_QUIRKS,
  envExample: ENV_EXAMPLE,
  configure: configureGoogle,
  secrets: (config) => googleSecrets(config),
  create: (config, deps) => createGoogleProvider(config, deps),
  doctor: defaultDoctor,
});
