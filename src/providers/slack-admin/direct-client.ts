import { stringify } from 'node:querystring';
import {
  type WebAPICallResult,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  WebClientEvent,
  type WebClientOptions,
} from '@slack/web-api';
import { headerValue, send } from '../../http/slack-transport.js';

/** Methods WebClient.apiCall treats specially (uploads, gzip answers, token rules, warnings): left to it. */
const WEB_CLIENT_ONLY = new Set([
  'files.uploadV2',
  'admin.analytics.getFile',
  'apps.event.authorizations.list',
  'chat.postEphemeral',
  'chat.postMessage',
  'chat.scheduleMessage',
]);

export interface DirectWebClientOptions extends WebClientOptions {
  /** Whether debug lines are wanted now; while they are, every call is WebClient's own (it logs each). */
  debugEnabled: () => boolean;
}

/** The form body WebClient.serializeBody makes (no binary values), or undefined when it would not make one. */
function formBody(args: Record<string, unknown>): string | undefined {
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    if (Buffer.isBuffer(value)) return undefined;
    fields[key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value);
  }
  return stringify(fields);
}

/** At most `max` calls in flight, the others waiting in order (WebClient's maxRequestConcurrency). */
class InFlight {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}

/** WebClient's parseRetryHeaders. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number.parseInt(header, 10);
  return Number.isNaN(seconds) ? undefined : seconds;
}

/**
 * A WebClient for a caller that retries and paces its calls itself (SlackApi: WebClient's retries
 * off, rate-limited calls rejected). Unless debug lines are wanted, a call is one POST on the shared
 * keep-alive pool (at most maxRequestConcurrency at once, as with WebClient's queue) that gives
 * exactly WebClient's result or error — WebAPIPlatformError for `ok:false`,
 * WebAPIRateLimitedError for a 429 with Retry-After, WebAPIHTTPError for another status,
 * WebAPIRequestError when no answer came (timeout included), the response's warnings to the logger
 * — without what WebClient.apiCall builds only for its debug lines (request body, headers and
 * result serialised and redacted on every call, whatever the level) and its retry wrapper. Any
 * other configuration, method or argument it does not cover is WebClient's own.
 */
export class DirectWebClient extends WebClient {
  private readonly direct:
    | {
        headers: Record<string, string>;
        timeoutMs: number;
        debugEnabled: () => boolean;
        inFlight: InFlight;
      }
    | undefined;
  private readonly warn: (...msg: unknown[]) => void;
  private readonly error: (...msg: unknown[]) => void;

  constructor(token: string, options: DirectWebClientOptions) {
    const { debugEnabled, ...webOptions } = options;
    super(token, webOptions);
    const logger = webOptions.logger;
    this.warn = (...m) => logger?.warn(...m);
    this.error = (...m) => logger?.error(...m);
    // WebClient's own headers (User-Agent, Accept, Authorization), so a call looks the same on the wire.
    const headers = (this as unknown as { defaultHeaders?: unknown }).defaultHeaders;
    const covered =
      webOptions.retryConfig?.retries === 0 &&
      webOptions.rejectRateLimitedCalls === true &&
      webOptions.allowAbsoluteUrls === false &&
      webOptions.teamId === undefined &&
      webOptions.headers === undefined &&
      logger !== undefined &&
      typeof headers === 'object' &&
      headers !== null;
    this.direct = covered
      ? {
          headers: {
            ...(headers as Record<string, string>),
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          timeoutMs: webOptions.timeout ?? 0,
          debugEnabled,
          inFlight: new InFlight(webOptions.maxRequestConcurrency ?? 100),
        }
      : undefined;
  }

  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    const direct = this.direct;
    const body =
      direct &&
      !direct.debugEnabled() &&
      !WEB_CLIENT_ONLY.has(method) &&
      !method.startsWith('oauth.access') &&
      typeof options === 'object' &&
      options !== null &&
      !('token' in options)
        ? formBody({ team_id: undefined, ...options }) // WebClient's order: team_id first, when given
        : undefined;
    if (!direct || body === undefined) return super.apiCall(method, options);
    const url = `${this.slackApiUrl}${method}`;
    let answer: Awaited<ReturnType<typeof send>>;
    try {
      const request = { headers: direct.headers, body, timeoutMs: direct.timeoutMs };
      answer = await direct.inFlight.run(() => send(new URL(url), request));
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.warn('http request failed', e.message);
      throw new WebAPIRequestError(e);
    }
    const { status, headers } = answer;
    const text = answer.body.toString('utf8');
    if (status === 429) {
      const retrySec = retryAfterSeconds(headerValue(headers, 'retry-after'));
      if (retrySec === undefined) {
        throw new Error(
          `Retry header did not contain a valid timeout (url: ${url}, retry-after header: ${headerValue(headers, 'retry-after')})`,
        );
      }
      this.emit(WebClientEvent.RATE_LIMITED, retrySec, { url, body: options });
      throw new WebAPIRateLimitedError(retrySec);
    }
    if (status !== 200) {
      const all = Object.fromEntries(Object.keys(headers).map((k) => [k, headerValue(headers, k) ?? '']));
      throw new WebAPIHTTPError(status, answer.statusText, all, text);
    }
    return this.result(text, headers);
  }

  /** WebClient.buildResult and the checks after it, for a JSON answer. */
  private result(text: string, headers: Parameters<typeof headerValue>[0]): WebAPICallResult {
    let data: WebAPICallResult & { error?: unknown };
    try {
      data = JSON.parse(text) as WebAPICallResult;
    } catch {
      data = { ok: false, error: text };
    }
    data.response_metadata ??= {};
    const meta = data.response_metadata;
    const scopes = headerValue(headers, 'x-oauth-scopes');
    if (scopes !== null) meta.scopes = scopes.trim().split(/\s*,\s*/);
    const accepted = headerValue(headers, 'x-accepted-oauth-scopes');
    if (accepted !== null) meta.acceptedScopes = accepted.trim().split(/\s*,\s*/);
    const retrySec = retryAfterSeconds(headerValue(headers, 'retry-after'));
    if (retrySec !== undefined) meta.retryAfter = retrySec;
    // As WebClient does it (forEach hands the logger the index and the list too).
    meta.warnings?.forEach((...w) => {
      this.warn(...w);
    });
    for (const message of meta.messages ?? []) {
      const error = /\[ERROR\](.*)/.exec(message);
      const warning = error ? null : /\[WARN\](.*)/.exec(message);
      if (error?.[1] !== undefined) this.error(error[1].trim());
      else if (warning?.[1] !== undefined) this.warn(warning[1].trim());
    }
    const gzip = headerValue(headers, 'content-type') === 'application/gzip';
    if ((!data.ok && !gzip) || ('ok' in data && data.ok === false)) {
      throw new WebAPIPlatformError(data as WebAPICallResult & { error: string });
    }
    return data;
  }
}
