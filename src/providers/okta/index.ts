import { defaultDoctor, defineSystem } from '../descriptor.js';
import { createOktaProvider, OKTA_CAPABILITIES } from './provider.js';
import { OKTA_QUIRKS } from './quirks.js';
import { configureOkta, OKTA_ENV } from './settings.js';

export {
  createOktaProvider,
  OKTA_REVOKED_DETAIL,
  OKTA_SEARCH_LIMIT,
  type OktaDeps,
} from './provider.js';
export { OKTA_QUIRKS, oktaRateLimitWaitMs, parseOktaError } from './quirks.js';
export type { OktaConfig } from './settings.js';
export { oktaSearchExpression, oktaString } from './users.js';

/** Its `.env.example` section. */
const ENV_EXAMPLE = `# --- Okta (identity provider: org URL and an API token, sent as SSWS) ---
# The org URL, not the Admin Console's -admin one.
# The token: Admin Console > Security > API > Tokens, created by an admin whose role has
# okta.users.read and okta.users.lifecycle.clearSessions (e.g. Help Desk Administrator).
# e.g. https://acme.okta.com
OKTA_ORG_URL=
OKTA_API_TOKEN=
`;

/** Okta: an identity provider; ends all of a user's sessions and OAuth tokens, synchronously, without a listing. */
export const okta = defineSystem({
  id: 'okta',
  label: OKTA_QUIRKS.label,
  env: OKTA_ENV,
  secretVars: ['OKTA_API_TOKEN'],
  enableWith: 'OKTA_ORG_URL/OKTA_API_TOKEN',
  capabilities: OKTA_CAPABILITIES,
  /** Okta's org-wide limits for the users API start at 600 a minute (higher on larger plans: raise it with REVOKE_RATE_LIMITS). */
  rateLimits: { perMethod: false, limits: { '*': '600/1m' } },
  quirks: OKTA_QUIRKS,
  envExample: ENV_EXAMPLE,
  configure: configureOkta,
  secrets: (config) => [config.token],
  create: (config, deps) => createOktaProvider(config, deps),
  doctor: defaultDoctor,
});
