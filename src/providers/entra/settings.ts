import { allOrNone, type EnvValues, noTrailingSlash, opt, patternVar, urlVar } from '../../util/env-vars.js';

/** A Microsoft Entra ID app registration using the client-credentials grant against Microsoft Graph. */
export interface EntraConfig {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The Microsoft identity platform authority host, without a trailing slash. */
  loginUrl: string;
  /** Microsoft Graph with its version, e.g. `https://graph.microsoft.com/v1.0`. */
  graphUrl: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?:[a-z0-9-]+\.)+[a-z]{2,})$/i;

/**
 * The client secret's value. Entra shows a secret's ID (a GUID) next to its value, and the ID
 * is the usual mistake: refused by name, without echoing what was given.
 */
const clientSecretVar = opt.superRefine((v, ctx) => {
  if (v !== undefined && GUID.test(v)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'the client secret’s Value from “Certificates & secrets”; the value given is shaped like its Secret ID (a GUID), which Entra does not accept (it is not shown here)',
    });
  }
});

/** Its variables, as documented in the README. */
export const ENTRA_ENV = {
  ENTRA_TENANT_ID: patternVar(
    TENANT,
    'the directory (tenant) ID from the app registration’s Overview: a GUID, or the tenant’s domain such as contoso.onmicrosoft.com',
  ),
  ENTRA_CLIENT_ID: patternVar(
    GUID,
    'the application (client) ID from the app registration’s Overview, a GUID',
  ),
  ENTRA_CLIENT_SECRET: clientSecretVar,
  ENTRA_LOGIN_URL: urlVar('the Microsoft identity platform host, e.g. https://login.microsoftonline.com'),
  ENTRA_GRAPH_URL: urlVar(
    'the Microsoft Graph base URL with its version, e.g. https://graph.microsoft.com/v1.0',
  ),
};

/** Enabled when the tenant, client id and client secret are all set; the endpoints have defaults. */
export function configureEntra(env: EnvValues, problems: string[]): EntraConfig | undefined {
  if (
    !allOrNone(
      env,
      ['ENTRA_TENANT_ID', 'ENTRA_CLIENT_ID', 'ENTRA_CLIENT_SECRET'],
      'Microsoft Entra ID',
      problems,
    )
  )
    return undefined;
  return {
    tenantId: env.ENTRA_TENANT_ID ?? '',
    clientId: env.ENTRA_CLIENT_ID ?? '',
    clientSecret: env.ENTRA_CLIENT_SECRET ?? '',
    loginUrl: noTrailingSlash(env.ENTRA_LOGIN_URL ?? 'https://login.microsoftonline.com'),
    graphUrl: noTrailingSlash(env.ENTRA_GRAPH_URL ?? 'https://graph.microsoft.com/v1.0'),
  };
}

/** The section of `.env.example` for Entra ID. */
export const ENTRA_ENV_EXAMPLE = `# --- Microsoft Entra ID (app registration, client credentials; Graph application permissions User.RevokeSessions.All and User.Read.All) ---
# Directory (tenant) ID from the app registration's Overview (or the tenant's domain)
ENTRA_TENANT_ID=
# Application (client) ID from the same Overview
ENTRA_CLIENT_ID=
# Client secret Value (not its Secret ID) from "Certificates & secrets"; quote it if it contains #
ENTRA_CLIENT_SECRET=
# Endpoints; change them only for a national cloud (e.g. https://login.microsoftonline.us, https://graph.microsoft.us/v1.0)
ENTRA_LOGIN_URL=https://login.microsoftonline.com
ENTRA_GRAPH_URL=https://graph.microsoft.com/v1.0
`;
