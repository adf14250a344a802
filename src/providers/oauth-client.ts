import { z } from 'zod';
import type { SystemId } from '../catalog.js';
import { type ClientDeps, createVendorHttp, type VendorHttp } from './http.js';
import type { VendorQuirks } from './quirks.js';
import { TokenCache } from './token-cache.js';

const tokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });

/** Refresh this long before the vendor says the token expires. */
const EXPIRY_MARGIN_MS = 60_000;

export interface OAuthClientOptions {
  system: SystemId;
  quirks: VendorQuirks;
  /** The credentials to scrub from every error and log line (the issued tokens are added as they come). */
  secrets: string[];
  tokenUrl: string;
  apiUrl: string;
  /** The token request's form: client credentials, or a freshly signed assertion (see `addSecret`). */
  form: (client: OAuthClient) => Promise<Record<string, string>> | Record<string, string>;
  /** The token request's operation name in logs and errors (default `token`). */
  operation?: string;
  /** A refused token request as the error the operator should see (default: as it came). */
  tokenError?: (error: unknown) => unknown;
  adapter?: VendorHttpAdapter;
}

type VendorHttpAdapter = NonNullable<Parameters<typeof createVendorHttp>[1]['adapter']>;

/**
 * An API reached with an OAuth access token from the vendor's token endpoint — the client
 * credentials grant (Box, Entra ID) or a signed assertion (Google Workspace): one token cached until
 * shortly before it expires, shared by concurrent callers, fetched again once on a 401. The token
 * request goes through the same {@link VendorHttp} as every vendor call (retry policy, timeout,
 * budgets, redaction), and every token and assertion is scrubbed from errors and logs.
 */
export class OAuthClient {
  readonly http: VendorHttp;
  private readonly tokenHttp: VendorHttp;
  private readonly token: TokenCache;

  constructor(
    private readonly options: OAuthClientOptions,
    deps: ClientDeps,
  ) {
    this.token = new TokenCache(() => this.issue(), deps.now ?? Date.now, EXPIRY_MARGIN_MS);
    const own = {
      system: options.system,
      secrets: options.secrets,
      quirks: options.quirks,
      ...(options.adapter ? { adapter: options.adapter } : {}),
    };
    this.tokenHttp = createVendorHttp(deps, { ...own, baseUrl: options.tokenUrl });
    this.http = createVendorHttp(deps, { ...own, baseUrl: options.apiUrl, ...this.token.bearer() });
  }

  /** The current access token (cached; see {@link TokenCache}). */
  accessToken(): Promise<string> {
    return this.token.get();
  }

  /** A value never to show (a signed assertion, an issued token). */
  addSecret(value: string): void {
    this.http.addSecret(value);
    this.tokenHttp.addSecret(value);
  }

  private async issue(): Promise<{ value: string; expiresInSeconds: number }> {
    const form = await this.options.form(this);
    try {
      const res = await this.tokenHttp.request({
        operation: this.options.operation ?? 'token',
        method: 'POST',
        path: '',
        form,
        idempotent: true,
        schema: tokenResponse,
      });
      this.addSecret(res.data.access_token);
      return { value: res.data.access_token, expiresInSeconds: res.data.expires_in };
    } catch (error) {
      throw this.options.tokenError ? this.options.tokenError(error) : error;
    }
  }
}
