import { allOrNone, type EnvValues, noTrailingSlash, opt, patternVar, urlVar } from '../../util/env-vars.js';

/** AK/SK credentials (optionally temporary, with a security token) for one identity store. */
export interface HuaweiConfig {
  accessKey: string;
  secretKey: string;
  securityToken: string | undefined;
  identityStoreId: string;
  region: string | undefined;
  endpoint: string;
}

/** Its variables, as documented in the README. */
export const HUAWEI_ENV = {
  HUAWEI_ACCESS_KEY: opt,
  HUAWEI_SECRET_KEY: opt,
  HUAWEI_SECURITY_TOKEN: opt,
  HUAWEI_IDENTITY_STORE_ID: opt,
  HUAWEI_REGION: patternVar(/^[a-z]{2}(-[a-z0-9]+)+$/, 'a Huawei Cloud region such as ap-southeast-1'),
  HUAWEI_IDENTITYSTORE_ENDPOINT: urlVar('the Identity Store endpoint'),
};

/** Enabled with AK, SK and the store id; needs a region or an endpoint override. */
export function configureHuawei(env: EnvValues, problems: string[]): HuaweiConfig | undefined {
  const on = allOrNone(
    env,
    ['HUAWEI_ACCESS_KEY', 'HUAWEI_SECRET_KEY', 'HUAWEI_IDENTITY_STORE_ID'],
    'Huawei Cloud',
    problems,
  );
  if (!on) return undefined;
  if (env.HUAWEI_REGION === undefined && env.HUAWEI_IDENTITYSTORE_ENDPOINT === undefined) {
    problems.push(
      'HUAWEI_REGION is missing: set the region (e.g. ap-southeast-1) or HUAWEI_IDENTITYSTORE_ENDPOINT',
    );
    return undefined;
  }
  return {
    accessKey: env.HUAWEI_ACCESS_KEY ?? '',
    secretKey: env.HUAWEI_SECRET_KEY ?? '',
    securityToken: env.HUAWEI_SECURITY_TOKEN,
    identityStoreId: env.HUAWEI_IDENTITY_STORE_ID ?? '',
    region: env.HUAWEI_REGION,
    endpoint: noTrailingSlash(
      env.HUAWEI_IDENTITYSTORE_ENDPOINT ?? `https://identitystore.${env.HUAWEI_REGION}.myhuaweicloud.com`,
    ),
  };
}
