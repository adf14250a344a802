import { z } from 'zod';
import { loadSigningKey, type SigningKey } from '../signing/key.js';
import { type EnvValues, opt, urlVar } from '../util/env-vars.js';
import { insecureUrlProblem } from '../util/secure-url.js';

/** A receiver allowed to manage streams: its bearer token and the `aud` its streams get. */
export interface SsfReceiver {
  audience: string;
  token: string;
}

/** A transmitter whose signals `POST /ssf/events` accepts. */
export interface SsfInboundIssuer {
  issuer: string;
  jwksUri: string;
  audience: string;
}

/** The Shared Signals and Universal Logout settings (see the configuration table). */
export interface SignalsConfig {
  /** On when SSF_ISSUER and SSF_SIGNING_KEY_FILE are set. */
  transmitter:
    | {
        /** Without a trailing slash; also the public base URL of the SSF endpoints. */
        issuer: string;
        key: SigningKey;
      }
    | undefined;
  receivers: SsfReceiver[];
  inbound: SsfInboundIssuer[];
  universalLogout: { issuer: string; jwksUrl: string; audience: string; auto: boolean } | undefined;
}

/** The variables' schemas, merged into the config's environment schema. */
export const signalsEnvShape = {
  SSF_ISSUER: urlVar('the issuer URL of this transmitter, e.g. https://revoke.example.com'),
  SSF_SIGNING_KEY_FILE: opt,
  SSF_RECEIVERS: opt,
  SSF_INBOUND_ISSUERS: opt,
  OKTA_UNIVERSAL_LOGOUT_ISSUER: urlVar('your Okta org, e.g. https://acme.okta.com'),
  OKTA_UNIVERSAL_LOGOUT_JWKS_URL: urlVar(
    'the JWKS of the key Okta signs with, e.g. https://acme.okta.com/oauth2/v1/keys',
  ),
  OKTA_UNIVERSAL_LOGOUT_AUDIENCE: urlVar(
    'the public URL of this endpoint, e.g. https://revoke.example.com/oauth/global-token-revocation',
  ),
  OKTA_UNIVERSAL_LOGOUT_AUTO: opt.superRefine((v, ctx) => {
    if (v !== undefined && !['true', 'false'].includes(v.toLowerCase()))
      ctx.addIssue({ code: 'custom', message: 'true or false' });
  }),
};

/** Variables holding secrets (their values are redacted and never echoed). */
export const SIGNALS_SECRET_VARS = ['SSF_RECEIVERS', 'SSF_SIGNING_KEY_FILE'] as const;

const receiversSchema = z
  .array(
    z
      .object({
        audience: z.string().trim().min(1).max(500),
        token: z.string().min(32, 'a token of at least 32 characters').max(500),
      })
      .strict(),
  )
  .min(1);

const inboundSchema = z
  .array(
    z
      .object({
        issuer: z.string().trim().min(1).max(500),
        jwks_uri: z.string().trim().min(1).max(2000),
        audience: z.string().trim().min(1).max(500),
      })
      .strict(),
  )
  .min(1);

/** Parses a JSON list variable; problems name the variable and never quote its value (it may hold tokens). */
function jsonList<T>(
  name: string,
  value: string | undefined,
  schema: z.ZodType<T>,
  shape: string,
  problems: string[],
): T | undefined {
  if (value === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    problems.push(
      `${name} is malformed: it must be a JSON list ${shape} (the value is not JSON; it is not shown here)`,
    );
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'the list'}: ${i.message}`)
      .slice(0, 5)
      .join('; ');
    problems.push(`${name} is malformed: it must be a JSON list ${shape} (${where})`);
    return undefined;
  }
  return parsed.data;
}

const noSlash = (url: string) => url.replace(/\/+$/, '');

function secureUrl(name: string, url: string, problems: string[]): boolean {
  const problem = insecureUrlProblem(url);
  if (problem) problems.push(`${name} is refused: ${problem}`);
  return problem === undefined;
}

/** The transmitter, the receivers and the inbound issuers; every problem names its variable. */
export function configureSignals(env: EnvValues, problems: string[]): SignalsConfig {
  let transmitter: SignalsConfig['transmitter'];
  const issuer = env.SSF_ISSUER;
  const keyFile = env.SSF_SIGNING_KEY_FILE;
  // The key file alone signs evidence (the transmitter stays off); an issuer needs its key.
  if (issuer !== undefined && keyFile === undefined) {
    problems.push(
      'SSF_SIGNING_KEY_FILE is missing: the Shared Signals transmitter needs both SSF_ISSUER and SSF_SIGNING_KEY_FILE (or no SSF_ISSUER, to turn it off)',
    );
  } else if (issuer !== undefined && keyFile !== undefined && secureUrl('SSF_ISSUER', issuer, problems)) {
    const loaded = loadSigningKey(keyFile, 'SSF_SIGNING_KEY_FILE');
    if ('problem' in loaded) problems.push(loaded.problem);
    else transmitter = { issuer: noSlash(issuer), key: loaded.key };
  }
  const receivers =
    jsonList(
      'SSF_RECEIVERS',
      env.SSF_RECEIVERS,
      receiversSchema,
      '[{"audience":"…","token":"<at least 32 characters>"}]',
      problems,
    ) ?? [];
  if (new Set(receivers.map((r) => r.token)).size !== receivers.length)
    problems.push('SSF_RECEIVERS is malformed: every receiver needs its own token');
  if (receivers.length > 0 && issuer === undefined)
    problems.push(
      'SSF_RECEIVERS is set but the transmitter is off: set SSF_ISSUER and SSF_SIGNING_KEY_FILE too',
    );
  const inbound = (
    jsonList(
      'SSF_INBOUND_ISSUERS',
      env.SSF_INBOUND_ISSUERS,
      inboundSchema,
      '[{"issuer":"…","jwks_uri":"https://…","audience":"…"}]',
      problems,
    ) ?? []
  ).flatMap((i) =>
    secureUrl(`SSF_INBOUND_ISSUERS (jwks_uri of ${i.issuer.slice(0, 100)})`, i.jwks_uri, problems)
      ? [{ issuer: i.issuer, jwksUri: i.jwks_uri, audience: i.audience }]
      : [],
  );
  return { transmitter, receivers, inbound, universalLogout: universalLogout(env, problems) };
}

const UL_VARS = [
  'OKTA_UNIVERSAL_LOGOUT_ISSUER',
  'OKTA_UNIVERSAL_LOGOUT_JWKS_URL',
  'OKTA_UNIVERSAL_LOGOUT_AUDIENCE',
] as const;

function universalLogout(env: EnvValues, problems: string[]): SignalsConfig['universalLogout'] {
  const set = UL_VARS.filter((n) => env[n] !== undefined);
  if (set.length === 0) return undefined;
  const missing = UL_VARS.filter((n) => env[n] === undefined);
  for (const n of missing)
    problems.push(
      `${n} is missing: the Okta Universal Logout target is partly configured (${set.join(', ')} set); set it too, or unset the others to turn it off`,
    );
  if (missing.length > 0) return undefined;
  const [issuer, jwksUrl, audience] = UL_VARS.map((n) => env[n] ?? '') as [string, string, string];
  const ok = UL_VARS.every((n) => secureUrl(n, env[n] ?? '', problems));
  return ok
    ? { issuer, jwksUrl, audience, auto: env.OKTA_UNIVERSAL_LOGOUT_AUTO?.toLowerCase() === 'true' }
    : undefined;
}

/** The secrets in these settings, for redaction. */
export function signalsSecrets(config: SignalsConfig): string[] {
  return config.receivers.map((r) => r.token);
}
