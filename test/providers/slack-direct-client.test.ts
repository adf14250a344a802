import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webApiFetch } from '../../src/http/slack-transport.js';
import { DirectWebClient } from '../../src/providers/slack-admin/direct-client.js';
import { SECRETS } from '../helpers/harness.js';

/** The suite's fake admin token (the whole-run secrets scan knows it). */
const TOKEN = SECRETS.admin;

/** What the test server answers next (per request), and what it received. */
interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
  /** Drop the connection without an answer. */
  drop?: boolean;
}
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The header lines as sent (names in their case, values as written), sorted: order aside, the bytes. */
  rawHeaders: string[];
  body: string;
}

let server: Server;
let base = '';
let answer: Answer = {};
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = req.rawHeaders.flatMap((v, i) => (i % 2 ? [] : [`${v}: ${req.rawHeaders[i + 1]}`]));
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: raw.sort(),
        body: Buffer.concat(chunks).toString(),
      });
      const a = answer;
      setTimeout(() => {
        if (a.drop) return void req.socket.destroy();
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body ?? '{"ok":true}');
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
afterEach(() => {
  answer = {};
  received.length = 0;
});

/** A logger that records every call (level and arguments). */
function recorder() {
  const calls: { level: string; args: unknown[] }[] = [];
  const at =
    (level: string) =>
    (...args: unknown[]) =>
      void calls.push({ level, args });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: () => {},
    getLevel: () => 'info' as never,
    setName: () => {},
  };
  return { logger, calls };
}

/** SlackApi's configuration of the WebClient. */
function options(logger: Logger) {
  return {
    slackApiUrl: base,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 300,
    allowAbsoluteUrls: false,
    logger,
  };
}

/** Everything a caller can see of an error (SlackApi's classify() reads code, data, statusCode, retryAfter). */
function shape(error: unknown, withMessage: boolean) {
  const e = error as Record<string, unknown> & Error;
  return {
    class: e.constructor.name,
    code: e.code,
    ...(withMessage ? { message: e.message } : {}),
    data: e.data,
    statusCode: e.statusCode,
    statusMessage: e.statusMessage,
    body: e.body,
    retryAfter: e.retryAfter,
    contentType: (e.headers as Record<string, string> | undefined)?.['content-type'],
  };
}

/** The same call through WebClient and through DirectWebClient, against the same answer. */
async function both(method: string, args: Record<string, unknown>, a: Answer, messages = true) {
  const out = [];
  for (const kind of ['web', 'direct'] as const) {
    const { logger, calls } = recorder();
    const client =
      kind === 'web'
        ? new WebClient(TOKEN, options(logger))
        : new DirectWebClient(TOKEN, { ...options(logger), debugEnabled: () => false });
    calls.length = 0; // WebClient logs 'initialized' when built
    answer = a;
    received.length = 0;
    let result: unknown;
    let error: unknown;
    try {
      result = await client.apiCall(method, args);
    } catch (e) {
      error = shape(e, messages);
    }
    const sent = received[0];
    out.push({
      result,
      error,
      sent: sent && {
        url: sent.url,
        body: sent.body,
        headers: ['authorization', 'content-type', 'user-agent', 'accept'].map((h) => sent.headers[h]),
      },
      // The reason of a failed request is the transport's own words (undici's or node:http's).
      logged: calls
        .filter((c) => c.level !== 'debug')
        .map((c) => (c.args[0] === 'http request failed' ? c.args[0] : c.args)),
      debugLines: calls.filter((c) => c.level === 'debug').length,
    });
  }
  const [web, direct] = out as [(typeof out)[0], (typeof out)[0]];
  return { web, direct };
}

const VIEW = {
  type: 'modal',
  callback_id: 'revoke_request',
  title: { type: 'plain_text', text: 'Revoke sessions' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'a & b = c? *yes*' } }],
};

describe('DirectWebClient: exactly what WebClient gives, without its debug-line work', () => {
  it.each<[string, string, Record<string, unknown>, Answer]>([
    [
      'an ok answer (scopes from the headers)',
      'users.info',
      { user: 'U1' },
      {
        body: '{"ok":true,"user":{"id":"U1","profile":{"email":"a@example.com"}}}',
        headers: {
          'x-oauth-scopes': 'users:read, users:read.email',
          'x-accepted-oauth-scopes': 'users:read',
          'retry-after': '3',
        },
      },
    ],
    [
      'nested arguments, undefined and null left out',
      'views.open',
      { trigger_id: 't1', view: VIEW, hash: undefined, x: null, n: 3, b: false },
      {
        body: '{"ok":true,"view":{"id":"V1","hash":"h1"}}',
      },
    ],
    [
      'ok:false',
      'admin.users.session.list',
      { user_id: 'U1' },
      { body: '{"ok":false,"error":"missing_scope","needed":"admin.users:read"}' },
    ],
    [
      '429 with Retry-After',
      'users.info',
      { user: 'U1' },
      { status: 429, headers: { 'retry-after': '7' }, body: '{"ok":false,"error":"ratelimited"}' },
    ],
    [
      '429 without a valid Retry-After',
      'users.info',
      { user: 'U1' },
      { status: 429, headers: { 'retry-after': 'soon' } },
    ],
    [
      '5xx',
      'users.info',
      { user: 'U1' },
      { status: 503, body: '{"ok":false,"error":"service_unavailable"}' },
    ],
    ['a body that is not JSON', 'users.info', { user: 'U1' }, { body: '<html>oops</html>' }],
    [
      'warnings and messages in response_metadata',
      'users.info',
      { user: 'U1' },
      {
        body: '{"ok":true,"response_metadata":{"warnings":["superfluous_charset"],"messages":["[WARN] a warning","[ERROR] an error"]}}',
      },
    ],
    ['a timeout (the same error text)', 'users.info', { user: 'U1' }, { delayMs: 1_000 }],
  ])('%s', async (_name, method, args, a) => {
    const { web, direct } = await both(method, args, a);
    expect(direct.result).toEqual(web.result);
    expect(direct.error).toEqual(web.error);
    expect(direct.sent).toEqual(web.sent);
    expect(direct.logged).toEqual(web.logged);
    expect(web.debugLines).toBeGreaterThan(0);
    expect(direct.debugLines).toBe(0);
  });

  it('a dropped connection is a request error, as with WebClient', async () => {
    const { web, direct } = await both('users.info', { user: 'U1' }, { drop: true }, false);
    expect(direct.error).toEqual(web.error);
    expect(direct.error).toMatchObject({ class: 'WebAPIRequestError', code: 'slack_webapi_request_error' });
    expect(direct.logged).toEqual(['http request failed']);
  });

  it('a closed port is a request error, as with WebClient', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/api/`;
    await new Promise<void>((r) => closed.close(() => r()));
    const { logger } = recorder();
    const client = new DirectWebClient(TOKEN, {
      ...options(logger),
      slackApiUrl: url,
      debugEnabled: () => false,
    });
    await expect(client.apiCall('users.info', { user: 'U1' })).rejects.toMatchObject({
      code: 'slack_webapi_request_error',
    });
  });

  it('keeps at most maxRequestConcurrency calls in flight, as WebClient’s queue does', async () => {
    const { logger } = recorder();
    const client = new DirectWebClient(TOKEN, {
      ...options(logger),
      maxRequestConcurrency: 2,
      debugEnabled: () => false,
    });
    answer = { delayMs: 150 };
    const calls = Array.from({ length: 5 }, () => client.apiCall('users.info', { user: 'U1' }));
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(2);
    await Promise.all(calls);
    expect(received).toHaveLength(5);
  });

  it('while debug lines are wanted, every call is WebClient’s own (and logs them)', async () => {
    const { logger, calls } = recorder();
    let debug = true;
    const client = new DirectWebClient(TOKEN, { ...options(logger), debugEnabled: () => debug });
    calls.length = 0;
    await client.apiCall('users.info', { user: 'U1' });
    expect(calls.some((c) => c.level === 'debug' && String(c.args[0]).startsWith('http request body'))).toBe(
      true,
    );
    calls.length = 0;
    debug = false;
    await client.apiCall('users.info', { user: 'U1' });
    expect(calls).toEqual([]);
  });

  it('a configuration it does not cover (WebClient retries on) is WebClient’s own', async () => {
    const { logger, calls } = recorder();
    const client = new DirectWebClient(TOKEN, {
      ...options(logger),
      retryConfig: { retries: 1, minTimeout: 1, maxTimeout: 1 },
      debugEnabled: () => false,
    });
    calls.length = 0;
    await client.apiCall('users.info', { user: 'U1' });
    expect(calls.some((c) => c.level === 'debug')).toBe(true);
  });
});

/**
 * What DirectWebClient takes from @slack/web-api beyond its public API. An upgrade that changes any
 * of it fails here (DirectWebClient would otherwise fall back to WebClient's path, or send
 * different requests, without a word).
 */
describe('DirectWebClient’s contract with @slack/web-api', () => {
  it('WebClient keeps its request headers in `defaultHeaders`: User-Agent, Accept and the bearer token', () => {
    const web = new WebClient(TOKEN, options(recorder().logger));
    const headers = (web as unknown as { defaultHeaders?: unknown }).defaultHeaders;
    expect(headers).toEqual({
      'User-Agent': expect.stringContaining('@slack:web-api/'),
      Accept: 'application/json',
      Authorization: `Bearer ${TOKEN}`,
    });
    expect(web.slackApiUrl).toBe(base);
  });

  it('with SlackApi’s configuration, DirectWebClient takes the direct path (no debug line is built)', async () => {
    const { logger, calls } = recorder();
    const client = new DirectWebClient(TOKEN, { ...options(logger), debugEnabled: () => false });
    calls.length = 0;
    await client.apiCall('users.info', { user: 'U1' });
    expect(calls).toEqual([]);
  });

  /** Every call SlackApi makes (method and argument shapes as the app sends them). */
  it.each<[string, Record<string, unknown>]>([
    ['auth.test', {}],
    ['users.info', { user: 'U0123ABCD' }],
    ['users.lookupByEmail', { email: 'alice+ops@example.com' }],
    ['usergroups.users.list', { usergroup: 'S0123ABCD' }],
    ['admin.users.session.list', { user_id: 'U0123ABCD', team_id: 'T1', limit: 1000, cursor: 'dXNlcjpV=' }],
    ['admin.users.session.reset', { user_id: 'U0123ABCD', web_only: true }],
    ['admin.users.session.resetBulk', { user_ids: ['U1', 'U2', 'U3'], mobile_only: true }],
    ['admin.users.session.invalidate', { session_id: 12345, team_id: 'T1' }],
  ])('%s: the same request on the wire as WebClient configured as SlackApi configures it', async (method, args) => {
    const sent: Received[] = [];
    for (const kind of ['web', 'direct'] as const) {
      const { logger } = recorder();
      const config = { ...options(logger), fetch: webApiFetch(base) };
      const client =
        kind === 'web'
          ? new WebClient(TOKEN, config)
          : new DirectWebClient(TOKEN, { ...config, debugEnabled: () => false });
      received.length = 0;
      await client.apiCall(method, args);
      sent.push(received[0] as Received);
    }
    const [web, direct] = sent as [Received, Received];
    expect(direct.method).toBe('POST');
    expect(direct.method).toBe(web.method);
    expect(direct.url).toBe(web.url);
    expect(direct.rawHeaders).toEqual(web.rawHeaders);
    expect(direct.body).toBe(web.body);
    expect(direct.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});
