import axios, { type AxiosAdapter, type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import type { SystemId } from '../catalog.js';
import { ErrorCode, RevokeError } from '../errors.js';
import { type Logger, logFields, Redactor } from '../log.js';
import { Budgets } from './budget/index.js';
import { HttpFailure, NOT_SENT, toRevokeError } from './http-errors.js';
import type { FailureFacts, VendorQuirks } from './quirks.js';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryDecision,
  type RetryPolicy,
  reportVendorCall,
  withRetry,
} from './retry.js';

export type { VendorErrorInfo } from './quirks.js';

/** The request as it goes on the wire, for signers (AK/SK) and auth hooks. */
export interface OutgoingRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  /** The exact body bytes sent ('' when none). */
  body: string;
}

/** What every vendor client gets from its provider's factory (the composition root's policy). */
export interface ClientDeps {
  logger: Logger;
  retryPolicy?: RetryPolicy | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Per-request timeout in ms. */
  timeoutMs?: number | undefined;
  /** The process's vendor budgets (see {@link Budgets}). */
  budgets?: Budgets | undefined;
  /** The clock (epoch ms) for tokens and signatures. */
  now?: (() => number) | undefined;
}

export interface VendorHttpOptions {
  system: SystemId;
  /** Base URL; request paths are appended to it. */
  baseUrl: string;
  logger: Logger;
  /** Values to scrub from every error message and log line. */
  secrets: string[];
  /** The vendor's own error body, rate-limit headers, request-id header and wording (its descriptor's). */
  quirks: VendorQuirks;
  /** Adds authentication headers to a request about to be sent (called for every attempt). */
  authorize?: (request: OutgoingRequest) => Promise<Record<string, string>> | Record<string, string>;
  /** Called once on a 401; return true when credentials were refreshed and the call may be repeated. */
  onUnauthorized?: () => Promise<boolean>;
  timeoutMs?: number;
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  adapter?: AxiosAdapter;
  /** The process's vendor budgets; without them, this client keeps a budget of its own (429s only). */
  budgets?: Budgets | undefined;
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
 * The one HTTP policy for every system on plain HTTP: per-request timeout,
 * bounded retries with exponential backoff and jitter on 429 / 5xx / network
 * errors (Retry-After honoured), no blind retry of a non-idempotent call whose
 * outcome is unknown, every failure turned into one {@link RevokeError}, and
 * credentials scrubbed from everything it says. What differs per vendor (error bodies,
 * rate-limit headers, request ids, sentences) comes from its {@link VendorQuirks}.
 */
export class VendorHttp {
  private readonly axios: AxiosInstance;
  private readonly redactor: Redactor;
  private readonly policy: RetryPolicy;
  /** A vendor's limit is per account (its user, session or IP): a 429 holds every call. */
  private readonly budgets: Budgets;

  constructor(private readonly options: VendorHttpOptions) {
    this.redactor = new Redactor(options.secrets);
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.budgets = options.budgets ?? new Budgets();
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
      // How long to wait is the vendor's own header (its quirks).
      if (status === 429) {
        return {
          retry: true,
          rateLimited: true,
          afterMs: this.options.quirks.rateLimitWaitMs(error.headers),
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
          gate: this.budgets.for(this.options.system, req.operation),
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
    const requestId = this.requestIdOf(resHeaders);
    const result = req.schema.safeParse(parsedBody);
    if (!result.success) {
      const { message, hint } = this.describe({
        kind: 'malformed',
        operation: req.operation,
        status: response.status,
        detail: '',
        after: '',
        outcomeUnknown: false,
      });
      throw new RevokeError(message, {
        code: ErrorCode.MalformedResponse,
        system: this.options.system,
        status: response.status,
        requestId,
        retryable: false,
        hint,
      });
    }
    return { status: response.status, data: result.data, requestId };
  }

  private requestIdOf(headers: Record<string, string>): string | undefined {
    const name = this.options.quirks.requestIdHeader;
    return name ? headers[name.toLowerCase()] : undefined;
  }

  private toRevokeError(req: VendorRequest<z.ZodType>, error: unknown): RevokeError {
    return toRevokeError(error, {
      system: this.options.system,
      operation: req.operation,
      idempotent: req.idempotent,
      quirks: this.options.quirks,
      redactor: this.redactor,
    });
  }

  private describe(facts: FailureFacts): { message: string; hint?: string | undefined } {
    return this.options.quirks.wording.describe(facts);
  }
}

/**
 * A vendor's HTTP client from what every provider has: its deps (logger, retry policy, clock,
 * budgets, timeout) and what is its own (base URL, secrets, quirks, authentication).
 */
export function createVendorHttp(
  deps: ClientDeps,
  own: Pick<VendorHttpOptions, 'system' | 'baseUrl' | 'secrets' | 'quirks'> &
    Partial<Pick<VendorHttpOptions, 'authorize' | 'onUnauthorized' | 'adapter'>>,
): VendorHttp {
  return new VendorHttp({
    ...own,
    logger: deps.logger,
    retryPolicy: deps.retryPolicy,
    sleep: deps.sleep,
    budgets: deps.budgets,
    timeoutMs: deps.timeoutMs,
  });
}
