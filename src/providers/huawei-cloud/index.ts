import { defaultDoctor, defineSystem } from '../descriptor.js';
import { createHuaweiProvider, HUAWEI_CAPABILITIES } from './provider.js';
import { HUAWEI_QUIRKS } from './quirks.js';
import { configureHuawei, HUAWEI_ENV } from './settings.js';

export type { HuaweiDeps } from './client.js';
export { createHuaweiProvider, HUAWEI_DELETE_CHUNK, HUAWEI_PORTAL_NOTICE } from './provider.js';
export { parseHuaweiError } from './quirks.js';
export type { HuaweiConfig } from './settings.js';
export { type AkSkCredentials, signRequest } from './signer.js';

/** Huawei Cloud IAM Identity Center: AK/SK-signed; lists, revokes all or chosen user-portal sessions. */
export const huawei = defineSystem({
  id: 'huawei',
  label: HUAWEI_QUIRKS.label,
  product: 'Huawei Cloud IAM Identity Center',
  env: HUAWEI_ENV,
  secretVars: ['HUAWEI_SECRET_KEY', 'HUAWEI_SECURITY_TOKEN'],
  envExample: `# --- Huawei Cloud IAM Identity Center (AK/SK; security token for temporary credentials) ---
HUAWEI_ACCESS_KEY=
HUAWEI_SECRET_KEY=
HUAWEI_SECURITY_TOKEN=
HUAWEI_IDENTITY_STORE_ID=
HUAWEI_REGION=
HUAWEI_IDENTITYSTORE_ENDPOINT=
`,
  enableWith: 'the HUAWEI_* variables',
  capabilities: HUAWEI_CAPABILITIES,
  /** Huawei Cloud publishes no limit for the Identity Store API; its API gateway's default is assumed (10 a second). */
  rateLimits: { perMethod: false, limits: { '*': '600/1m' } },
  quirks: HUAWEI_QUIRKS,
  configure: configureHuawei,
  secrets: (config) => [config.secretKey, config.securityToken],
  create: (config, deps) => createHuaweiProvider(config, deps),
  doctor: defaultDoctor,
});
