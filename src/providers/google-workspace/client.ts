import { importPKCS8, SignJWT } from 'jose';
import { ErrorCode, RevokeError } from '../../errors.js';
import type { ClientDeps } from '../http.js';
import { OAuthClient } from '../oauth-client.js';
import { GOOGLE_QUIRKS } from './quirks.js';
import { googleAdapter } from './rate-limit-adapter.js';
import { GOOGLE_SCOPES, type GoogleConfig, googleSecrets } from './settings.js';

export type GoogleDeps = ClientDeps;

/** Google accepts assertions valid for at most an hour. */
const ASSERTION_LIFETIME_S = 3600;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * Admin SDK access as a service account impersonating a Workspace admin (domain-wide delegation):
 * an RS256-signed JWT assertion is exchanged for an access token (see {@link OAuthClient}).
 */
export class GoogleClient extends OAuthClient {
  private signingKey: ReturnType<typeof importPKCS8> | undefined;
  private readonly now: () => number;

  constructor(
    readonly config: GoogleConfig,
    deps: GoogleDeps,
  ) {
    // https://developers.google.com/identity/protocols/oauth2/service-account#httprest — POST the
    // signed assertion (`iss` the service account, `sub` the admin, `scope`, `aud` the token URL).
    super(
      {
        system: 'google',
        quirks: GOOGLE_QUIRKS,
        secrets: googleSecrets(config),
        tokenUrl: config.tokenUrl,
        apiUrl: config.apiUrl,
        adapter: googleAdapter(),
        form: async (client) => {
          const assertion = await this.assertion();
          client.addSecret(assertion);
          return { grant_type: JWT_BEARER, assertion };
        },
        tokenError: credentialError,
      },
      deps,
    );
    this.now = deps.now ?? Date.now;
  }

  private async assertion(): Promise<string> {
    const { key, adminSubject, tokenUrl } = this.config;
    this.signingKey ??= importPKCS8(key.privateKey, 'RS256');
    let signingKey: Awaited<ReturnType<typeof importPKCS8>>;
    try {
      signingKey = await this.signingKey;
    } catch {
      throw new RevokeError(
        'Google Workspace: the private key of GOOGLE_SERVICE_ACCOUNT_KEY_FILE cannot be used for RS256 signing.',
        {
          code: ErrorCode.VendorAuth,
          system: 'google',
          hint: 'Create a new JSON key for the service account.',
        },
      );
    }
    const issuedAt = Math.floor(this.now() / 1000);
    return new SignJWT({ scope: GOOGLE_SCOPES.join(' ') })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(key.privateKeyId ? { kid: key.privateKeyId } : {}),
      })
      .setIssuer(key.clientEmail)
      .setSubject(adminSubject)
      .setAudience(tokenUrl)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_S)
      .sign(signingKey);
  }
}

/**
 * The token endpoint refuses a bad assertion with 400 `invalid_grant` (unknown subject, wrong key,
 * clock skew): that is a credential problem, not a refused revocation, so it is reported as one.
 */
function credentialError(error: unknown): unknown {
  if (!(error instanceof RevokeError) || error.status !== 400) return error;
  return new RevokeError(error.message, {
    code: ErrorCode.VendorAuth,
    system: 'google',
    status: error.status,
    vendorCode: error.vendorCode,
    requestId: error.requestId,
    retryable: false,
    hint: 'Check GOOGLE_ADMIN_SUBJECT (an existing admin), the key file (a key not deleted) and the clock.',
  });
}
