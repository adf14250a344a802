import { allOrNone, type EnvValues, noTrailingSlash, opt, urlVar } from '../../util/env-vars.js';

/** An Okta org and an API token (sent as `Authorization: SSWS <token>`). */
export interface OktaConfig {
  /** The org URL, e.g. `https://acme.okta.com` (no trailing slash). */
  orgUrl: string;
  token: string;
}

/** Its variables, as documented in the README. */
export const OKTA_ENV = {
  OKTA_ORG_URL: urlVar('your Okta org URL, e.g. https://acme.okta.com').superRefine((v, ctx) => {
    // The Admin Console's `-admin` host is not where the API answers.
    if (v !== undefined && /^https?:\/\/[^/]*-admin\./i.test(v))
      ctx.addIssue({
        code: 'custom',
        message: 'the org URL, not the Admin Console one: drop "-admin" from the host name',
      });
  }),
  OKTA_API_TOKEN: opt.superRefine((v, ctx) => {
    if (v !== undefined && /^ssws\s/i.test(v))
      ctx.addIssue({
        code: 'custom',
        message: 'the API token alone, without the "SSWS " prefix (the value given is not shown here)',
      });
  }),
};

/** Enabled when both variables are set; one without the other is a problem. */
export function configureOkta(env: EnvValues, problems: string[]): OktaConfig | undefined {
  if (!allOrNone(env, ['OKTA_ORG_URL', 'OKTA_API_TOKEN'], 'Okta', problems)) return undefined;
  return { orgUrl: noTrailingSlash(env.OKTA_ORG_URL ?? ''), token: env.OKTA_API_TOKEN ?? '' };
}
