import { type WebAPICallResult, type WebClient, ErrorCode as WebErrorCode } from '@slack/web-api';
import type { z } from 'zod';
import { ErrorCode, RevokeError } from '../../errors.js';
import { webApiFetch } from '../../http/slack-transport.js';
import type { Logger } from '../../log.js';
import { Budgets } from '../budget/index.js';
import {
  DEFAULT_RETRY_POLICY,
  RetryBudgetExceeded,
  type RetryDecision,
  type RetryPolicy,
  reportVendorCall,
  withRetry,
} from '../retry.js';
import { DirectWebClient } from './direct-client.js';
import { describeSlackError } from './errors.js';

export interface SlackApiOptions {
  apiUrl: string;
  logger: Logger;
  /** Which variable holds the token, so error sentences can name it. */
  tokenVar: 'SLACK_ADMIN_TOKEN' | 'SLACK_BOT_TOKEN';
  retryPolicy?: RetryPolicy;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The process's vendor budgets (one per Slack method); without them, this client keeps its own. */
  budgets?: Budgets | undefined;
}

interface CodedWebError {
  code?: string;
  data?: { error?: string; needed?: string };
  retryAfter?: number;
  statusCode?: number;
}

function classify(error: unknown): RetryDecision {
  const e = error as CodedWebError;
  switch (e.code) {
    case WebErrorCode.RateLimitedError:
      return { retry: true, rateLimited: true, afterMs: (e.retryAfter ?? 1) * 1000 };
    case WebErrorCode.HTTPError:
      return { retry: (e.statusCode ?? 0) >= 500 };
    case WebErrorCode.RequestError:
      // Every Slack method we call is idempotent (a second reset / invalidate is harmless).
      return { retry: true };
    case WebErrorCode.PlatformError:
      return {
        retry: ['internal_error', 'fatal_error', 'service_unavailable'].includes(e.data?.error ?? ''),
      };
    default:
      return { retry: false };
  }
}

/**
 * A Slack Web API client for one token with the project's retry policy
 * (Retry-After honoured, bounded total), typed responses (zod) and coded,
 * secret-free errors. The WebClient's own retries are off so the budget is ours.
 */
export class SlackApi {
  readonly web: WebClient;
  private readonly policy: RetryPolicy;
  /** Slack limits each method separately (its tier): one budget per method; a 429 holds that method only. */
  private readonly budgets: Budgets;

  constructor(
    token: string,
    private readonly options: SlackApiOptions,
  ) {
    this.policy = options.retryPolicy ?? { ...DEFAULT_RETRY_POLICY, maxTotalMs: 90_000 };
    this.budgets = options.budgets ?? new Budgets();
    // Our logger's level: while it is debug, calls go through WebClient's own path (which logs each).
    const level = (options.logger as { getLevel?: () => string }).getLevel;
    this.web = new DirectWebClient(token, {
      debugEnabled: () => typeof level !== 'function' || level.call(options.logger) === 'debug',
      slackApiUrl: options.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 10_000,
      allowAbsoluteUrls: false,
      fetch: webApiFetch(options.apiUrl),
      logger: {
        debug: (...m: unknown[]) => options.logger.debug(...m),
        info: (...m: unknown[]) => options.logger.debug(...m),
        warn: (...m: unknown[]) => options.logger.warn(...m),
        error: (...m: unknown[]) => options.logger.error(...m),
        setLevel: () => {},
        getLevel: () => 'debug' as never,
        setName: () => {},
      },
    });
  }

  /** Calls a method and parses the response with `schema`; throws {@link RevokeError}. */
  async call<S extends z.ZodType>(
    method: string,
    args: Record<string, unknown>,
    schema: S,
  ): Promise<z.infer<S>> {
    let result: WebAPICallResult;
    try {
      const gate = this.budgets.for('slack', method);
      result = await withRetry(() => this.attempt(method, args), classify, this.policy, {
        sleep: this.options.sleep,
        gate,
        onRetry: ({ attempt, delayMs, error }) => {
          reportVendorCall({ kind: 'retry', system: 'slack' });
          this.options.logger.warn(
            `slack ${method} attempt ${attempt} failed (${describe(error)}); retrying in ${delayMs} ms`,
          );
        },
      });
    } catch (error) {
      throw this.toRevokeError(method, error);
    }
    const parsed = schema.safeParse(result);
    if (!parsed.success) {
      throw new RevokeError(`Slack ${method} answered in an unexpected shape`, {
        code: ErrorCode.MalformedResponse,
        system: 'slack',
        retryable: false,
        hint: 'Slack may have changed this method; report it with the time of the call.',
      });
    }
    return parsed.data;
  }

  /** One call on the wire, told to the vendor-call listeners (metrics) with its latency and HTTP status. */
  private async attempt(method: string, args: Record<string, unknown>): Promise<WebAPICallResult> {
    const sentAt = performance.now();
    const report = (status: number | undefined) =>
      reportVendorCall({ kind: 'attempt', system: 'slack', durationMs: performance.now() - sentAt, status });
    try {
      const result = await this.web.apiCall(method, args);
      report(200);
      return result;
    } catch (error) {
      report(httpStatusOf(error));
      throw error;
    }
  }

  private toRevokeError(method: string, error: unknown): RevokeError {
    const exhausted = error instanceof RetryBudgetExceeded;
    const last = (exhausted ? error.lastError : error) as CodedWebError;
    if (last.code === WebErrorCode.PlatformError || last.code === WebErrorCode.RateLimitedError) {
      const vendorCode =
        last.code === WebErrorCode.RateLimitedError ? 'ratelimited' : (last.data?.error ?? 'unknown');
      const info = describeSlackError(vendorCode, last.data?.needed);
      const sentence = info.sentence.replaceAll('SLACK_ADMIN_TOKEN', this.options.tokenVar);
      return new RevokeError(sentence, {
        code: info.code,
        system: 'slack',
        vendorCode,
        retryable: info.retryable,
        hint: `Slack ${method} → ${vendorCode}`,
      });
    }
    if (last.code === WebErrorCode.HTTPError) {
      return new RevokeError(
        `Slack answered HTTP ${last.statusCode ?? '?'} to ${method}${exhausted ? ' after retries' : ''}.`,
        {
          code: ErrorCode.VendorUnavailable,
          system: 'slack',
          status: last.statusCode,
          retryable: true,
        },
      );
    }
    if (last.code === WebErrorCode.RequestError) {
      return new RevokeError(
        `Could not reach Slack for ${method}${exhausted ? ' after retries' : ''}: network error or timeout.`,
        {
          code: ErrorCode.VendorUnavailable,
          system: 'slack',
          retryable: true,
          hint: 'Check connectivity to SLACK_API_URL.',
        },
      );
    }
    return new RevokeError(`Slack ${method} failed unexpectedly.`, {
      code: ErrorCode.Unknown,
      system: 'slack',
    });
  }
}

/** The HTTP status behind a Web API error: `ok:false` comes with 200; no status when no answer came. */
function httpStatusOf(error: unknown): number | undefined {
  const e = error as CodedWebError;
  switch (e.code) {
    case WebErrorCode.RateLimitedError:
      return 429;
    case WebErrorCode.HTTPError:
      return e.statusCode;
    case WebErrorCode.PlatformError:
      return 200;
    default:
      return undefined;
  }
}

function describe(error: unknown): string {
  const e = error as CodedWebError;
  return e.data?.error ?? (e.statusCode ? `HTTP ${e.statusCode}` : (e.code ?? 'error'));
}
