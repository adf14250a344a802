import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Huawei Cloud AK/SK request signing (`SDK-HMAC-SHA256`), as the official v3
 * SDKs implement it. Unlike AWS SigV4 there is no derived key: the SK is the
 * HMAC key. Algorithm: https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-002.html
 */
export const ALGORITHM = 'SDK-HMAC-SHA256';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CONTENT_SHA256 = 'x-sdk-content-sha256';

/** An AK/SK pair, with the security token of temporary credentials. */
export interface AkSkCredentials {
  accessKey: string;
  secretKey: string;
  securityToken?: string | undefined;
}

/** The request exactly as it goes on the wire (VendorHttp's `OutgoingRequest` fits). */
export interface SignableRequest {
  method: string;
  url: URL;
  /** Headers already on the request; all of them are signed, as the official Node.js SDK does. */
  headers: Record<string, string>;
  /** The exact body that will be sent ('' for none). */
  body: string;
}

/** The headers to add to the request: `X-Sdk-Date`, `host`, `X-Security-Token`? and `Authorization`. */
export type SignatureHeaders = Record<string, string>;

/** RFC 3986 percent-encoding of UTF-8: only A-Z a-z 0-9 - _ . ~ stay as they are (space → %20). */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function sdkDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** Parses `YYYYMMDDTHHMMSSZ` back to epoch milliseconds; undefined when malformed. */
export function parseSdkDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Each path segment decoded then percent-encoded, and a trailing `/` always
 * appended (`/v1/x` → `/v1/x/`). Decoding first is what the Go and Python
 * signers and the gateway do; for the unreserved IDs this API uses it equals
 * the Node.js SDK (which encodes the already-encoded path again).
 */
export function canonicalUri(pathname: string): string {
  const path = pathname
    .split('/')
    .map((segment) => percentEncode(decodeSegment(segment)))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

/** Keys sorted (raw, by UTF-16 code unit, as the SDK does); several values of a key sorted; each pair encoded. */
export function canonicalQuery(params: URLSearchParams): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of params) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  return [...byKey.keys()]
    .sort()
    .flatMap((k) => (byKey.get(k) ?? []).sort().map((v) => `${percentEncode(k)}=${percentEncode(v)}`))
    .join('&');
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Builds the canonical request from lower-cased header names → values and the names to sign. */
export function canonicalRequest(
  request: { method: string; url: URL; body: string },
  headers: Record<string, string | undefined>,
  signedHeaders: string[],
): string {
  const canonicalHeaders = signedHeaders.map((n) => `${n}:${(headers[n] ?? '').trim()}\n`).join('');
  const payloadHash =
    headers[CONTENT_SHA256] ?? (request.body === '' ? EMPTY_SHA256 : sha256Hex(request.body));
  return [
    request.method.toUpperCase(),
    canonicalUri(request.url.pathname),
    canonicalQuery(request.url.searchParams),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/** `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical request>`. */
export function stringToSign(date: string, canonical: string): string {
  return [ALGORITHM, date, sha256Hex(canonical)].join('\n');
}

/** Hex HMAC-SHA256 of the string to sign, keyed with the SK. */
export function signature(secretKey: string, toSign: string): string {
  return createHmac('sha256', secretKey).update(toSign, 'utf8').digest('hex');
}

/**
 * Signs a request: adds `X-Sdk-Date` (from the injectable clock), `host` and,
 * for temporary credentials, `X-Security-Token` — which is signed, like every
 * other header, as in the official Node.js SDK (BaseCredentials.addAuthHeaders
 * adds it before AKSKSigner.sign runs) — and returns those headers with
 * `Authorization`. The SK is used only as the HMAC key and is never returned.
 */
export function signRequest(
  request: SignableRequest,
  credentials: AkSkCredentials,
  now: () => number = Date.now,
): SignatureHeaders {
  const added: SignatureHeaders = { 'X-Sdk-Date': sdkDate(now()), host: request.url.host };
  if (credentials.securityToken) added['X-Security-Token'] = credentials.securityToken;
  // Lower-cased; a header we add replaces a same-named one already on the request, whatever its case.
  const lower: Record<string, string> = {};
  for (const [name, value] of [...Object.entries(request.headers), ...Object.entries(added)])
    lower[name.toLowerCase()] = value;
  const signed = Object.keys(lower).sort(byName);
  const toSign = stringToSign(added['X-Sdk-Date'] ?? '', canonicalRequest(request, lower, signed));
  return {
    ...added,
    Authorization: `${ALGORITHM} Access=${credentials.accessKey}, SignedHeaders=${signed.join(';')}, Signature=${signature(credentials.secretKey, toSign)}`,
  };
}

/** Why a received request's signature was refused (a verifier's view, for fakes and tests). */
export type VerifyResult =
  | { ok: true; accessKey: string; signedHeaders: string[] }
  | { ok: false; reason: string };

const AUTH_RE = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/**
 * Recomputes a received request's signature over the SignedHeaders list its
 * Authorization header names (SDKs differ in which headers they sign), with
 * the gateway's rules: X-Sdk-Date must be signed and, when `now` is given,
 * within `maxSkewMs` (15 minutes) of it.
 */
export function verifySignature(
  req: { method: string; url: URL; headers: Record<string, string | undefined>; body: string },
  secretFor: (accessKey: string) => string | undefined,
  opts: { now?: number; maxSkewMs?: number } = {},
): VerifyResult {
  const m = AUTH_RE.exec(req.headers.authorization ?? '');
  if (!m?.[1] || !m[2] || !m[3]) return { ok: false, reason: 'missing or malformed Authorization header' };
  const secret = secretFor(m[1]);
  if (secret === undefined) return { ok: false, reason: 'unknown access key' };
  const date = req.headers['x-sdk-date'];
  const signed = m[2].split(';');
  if (!date || !signed.includes('x-sdk-date'))
    return { ok: false, reason: 'X-Sdk-Date missing or not signed' };
  const at = parseSdkDate(date);
  if (at === undefined) return { ok: false, reason: 'malformed X-Sdk-Date' };
  if (opts.now !== undefined && Math.abs(opts.now - at) > (opts.maxSkewMs ?? 15 * 60_000))
    return { ok: false, reason: 'X-Sdk-Date is more than 15 minutes from the server time' };
  if (signed.some((n) => n !== n.toLowerCase()) || signed.join(';') !== [...signed].sort(byName).join(';'))
    return { ok: false, reason: 'SignedHeaders not lower-case and sorted' };
  const expected = signature(secret, stringToSign(date, canonicalRequest(req, req.headers, signed)));
  const ok = timingSafeEqual(Buffer.from(expected), Buffer.from(m[3]));
  return ok
    ? { ok: true, accessKey: m[1], signedHeaders: signed }
    : { ok: false, reason: 'verify aksk signature fail' };
}
