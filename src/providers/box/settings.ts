import { allOrNone, type EnvValues, noTrailingSlash, opt, patternVar, urlVar } from '../../util/env-vars.js';

/** A Box Client Credentials Grant app acting as the enterprise's service account. */
export interface BoxConfig {
  clientId: string;
  clientSecret: string;
  enterpriseId: string;
  apiUrl: string;
  tokenUrl: string;
}

/** Its variables, as documented in the README. */
export const BOX_ENV = {
  BOX_CLIENT_ID: opt,
  BOX_CLIENT_SECRET: opt,
  BOX_ENTERPRISE_ID: patternVar(/^\d+$/, 'the numeric Box enterprise ID'),
  BOX_API_URL: urlVar('the Box API base URL'),
  BOX_TOKEN_URL: urlVar('the Box OAuth token URL'),
};

/** Enabled when the client id, secret and enterprise id are all set. */
export function configureBox(env: EnvValues, problems: string[]): BoxConfig | undefined {
  if (!allOrNone(env, ['BOX_CLIENT_ID', 'BOX_CLIENT_SECRET', 'BOX_ENTERPRISE_ID'], 'Box', problems))
    return undefined;
  return {
    clientId: env.BOX_CLIENT_ID ?? '',
    clientSecret: env.BOX_CLIENT_SECRET ?? '',
    enterpriseId: env.BOX_ENTERPRISE_ID ?? '',
    apiUrl: noTrailingSlash(env.BOX_API_URL ?? 'https://api.box.com/2.0'),
    tokenUrl: env.BOX_TOKEN_URL ?? 'https://api.box.com/oauth2/token',
  };
}
