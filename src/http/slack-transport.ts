import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { FetchFunction } from '@slack/web-api';

type FetchInit = Parameters<FetchFunction>[1];
type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/**
 * One keep-alive connection pool per process for every Slack Web API client — Bolt's, the app's,
 * the directory's and the admin token's — configured as Node's global agent is (idle sockets 5 s).
 */
const agents = {
  http: new HttpAgent({ keepAlive: true, timeout: 5_000 }),
  https: new HttpsAgent({ keepAlive: true, timeout: 5_000 }),
};

/** A whole HTTP answer (its body read). */
export interface RawAnswer {
  status: number;
  statusText: string;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A header's value as fetch's `Headers.get` gives it: repeated values joined, null when absent. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name.toLowerCase()];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
}

/** What an aborted fetch rejects with when AbortSignal.timeout fires (and so the same error text). */
function timeoutError(): Error {
  const error = new Error('The operation was aborted due to timeout');
  error.name = 'TimeoutError';
  return error;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange, body included (0 = none). */
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** Fail on a 3xx instead of returning it (fetch's `redirect: 'error'`). */
  noRedirect?: boolean;
}

/** One request on the shared pool; resolves with the whole answer, rejects when none came. */
export function send(url: URL, o: SendOptions = {}): Promise<RawAnswer> {
  const body = o.body ?? '';
  const signal = o.signal;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const https = url.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: o.method ?? 'POST',
      headers: { ...o.headers, 'Content-Length': String(Buffer.byteLength(body)) },
      agent: https ? agents.https : agents.http,
    });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = () => {
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: Error) => {
      if (settled) return;
      settle();
      reject(error);
    };
    const cutOff = (error: Error) => {
      fail(error);
      req.destroy();
    };
    const onAbort = () => cutOff(signal?.reason instanceof Error ? signal.reason : timeoutError());
    if (o.timeoutMs) timer = setTimeout(() => cutOff(timeoutError()), o.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (o.noRedirect && status >= 300 && status < 400) {
        cutOff(new Error(`redirect refused (HTTP ${status})`));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      // Cut off mid-body (reset, timeout, abort): no 'end', only 'close'.
      res.on('close', () => {
        if (!res.complete) fail(new Error('the connection closed before the whole answer arrived'));
      });
      res.on('end', () => {
        if (settled) return;
        settle();
        const whole = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        resolve({ status, statusText: res.statusMessage ?? '', headers: res.headers, body: whole });
      });
    });
    req.end(body);
  });
}

/** The parts of a fetch Response the WebClient reads. */
function toResponse(url: string, answer: RawAnswer): FetchResponse {
  const { status, headers, body } = answer;
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: answer.statusText,
    url,
    headers: {
      get: (name) => headerValue(headers, name),
      entries: () => Object.keys(headers).map((k): [string, string] => [k, headerValue(headers, k) ?? '']),
    },
    text: async () => body.toString('utf8'),
    json: async () => JSON.parse(body.toString('utf8')) as unknown,
    arrayBuffer: async () =>
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
  };
}

/**
 * The `fetch` option of the Slack Web API clients: Web API calls (URLs under `apiUrl`, string
 * bodies) go over node:http(s) on the shared keep-alive pool, without the WHATWG Request, Headers
 * and stream objects (and undici's timers) Node's fetch builds for every call; anything else —
 * file uploads, Bolt's `respond()` to a response_url — goes to the global fetch, as without it.
 */
export function webApiFetch(apiUrl: string): FetchFunction {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  return async (url, init?: FetchInit) => {
    const href = typeof url === 'string' ? url : url.href;
    const body = init?.body;
    if (!href.startsWith(base) || (body !== undefined && typeof body !== 'string')) {
      return (await globalThis.fetch(url, init as RequestInit)) as FetchResponse;
    }
    const answer = await send(new URL(href), {
      method: init?.method ?? 'GET',
      headers: init?.headers,
      body,
      signal: init?.signal,
      noRedirect: init?.redirect === 'error',
    });
    return toResponse(href, answer);
  };
}
