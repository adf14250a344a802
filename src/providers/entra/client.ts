import { ErrorCode, RevokeError } from '../../errors.js';
import type { ClientDeps } from '../http.js';
import { OAuthClient } from '../oauth-client.js';
import { ENTRA_LABEL, ENTRA_OPERATIONS, ENTRA_QUIRKS } from './quirks.js';
import type { EntraConfig } from './settings.js';

export type EntraDeps = ClientDeps;

/**
 * AADSTS codes of the token endpoint that point at one variable
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
const TOKEN_FAULTS: Readonly<Record<string, string>> = {
  AADSTS7000215:
    'ENTRA_CLIENT_SECRET is not a valid client secret of this app registration (use the secret’s Value, not its Secret ID)',
  AADSTS7000222: 'ENTRA_CLIENT_SECRET has expired; create a new client secret and set its Value',
  AADSTS700016:
    'ENTRA_CLIENT_ID names no application in this tenant (check ENTRA_CLIENT_ID and ENTRA_TENANT_ID)',
  AADSTS90002: 'ENTRA_TENANT_ID names no tenant in this cloud (check ENTRA_TENANT_ID and ENTRA_LOGIN_URL)',
  AADSTS900023: 'ENTRA_TENANT_ID is not a tenant ID or domain',
  AADSTS90023: 'ENTRA_TENANT_ID is not a tenant ID or domain',
};

/**
 * The scope of a client-credentials token for Graph: its resource's `/.default`, which grants the
 * application permissions consented for the app (https://graph.microsoft.com/.default for the global cloud).
 */
export function graphScope(graphUrl: string): string {
  return `${new URL(graphUrl).origin}/.default`;
}

/**
 * Microsoft Graph access with a client-credentials token from the Microsoft identity platform
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow —
 * `POST {login}/{tenant}/oauth2/v2.0/token` with the client secret in the form body). The token
 * request goes through the shared client rather than MSAL, so it keeps the one retry policy,
 * timeout, redaction and metrics of every vendor call (and needs no instance discovery).
 */
export class EntraClient extends OAuthClient {
  constructor(config: EntraConfig, deps: EntraDeps) {
    super(
      {
        system: 'entra',
        quirks: ENTRA_QUIRKS,
        secrets: [config.clientSecret],
        tokenUrl: `${config.loginUrl}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`,
        apiUrl: config.graphUrl,
        operation: ENTRA_OPERATIONS.token,
        form: () => ({
          grant_type: 'client_credentials',
          client_id: config.clientId,
          client_secret: config.clientSecret,
          scope: graphScope(config.graphUrl),
        }),
        tokenError,
      },
      deps,
    );
  }
}

/** A refused token request as a sentence naming the variable to fix; other failures pass unchanged. */
function tokenError(error: unknown): unknown {
  if (!(error instanceof RevokeError)) return error;
  if (error.status === undefined || error.status < 400 || error.status >= 500 || error.status === 429)
    return error;
  const known = error.vendorCode ? TOKEN_FAULTS[error.vendorCode] : undefined;
  const sentence = known ?? `the client credentials were refused (${error.message})`;
  return new RevokeError(`${ENTRA_LABEL} issued no access token: ${sentence}.`, {
    code: ErrorCode.VendorAuth,
    system: 'entra',
    status: error.status,
    vendorCode: error.vendorCode,
    requestId: error.requestId,
    retryable: false,
    hint: known ? undefined : 'Check ENTRA_TENANT_ID, ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET.',
  });
}
