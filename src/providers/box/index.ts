import { defaultDoctor, defineSystem } from '../descriptor.js';
import type { SessionProvider } from '../types.js';
import { BoxClient, type BoxDeps } from './client.js';
import { BOX_CAPABILITIES, BoxProvider } from './provider.js';
import { BOX_QUIRKS } from './quirks.js';
import { BOX_ENV, type BoxConfig, configureBox } from './settings.js';

export { parseBoxError } from './quirks.js';
export type { BoxConfig } from './settings.js';

/** Creates the Box provider for a configured enterprise. */
export function createBoxProvider(config: BoxConfig, deps: BoxDeps): SessionProvider {
  return new BoxProvider(new BoxClient(config, deps));
}

/** Box (Client Credentials Grant, enterprise subject): ends all sessions as an asynchronous job. */
export const box = defineSystem({
  id: 'box',
  label: BOX_QUIRKS.label,
  env: BOX_ENV,
  secretVars: ['BOX_CLIENT_SECRET'],
  envExample: `# --- Box (Client Credentials Grant app, enterprise subject) ---
BOX_CLIENT_ID=
BOX_CLIENT_SECRET=
BOX_ENTERPRISE_ID=
BOX_API_URL=https://api.box.com/2.0
BOX_TOKEN_URL=https://api.box.com/oauth2/token
`,
  enableWith: 'BOX_CLIENT_ID/BOX_CLIENT_SECRET/BOX_ENTERPRISE_ID',
  capabilities: BOX_CAPABILITIES,
  /** Box documents about 1,000 API calls a minute for each user (the service account here). */
  rateLimits: { perMethod: false, limits: { '*': '1000/1m' } },
  quirks: BOX_QUIRKS,
  configure: configureBox,
  secrets: (config) => [config.clientSecret],
  create: (config, deps) => createBoxProvider(config, deps),
  doctor: defaultDoctor,
});
