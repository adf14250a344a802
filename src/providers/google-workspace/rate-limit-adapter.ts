import axios, { type AxiosAdapter } from 'axios';

/**
 * The reasons with which Google answers 403 where it means "slow down": it asks for exponential
 * backoff on these as on a 429 (https://developers.google.com/workspace/admin/directory/v1/limits).
 */
export const GOOGLE_RATE_LIMIT_REASONS: ReadonlySet<string> = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'quotaExceeded',
]);

/** True for a Google error body whose reasons include a rate limit. */
export function isRateLimitBody(text: unknown): boolean {
  if (typeof text !== 'string' || !text.includes('Exceeded')) return false;
  try {
    const body = JSON.parse(text) as { error?: { errors?: { reason?: unknown }[] } };
    return (body.error?.errors ?? []).some(
      (e) => typeof e.reason === 'string' && GOOGLE_RATE_LIMIT_REASONS.has(e.reason),
    );
  } catch {
    return false;
  }
}

/**
 * The HTTP transport for Google calls: Node's own axios adapter, with a 403 whose reason is a rate
 * limit handed on as the 429 it means. The shared layer then backs off, holds the other calls and
 * honours a `Retry-After` exactly as for any 429, instead of reporting a permission problem.
 */
export function googleAdapter(base: AxiosAdapter = axios.getAdapter('http')): AxiosAdapter {
  return async (config) => {
    const response = await base(config);
    if (response.status !== 403 || !isRateLimitBody(response.data)) return response;
    return { ...response, status: 429, statusText: 'Too Many Requests (Google 403 rate limit)' };
  };
}
