import { defaultDoctor, defineSystem } from '../descriptor.js';
import { createMattermostProvider, MATTERMOST_CAPABILITIES } from './provider.js';
import { MATTERMOST_QUIRKS } from './quirks.js';
import { configureMattermost, MATTERMOST_ENV } from './settings.js';

export { createMattermostProvider, type MattermostDeps } from './provider.js';
export { parseMattermostError } from './quirks.js';
export type { MattermostConfig } from './settings.js';

/** Mattermost (self-hosted): bearer token; lists, revokes all or chosen sessions. */
export const mattermost = defineSystem({
  id: 'mattermost',
  label: MATTERMOST_QUIRKS.label,
  env: MATTERMOST_ENV,
  secretVars: ['MATTERMOST_TOKEN'],
  envExample: `# --- Mattermost (server URL and a bot or personal access token with edit_other_users) ---
MATTERMOST_URL=
MATTERMOST_TOKEN=
`,
  enableWith: 'MATTERMOST_URL/MATTERMOST_TOKEN',
  capabilities: MATTERMOST_CAPABILITIES,
  /** Mattermost's own rate limiting (when the server turns it on) defaults to 10 requests a second. */
  rateLimits: { perMethod: false, limits: { '*': '600/1m' } },
  quirks: MATTERMOST_QUIRKS,
  configure: configureMattermost,
  secrets: (config) => [config.token],
  create: (config, deps) => createMattermostProvider(config, deps),
  doctor: defaultDoctor,
});
