import { defaultDoctor, defineSystem } from '../descriptor.js';
import type { SessionProvider } from '../types.js';
import { EntraClient, type EntraDeps } from './client.js';
import { ENTRA_CAPABILITIES, EntraProvider } from './provider.js';
import { ENTRA_QUIRKS } from './quirks.js';
import { configureEntra, ENTRA_ENV, ENTRA_ENV_EXAMPLE, type EntraConfig } from './settings.js';

export { type EntraDeps, graphScope } from './client.js';
export { tokenRoles } from './permissions.js';
export { ENTRA_REVOKED_DETAIL, EntraProvider, odataString } from './provider.js';
export { parseEntraError } from './quirks.js';
export type { EntraConfig } from './settings.js';

/** Creates the Entra ID provider for a configured app registration. */
export function createEntraProvider(config: EntraConfig, deps: EntraDeps): SessionProvider {
  return new EntraProvider(new EntraClient(config, deps), config.graphUrl);
}

/** Microsoft Entra ID (client credentials, Microsoft Graph): an identity provider; revokes every sign-in session. */
export const entra = defineSystem({
  id: 'entra',
  label: ENTRA_QUIRKS.label,
  env: ENTRA_ENV,
  secretVars: ['ENTRA_CLIENT_SECRET'],
  enableWith: 'ENTRA_TENANT_ID/ENTRA_CLIENT_ID/ENTRA_CLIENT_SECRET',
  capabilities: ENTRA_CAPABILITIES,
  /** Microsoft Graph throttles per app and tenant (identity and access: thousands of requests a 10 s); the app keeps to 3,000 a minute. */
  rateLimits: { perMethod: false, limits: { '*': '3000/1m' } },
  quirks: ENTRA_QUIRKS,
  envExample: ENTRA_ENV_EXAMPLE,
  configure: configureEntra,
  secrets: (config) => [config.clientSecret],
  create: (config, deps) => createEntraProvider(config, deps),
  doctor: defaultDoctor,
});
