import { z } from 'zod';
import { type ClientDeps, VendorHttp } from '../http.js';
import { type IssuedToken, TokenCache } from '../token-cache.js';
import { BOX_QUIRKS } from './quirks.js';
import type { BoxConfig } from './settings.js';

export type BoxDeps = ClientDeps;

const tokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });

/** Refresh this long before Box says the token expires. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Box API access with a Client Credentials Grant token for the enterprise
 * service account: cached until shortly before expiry, shared by concurrent
 * callers, refreshed once on a 401.
 */
export class BoxClient {
  readonly http: VendorHttp;
  private readonly tokenHttp: VendorHttp;
  private readonly token: TokenCache;

  constructor(
    private readonly config: BoxConfig,
    deps: BoxDeps,
  ) {
    this.token = new TokenCache(() => this.issueToken(), deps.now ?? Date.now, EXPIRY_MARGIN_MS);
    const common = {
      system: 'box' as const,
      logger: deps.logger,
      secrets: [config.clientSecret],
      quirks: BOX_QUIRKS,
      retryPolicy: deps.retryPolicy,
      sleep: deps.sleep,
      budgets: deps.budgets,
      timeoutMs: deps.timeoutMs,
    };
    this.tokenHttp = new VendorHttp({ ...common, baseUrl: config.tokenUrl });
    this.http = new VendorHttp({
      ...common,
      baseUrl: config.apiUrl,
      ...this.token.bearer(),
    });
  }

  /** The enterprise's access token (cached; see {@link TokenCache}). */
  accessToken(): Promise<string> {
    return this.token.get();
  }

  /** https://developer.box.com/guides/authentication/client-credentials/ — POST /oauth2/token */
  private async issueToken(): Promise<IssuedToken> {
    const res = await this.tokenHttp.request({
      operation: 'token',
      method: 'POST',
      path: '',
      form: {
        grant_type: 'client_credentials',
        client_id: this.config.clientId,
        client_secret: this.config.clientSecret,
        box_subject_type: 'enterprise',
        box_subject_id: this.config.enterpriseId,
      },
      idempotent: true,
      schema: tokenResponse,
    });
    this.http.addSecret(res.data.access_token);
    return { value: res.data.access_token, expiresInSeconds: res.data.expires_in };
  }
}
