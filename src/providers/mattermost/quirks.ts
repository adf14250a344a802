import type { VendorErrorInfo, VendorQuirks } from '../quirks.js';
import { parseRetryAfter } from '../retry.js';
import { standardWording } from '../wording.js';

/** Mattermost errors: `{id, message, status_code, request_id}`; a 429 body is plain text. */
export function parseMattermostError(_status: number, body: unknown): VendorErrorInfo {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { vendorCode: str(b.id), message: str(b.message), requestId: str(b.request_id) };
  }
  return { message: typeof body === 'string' ? body.trim().slice(0, 200) : undefined };
}

/**
 * Mattermost's rate limiter answers 429 with `X-Ratelimit-Reset` (seconds until the window
 * resets) and may send no `Retry-After`: https://docs.mattermost.com/configure/rate-limiting-configuration-settings.html
 */
export const MATTERMOST_QUIRKS: VendorQuirks = {
  label: 'Mattermost',
  parseError: parseMattermostError,
  rateLimitWaitMs: (headers) => parseRetryAfter(headers['retry-after'] ?? headers['x-ratelimit-reset']),
  requestIdHeader: 'x-request-id',
  wording: standardWording('Mattermost'),
};
