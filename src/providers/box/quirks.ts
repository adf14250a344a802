import { retryAfterWaitMs, type VendorErrorInfo, type VendorQuirks } from '../quirks.js';
import { standardWording } from '../wording.js';

/** Box error bodies: `{type:"error", status, code, message, request_id}`; OAuth errors: `{error, error_description}`. */
export function parseBoxError(_status: number, body: unknown): VendorErrorInfo {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      vendorCode: str(b.code) ?? str(b.error),
      message: str(b.message) ?? str(b.error_description),
      requestId: str(b.request_id),
    };
  }
  return { message: typeof body === 'string' ? body.slice(0, 200) : undefined };
}

/** Box: `Retry-After` on 429 (https://developer.box.com/guides/api-calls/permissions-and-errors/rate-limits/), `box-request-id`. */
export const BOX_QUIRKS: VendorQuirks = {
  label: 'Box',
  parseError: parseBoxError,
  rateLimitWaitMs: retryAfterWaitMs,
  requestIdHeader: 'box-request-id',
  wording: standardWording('Box'),
};
