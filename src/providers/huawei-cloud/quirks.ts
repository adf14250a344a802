import { retryAfterWaitMs, type VendorErrorInfo, type VendorQuirks } from '../quirks.js';
import { standardWording } from '../wording.js';

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Reads a Huawei error body as the official SDKs do: `error_code`/`error_msg`,
 * else `errorCode`/`errorMsg`, else `code`/`message`, looking one level into
 * nested objects; gateway errors carry `APIGW.*` codes in the same fields.
 * The request id falls back to the `X-Request-Id` header.
 */
export function parseHuaweiError(
  _status: number,
  body: unknown,
  headers: Record<string, string> = {},
): VendorErrorInfo {
  const headerId = str(headers['x-request-id']);
  if (typeof body === 'string') return { message: body.slice(0, 200), requestId: headerId };
  if (!body || typeof body !== 'object') return { requestId: headerId };
  const read = (b: Record<string, unknown>): VendorErrorInfo => ({
    vendorCode: str(b.error_code) ?? str(b.errorCode) ?? str(b.code),
    message: str(b.error_msg) ?? str(b.errorMsg) ?? str(b.message),
    requestId: str(b.request_id) ?? str(b.requestId),
  });
  const top = body as Record<string, unknown>;
  const own = read(top);
  const nested = Object.values(top).find((v): v is Record<string, unknown> => !!v && typeof v === 'object');
  const inner = nested ? read(nested) : undefined;
  const info =
    own.vendorCode || own.message || !inner ? own : { ...inner, requestId: own.requestId ?? inner.requestId };
  if (str(top.encoded_authorization_message) && info.message) {
    info.message = `${info.message} (Huawei Cloud also returned an encoded authorization message with the details)`;
  }
  return { ...info, requestId: info.requestId ?? headerId };
}

/** Huawei Cloud's API gateway: `Retry-After` on 429 when it sends one, `X-Request-Id` on every answer. */
export const HUAWEI_QUIRKS: VendorQuirks = {
  label: 'Huawei Cloud',
  parseError: parseHuaweiError,
  rateLimitWaitMs: retryAfterWaitMs,
  requestIdHeader: 'x-request-id',
  wording: standardWording('Huawei Cloud'),
};
