import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'SDK-HMAC-SHA256';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SignInput {
  method: string;
  url: URL;
  /** Headers already on the request; all of them are signed (as the official Node.js SDK does). */
  headers: Record<string, string>;
  /** The exact body bytes that will be sent ('' for none). */
  body: string;
  accessKey: string;
  secretKey: string;
  securityToken?: string | undefined;
  now: Date;
}

/** RFC 3986 percent-encoding of everything but the unreserved characters (A-Z a-z 0-9 - _ . ~), UTF-8. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function sdkDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** Each path segment encoded, and always a trailing slash. */
export function canonicalUri(pathname: string): string {
  const path = pathname
    .split('/')
    .map((segment) => percentEncode(decodeURIComponent(segment)))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

/** Keys sorted; each value encoded; several values of a key sorted; joined with `&`. */
export function canonicalQuery(params: URLSearchParams): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of params) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  return [...byKey.keys()]
    .sort()
    .flatMap((k) => (byKey.get(k) ?? []).sort().map((v) => `${percentEncode(k)}=${percentEncode(v)}`))
    .join('&');
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Signs a request with Huawei Cloud AK/SK (`SDK-HMAC-SHA256`): adds X-Sdk-Date,
 * host and (for temporary credentials) X-Security-Token, signs every header,
 * and returns the headers to send, including Authorization. The secret key
 * is only ever used as the HMAC key.
 */
export function signRequest(input: SignInput): Record<string, string> {
  const added: Record<string, string> = { 'X-Sdk-Date': sdkDate(input.now), host: input.url.host };
  if (input.securityToken) added['X-Security-Token'] = input.securityToken;
  const all: Record<string, string> = { ...input.headers, ...added };
  const names = Object.keys(all).sort((a, b) =>
    a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0,
  );
  const signedHeaders = names.map((n) => n.toLowerCase()).join(';');
  const canonicalHeaders = names.map((n) => `${n.toLowerCase()}:${all[n]}\n`).join('');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(input.url.pathname),
    canonicalQuery(input.url.searchParams),
    canonicalHeaders,
    signedHeaders,
    input.body === '' ? EMPTY_SHA256 : sha256(input.body),
  ].join('\n');
  const stringToSign = [ALGORITHM, added['X-Sdk-Date'], sha256(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', input.secretKey).update(stringToSign, 'utf8').digest('hex');
  return {
    ...added,
    Authorization: `${ALGORITHM} Access=${input.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** Recomputes a received request's signature from its own SignedHeaders list (for verifiers and tests). */
export function verifySignature(
  req: { method: string; url: URL; headers: Record<string, string | undefined>; body: string },
  keys: Record<string, string>,
): { ok: boolean; reason?: string } {
  const m = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    req.headers.authorization ?? '',
  );
  if (!m?.[1] || !m[2] || !m[3]) return { ok: false, reason: 'missing or malformed Authorization' };
  const secret = keys[m[1]];
  if (!secret) return { ok: false, reason: 'unknown access key' };
  const date = req.headers['x-sdk-date'];
  if (!date) return { ok: false, reason: 'missing X-Sdk-Date' };
  const names = m[2].split(';');
  if (!names.includes('x-sdk-date')) return { ok: false, reason: 'X-Sdk-Date not signed' };
  const canonicalHeaders = names.map((n) => `${n}:${req.headers[n] ?? ''}\n`).join('');
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri(req.url.pathname),
    canonicalQuery(req.url.searchParams),
    canonicalHeaders,
    m[2],
    req.body === '' ? EMPTY_SHA256 : sha256(req.body),
  ].join('\n');
  const expected = createHmac('sha256', secret)
    .update([ALGORITHM, date, sha256(canonicalRequest)].join('\n'), 'utf8')
    .digest('hex');
  return expected === m[3] ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}
