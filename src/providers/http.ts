import axios, { type AxiosAdapter, type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import type { SystemId } from '../config.js';
import { ErrorCode, RevokeError } from '../errors.js';
import { type Logger, logFields, Redactor } from '../log.js';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  RateGate,
  RetryBudgetExceeded,
  type RetryDecision,
  type RetryPolicy,
  reportVendorCall,
  withRetry,
} from './retry.js';

/** What a vendor's error body says, pulled out by the provider's parser. */
export interface VendorErrorInfo {
  vendorCode?: string | undefined;
  message?: string | undefined;
  requestId?: string | undefined;
}

/** The request as it goes on the wire, for signers (Huawei AK/SK) and auth hooks. */
export interface OutgoingRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  /** The exact body bytes sent ('' when none). */
  body: string;
}

export interface VendorHttpOptions {
  system: SystemId;
  /** Base URL; request paths are appended to it. */
  baseUrl: string;
  logger: Logger;
  /** Values to scrub from every error message and log line. */
  secrets: string[];
  parseError: (status: number, body: unknown, headers: Record<string, string>) => VendorErrorInfo;
  /** Adds authentication headers to a request about to be sent (called for every attempt). */
  authorize?: (request: OutgoingRequest) => Promise<Record<string, string>> | Record<string, string>;
  /** Called once on a 401; return true when credentials were refreshed and the call may be repeated. */
  onUnauthorized?: () => Promise<boolean>;
  /** Header that carries the vendor's request id on every response. */
  requestIdHeader?: string;
  timeoutMs?: number;
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  adapter?: AxiosAdapter;
}

export interface VendorRequest<S extends z.ZodType> {
  /** A short name for logs and errors, e.g. "terminate_sessions". */
  operation: string;
  method: OutgoingRequest['method'];
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  /** Safe to repeat when the outcome is unknown (timeouts, 500/502/504). */
  idempotent: boolean;
  /** Schema for the success body; `null` body (204 / empty) is passed as undefined. */
  schema: S;
  /** Status codes that count as success (default: any 2xx). */
  okStatus?: number[];
}

export interface VendorResponse<T> {
  status: number;
  data: T;
  requestId: string | undefined;
}

class HttpFailure extends Error {
  constructor(
    readonly kind: 'status' | 'network' | 'timeout',
    readonly status: number | undefined,
    readonly body: unknown,
    readonly headers: Record<string, string>,
    readonly networkCode?: string,
  ) {
    super(kind === 'status' ? `HTTP ${status}` : `${kind} ${networkCode ?? ''}`.trim());
  }
}

/** Network errors that mean the request never reached the server: always safe to retry. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function lowerHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The one HTTP policy for Box, Mattermost and Huawei Cloud: per-request timeout,
 * bounded retries with exponential backoff and jitter on 429 / 5xx / network
 * errors (Retry-After honoured), no blind retry of a non-idempotent call whose
 * outcome is unknown, every failure turned into one {@link RevokeError}, and
 * credentials scrubbed from everything it says.
 */
export class VendorHttp {
  private readonly axios: AxiosInstance;
  private readonly redactor: Redactor;
  private readonly policy: RetryPolicy;
  /** The vendor's limit is per account (Box per user, Mattermost per session/IP): a 429 holds every call. */
  private readonly gate = new RateGate();

  constructor(private readonly options: VendorHttpOptions) {
    this.redactor = new Redactor(options.secrets);
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.axios = axios.create({
      timeout: options.timeoutMs ?? 10_000,
      validateStatus: () => true,
      transformResponse: [(data: unknown) => data],
      transformRequest: [(data: unknown) => data],
      responseType: 'text',
      maxRedirects: 0,
      proxy: false,
      ...(options.adapter ? { adapter: options.adapter } : {}),
    });
  }

  /** Registers a credential obtained at run time (an access token) for redaction. */
  addSecret(secret: string): void {
    this.redactor.add([secret]);
  }

  /** Sends a request under the retry policy; resolves with the parsed body or throws {@link RevokeError}. */
  async request<S extends z.ZodType>(req: VendorRequest<S>): Promise<VendorResponse<z.infer<S>>> {
    let refreshed = false;
    const classify = (error: unknown): RetryDecision => {
      if (!(error instanceof HttpFailure)) return { retry: false };
      if (error.kind === 'network' && NOT_SENT.has(error.networkCode ?? '')) return { retry: true };
      if (error.kind !== 'status') return { retry: req.idempotent };
      const status = error.status ?? 0;
      // Retry-After, or Mattermost's X-Ratelimit-Reset (seconds until the window resets).
      if (status === 429) {
        return {
          retry: true,
          rateLimited: true,
          afterMs: parseRetryAfter(error.headers['retry-after'] ?? error.headers['x-ratelimit-reset']),
        };
      }
      if (status === 503) return { retry: true, afterMs: parseRetryAfter(error.headers['retry-after']) };
      if (status >= 500) return { retry: req.idempotent };
      if (status === 401 && this.options.onUnauthorized && !refreshed) {
        refreshed = true;
        return { retry: true, afterMs: 0 };
      }
      return { retry: false };
    };
    try {
      return await withRetry(
        async () => {
          if (refreshed && this.options.onUnauthorized) {
            const ok = await this.options.onUnauthorized();
            if (!ok) throw new HttpFailure('status', 401, undefined, {});
          }
          return this.once(req);
        },
        classify,
        this.policy,
        {
          sleep: this.options.sleep,
          gate: this.gate,
          onRetry: ({ attempt, delayMs, error }) => {
            reportVendorCall({ kind: 'retry', system: this.options.system });
            this.options.logger.warn(
              this.redactor.redact(
                `${this.options.system} ${req.operation} attempt ${attempt} failed (${(error as Error).message}); retrying in ${delayMs} ms`,
              ),
              logFields({ system: this.options.system }),
            );
          },
        },
      );
    } catch (error) {
      throw this.toRevokeError(req, error);
    }
  }

  private async once<S extends z.ZodType>(req: VendorRequest<S>): Promise<VendorResponse<z.infer<S>>> {
    const url = new URL(this.options.baseUrl.replace(/\/+$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) url.searchParams.append(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    let body = '';
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    } else if (req.form !== undefined) {
      body = new URLSearchParams(req.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const outgoing: OutgoingRequest = { method: req.method, url, headers, body };
    Object.assign(headers, await this.options.authorize?.(outgoing));

    let response: AxiosResponse<string>;
    const sentAt = performance.now();
    const attempt = (status: number | undefined) =>
      reportVendorCall({
        kind: 'attempt',
        system: this.options.system,
        durationMs: performance.now() - sentAt,
        status,
      });
    try {
      response = await this.axios.request<string>({
        method: req.method,
        url: url.toString(),
        headers,
        data: body === '' ? undefined : body,
        // A total deadline: axios's own timeout stops once headers arrive, so a trickling body would never end.
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      const timeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED';
      attempt(undefined);
      throw new HttpFailure(timeout ? 'timeout' : 'network', undefined, undefined, {}, code);
    }
    attempt(response.status);
    const resHeaders = lowerHeaders(response.headers);
    const parsedBody = parseBody(typeof response.data === 'string' ? response.data : '');
    const ok = req.okStatus
      ? req.okStatus.includes(response.status)
      : response.status >= 200 && response.status < 300;
    if (!ok) throw new HttpFailure('status', response.status, parsedBody, resHeaders);
    const requestId = this.options.requestIdHeader
      ? resHeaders[this.options.requestIdHeader.toLowerCase()]
      : undefined;
    const result = req.schema.safeParse(parsedBody);
    if (!result.success) {
      throw new RevokeError(
        `${this.label()} answered ${req.operation} in an unexpected shape (HTTP ${response.status}).`,
        {
          code: ErrorCode.MalformedResponse,
          system: this.options.system,
          status: response.status,
          requestId,
          retryable: false,
          hint: 'The vendor API may have changed, or a proxy answered instead of it.',
        },
      );
    }
    return { status: response.status, data: result.data, requestId };
  }

  private label(): string {
    const names: Record<SystemId, string> = {
      slack: 'Slack',
      box: 'Box',
      mattermost: 'Mattermost',
      huawei: 'Huawei Cloud',
    };
    return names[this.options.system];
  }

  private toRevokeError(req: VendorRequest<z.ZodType>, error: unknown): RevokeError {
    if (error instanceof RevokeError) return error;
    const exhausted = error instanceof RetryBudgetExceeded;
    const last = exhausted ? error.lastError : error;
    const system = this.options.system;
    const name = this.label();
    const after = exhausted ? ` after ${error.attempts} attempts` : '';
    if (!(last instanceof HttpFailure)) {
      if (last instanceof RevokeError) return last;
      return new RevokeError(`${name} ${req.operation} failed unexpectedly.`, {
        code: ErrorCode.Unknown,
        system,
        cause: last,
      });
    }
    if (last.kind !== 'status') {
      const unknown = !req.idempotent && !NOT_SENT.has(last.networkCode ?? '');
      return new RevokeError(
        unknown
          ? `${name} did not answer ${req.operation} (${last.kind}); it may or may not have taken effect, so it was not repeated blindly.`
          : `Could not reach ${name} for ${req.operation} (${last.kind}${last.networkCode ? ` ${last.networkCode}` : ''})${after}.`,
        {
          code: unknown ? ErrorCode.OutcomeUnknown : ErrorCode.VendorUnavailable,
          system,
          retryable: true,
          hint: unknown
            ? 'List the sessions to see whether they ended, then try again.'
            : 'Check the URL and connectivity.',
        },
      );
    }
    const status = last.status ?? 0;
    const info = this.options.parseError(status, last.body, last.headers);
    const requestId =
      info.requestId ??
      (this.options.requestIdHeader ? last.headers[this.options.requestIdHeader.toLowerCase()] : undefined);
    const vendorMessage = info.message ? this.redactor.redact(info.message).slice(0, 300) : undefined;
    const detail = vendorMessage ? `: ${vendorMessage}` : '';
    let code = ErrorCode.VendorRejected;
    let hint: string | undefined;
    let message = `${name} refused ${req.operation} (HTTP ${status})${detail}`;
    if (status === 401 || status === 403) {
      code = ErrorCode.VendorAuth;
      hint = `Check the ${name} credentials and their permissions.`;
      message = `${name} rejected our credentials for ${req.operation} (HTTP ${status})${detail}`;
    } else if (status === 429) {
      code = ErrorCode.RateLimited;
      hint = 'Wait a minute and try again.';
      message = `${name} kept rate-limiting ${req.operation}${after}${detail}`;
    } else if (status >= 500) {
      const unknown = !req.idempotent && status !== 503;
      code = unknown ? ErrorCode.OutcomeUnknown : ErrorCode.VendorUnavailable;
      hint = unknown
        ? 'List the sessions to see whether they ended, then try again.'
        : 'Try again in a moment.';
      message = `${name} had a server error on ${req.operation} (HTTP ${status})${after}${detail}`;
    }
    return new RevokeError(this.redactor.redact(message), {
      code,
      system,
      status,
      vendorCode: info.vendorCode,
      requestId,
      retryable: code !== ErrorCode.VendorRejected && code !== ErrorCode.VendorAuth,
      hint,
    });
  }
}
