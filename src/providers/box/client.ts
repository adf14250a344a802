import { z } from 'zod';
import type { Logger } from '../../log.js';
import { VendorHttp } from '../http.js';
import type { RetryPolicy } from '../retry.js';
import { BOX_QUIRKS } from './quirks.js';
import type { BoxConfig } from './settings.js';

export interface BoxDeps {
  logger: Logger;
  retryPolicy?: RetryPolicy | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  now?: (() => number) | undefined;
  timeoutMs?: number | undefined;
}

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
  private token: { value: string; expiresAt: number } | undefined;
  private fetching: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly config: BoxConfig,
    deps: BoxDeps,
  ) {
    this.now = deps.now ?? Date.now;
    const common = {
      system: 'box' as const,
      logger: deps.logger,
      secrets: [config.clientSecret],
      quirks: BOX_QUIRKS,
      retryPolicy: deps.retryPolicy,
      sleep: deps.sleep,
      timeoutMs: deps.timeoutMs,
    };
    this.tokenHttp = new VendorHttp({ ...common, baseUrl: config.tokenUrl });
    this.http = new VendorHttp({
      ...common,
      baseUrl: config.apiUrl,
      authorize: async () => ({ authorization: `Bearer ${await this.accessToken()}` }),
      onUnauthorized: async () => {
        this.token = undefined;
        await this.accessToken();
        return true;
      },
    });
  }

  /** https://developer.box.com/guides/authentication/client-credentials/ — POST /oauth2/token */
  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - EXPIRY_MARGIN_MS > this.now()) return this.token.value;
    this.fetching ??= this.tokenHttp
      .request({
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
      })
      .then((res) => {
        this.token = { value: res.data.access_token, expiresAt: this.now() + res.data.expires_in * 1000 };
        this.http.addSecret(res.data.access_token);
        return res.data.access_token;
      })
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }
}
