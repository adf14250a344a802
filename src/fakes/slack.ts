import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_SCOPES, BOT_SCOPES } from '../slack/scopes.js';

/** A Slack user as the fake's directory holds it (the users.info shape). */
export interface FakeUser {
  id: string;
  name: string;
  real_name?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_primary_owner?: boolean;
  team_id?: string;
  profile: { email?: string; display_name?: string; real_name?: string };
  enterprise_user?: { teams: string[] };
}

/** The fake organization's bot and org-admin tokens: made up, yet treated as secrets everywhere. */
export const FAKE_SLACK_TOKENS = {
  bot: 'xoxb-demo-bot-token-made-up-not-a-real-one',
  admin: 'xoxp-demo-admin-token-made-up-not-a-real-one',
};

/** A member of the fake organization (workspace T1), as `users.info` shows one. */
export function fakeUser(id: string, email: string, extra: Partial<FakeUser> = {}): FakeUser {
  return {
    id,
    name: email.split('@')[0] ?? id,
    real_name: `Real ${id}`,
    team_id: 'T1',
    profile: { email, display_name: email.split('@')[0] },
    enterprise_user: { teams: ['T1'] },
    ...extra,
  };
}

export interface FakeSession {
  user_id: string;
  session_id: number;
  team_id: string;
  created: { device_hardware?: string; os?: string; ip?: string; slack_client_version?: string };
  recent?: { device_hardware?: string; os?: string; ip?: string };
  /** For web_only / mobile_only resets. */
  kind: 'web' | 'mobile' | 'desktop';
}

export interface RecordedCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  ephemeralFor?: string;
  /** Message metadata as posted (`{event_type, event_payload}`). */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface Failure {
  /** `{ok:false, error}` with HTTP 200. */
  error?: string;
  needed?: string;
  /** HTTP status instead (429 gets Retry-After). */
  status?: number;
  retryAfter?: number;
  delayMs?: number;
}

export interface FakeSlackOptions {
  botToken: string;
  adminToken?: string;
  /** Channels the bot is a member of; posting elsewhere answers not_in_channel. */
  memberChannels?: string[];
  /** Scopes reported in X-OAuth-Scopes (auth.test) per token kind. */
  scopes?: { bot?: string[]; admin?: string[] };
}

export const ALL_BOT_SCOPES: string[] = [...BOT_SCOPES];
export const ALL_ADMIN_SCOPES: string[] = [...ADMIN_SCOPES];

function parseMetadata(v: unknown): FakeMessage['metadata'] {
  const parsed = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return parsed as FakeMessage['metadata'];
}

function parseValue(v: string): unknown {
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

/**
 * A local fake of Slack's Web API: the methods revoke-sessions calls, answering
 * as Slack documents (HTTP 200 `{ok:false,error}` for errors, 429 + Retry-After,
 * admin methods only for the admin user token), with state a test can inspect.
 */
export class FakeSlack {
  readonly users = new Map<string, FakeUser>();
  readonly groups = new Map<string, string[]>();
  sessions: FakeSession[] = [];
  readonly calls: RecordedCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly views = new Map<string, { view: Record<string, unknown>; hash: string; updates: number }>();
  /** Each user's published App Home (views.publish), the last one. */
  readonly homes = new Map<string, Record<string, unknown>>();
  private readonly failures = new Map<string, Failure[]>();
  /**
   * Test hooks around a call: return true to drop the connection without an
   * answer — before the call takes effect, or after it took effect (the outcome
   * then is unknown to the caller).
   */
  beforeAnswer?: (method: string, args: Record<string, unknown>) => Promise<boolean> | boolean;
  /** A broken pager: `admin.users.session.list` always answers the first page's cursor again. */
  loopSessionCursor = false;
  /** Workflow function executions ended by `functions.complete*` (each ends once). */
  readonly endedExecutions = new Set<string>();
  /** Files uploaded (files.getUploadURLExternal, the upload, files.completeUploadExternal), by file id. */
  readonly files = new Map<
    string,
    {
      filename: string;
      length: number;
      content?: string;
      channel?: string;
      threadTs?: string;
      shared: boolean;
    }
  >();
  /** Sessions per `admin.users.session.list` page at most (Slack: 1,000). */
  sessionPageSize: number | undefined;
  afterApply?: (method: string, args: Record<string, unknown>) => Promise<boolean> | boolean;
  /** Requests that break the {@link contract}. */
  readonly violations: string[] = [];
  /** Slack's documented arguments of each method, when a test plugs them in: the problems of one call. */
  contract: ((method: string, args: Record<string, unknown>) => string[]) | undefined;
  /** Told of every call as it arrives (the tests scan them for secrets; the demo prints them). */
  onCall: ((method: string, args: Record<string, unknown>) => void) | undefined;
  /** Per-method rate limits (Slack's tiers, scaled down for tests): over `max` calls a window → 429 + Retry-After. */
  readonly rateLimits = new Map<string, { max: number; windowMs: number }>();
  /** How many calls were answered 429 by the rate limits. */
  rateLimited = 0;
  /** The same, per method. */
  readonly rateLimitedBy = new Map<string, number>();
  /** Each refusal by the rate limits: the method, when it was answered, the wait it announced (ms). */
  readonly refusals: { method: string; at: number; retryAfterMs: number }[] = [];
  private readonly windowCalls = new Map<string, number[]>();
  private server: Server | undefined;
  private seq = 0;
  url = '';

  constructor(readonly options: FakeSlackOptions) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/`;
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  addUser(user: FakeUser): this {
    this.users.set(user.id, user);
    return this;
  }

  /** Queues failures for the next calls of a method (in order). */
  failNext(method: string, ...failures: Failure[]): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...failures]);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Polls until `predicate` holds (the app works after its ack). */
  async waitFor<T>(
    predicate: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs = 10_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await predicate();
      if (v) return v;
      if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The upload URL of files.getUploadURLExternal: takes the file's bytes (raw, or a form's field). */
  private async receiveUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const file = this.files.get((req.url ?? '').slice('/upload/'.length));
    if (!file) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    const type = req.headers['content-type'] ?? '';
    const boundary = /boundary=([^;]+)/.exec(type)?.[1];
    if (boundary) {
      // multipart/form-data: the first part's bytes.
      const part = raw.split(`--${boundary}`)[1] ?? '';
      file.content = part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
    } else if (type.includes('x-www-form-urlencoded'))
      file.content = new URLSearchParams(raw).get('body') ?? raw;
    else file.content = raw;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${Buffer.byteLength(file.content)}`);
  }

  private async readArgs(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const args: Record<string, unknown> = {};
    for (const [k, v] of url.searchParams) args[k] = parseValue(v);
    if ((req.headers['content-type'] ?? '').includes('application/json') && body) {
      Object.assign(args, JSON.parse(body));
    } else {
      for (const [k, v] of new URLSearchParams(body)) args[k] = parseValue(v);
    }
    return args;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if ((req.url ?? '').startsWith('/upload/')) return this.receiveUpload(req, res);
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = await this.readArgs(req);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ')
      ? auth.slice(7)
      : typeof args.token === 'string'
        ? args.token
        : undefined;
    delete args.token;
    this.calls.push({ method, token, args, at: Date.now() });
    this.onCall?.(method, args);
    if (this.contract) this.violations.push(...this.contract(method, args));
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const limit = this.rateLimits.get(method);
    if (limit) {
      const now = Date.now();
      const recent = (this.windowCalls.get(method) ?? []).filter((t) => now - t < limit.windowMs);
      if (recent.length >= limit.max) {
        this.rateLimited += 1;
        this.rateLimitedBy.set(method, (this.rateLimitedBy.get(method) ?? 0) + 1);
        const wait = Math.max(1, Math.ceil((limit.windowMs - (now - (recent[0] ?? now))) / 1000));
        this.refusals.push({ method, at: now, retryAfterMs: wait * 1000 });
        return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(wait) });
      }
      this.windowCalls.set(method, [...recent, now]);
    }
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      if (failure.delayMs) await new Promise((r) => setTimeout(r, failure.delayMs));
      if (failure.status === 429)
        return send(
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(failure.retryAfter ?? 1) },
        );
      if (failure.status) return send(failure.status, { ok: false, error: 'fatal_error' });
      if (failure.error)
        return send(200, {
          ok: false,
          error: failure.error,
          ...(failure.needed ? { needed: failure.needed } : {}),
        });
    }
    if (!token) return send(200, { ok: false, error: 'not_authed' });
    const isAdmin = token === this.options.adminToken;
    const isBot = token === this.options.botToken;
    const isFunction = token.startsWith('xwfp-');
    if (method.startsWith('functions.') && !isFunction)
      return send(200, { ok: false, error: 'not_allowed_token_type' });
    if (!isAdmin && !isBot && !isFunction) return send(200, { ok: false, error: 'invalid_auth' });
    if (method.startsWith('admin.') && !isAdmin)
      return send(200, { ok: false, error: 'not_allowed_token_type' });
    if (await this.beforeAnswer?.(method, args)) {
      res.destroy();
      return;
    }
    const answer = this.answer(method, args, isBot);
    if (await this.afterApply?.(method, args)) {
      res.destroy();
      return;
    }
    const scopes = isAdmin
      ? (this.options.scopes?.admin ?? ALL_ADMIN_SCOPES)
      : (this.options.scopes?.bot ?? ALL_BOT_SCOPES);
    send(200, answer, { 'x-oauth-scopes': scopes.join(',') });
  }

  /** Message timestamps as Slack makes them: the second it took the message, unique and increasing (a sequence in the micro part). */
  private nextTs(): string {
    this.seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
  }

  private answer(method: string, a: Record<string, unknown>, isBot: boolean): Record<string, unknown> {
    const fail = (error: string) => ({ ok: false, error });
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          user_id: isBot ? 'UBOT' : 'UADMIN',
          team_id: 'T1',
          bot_id: isBot ? 'B1' : undefined,
        };
      case 'users.info': {
        const u = this.users.get(String(a.user));
        return u ? { ok: true, user: u } : fail('user_not_found');
      }
      case 'users.lookupByEmail': {
        const wanted = String(a.email).toLowerCase();
        const u = [...this.users.values()].find((x) => x.profile.email?.toLowerCase() === wanted);
        return u ? { ok: true, user: u } : fail('users_not_found');
      }
      case 'usergroups.users.list': {
        const members = this.groups.get(String(a.usergroup));
        return members ? { ok: true, users: members } : fail('no_such_subteam');
      }
      case 'views.open': {
        if (!a.trigger_id) return fail('invalid_arguments');
        const id = `V${this.nextTs().replace('.', '')}`;
        const hash = `h-${this.seq}`;
        this.views.set(id, { view: a.view as Record<string, unknown>, hash, updates: 0 });
        return { ok: true, view: { ...(a.view as object), id, hash } };
      }
      case 'views.publish': {
        // Slack: a bot token, a user_id, a view of type `home` with at most 100 blocks.
        const view = a.view as { type?: unknown; blocks?: unknown[] } | undefined;
        if (!isBot || !a.user_id || !view) return fail('invalid_arguments');
        if (view.type !== 'home' || (view.blocks?.length ?? 0) > 100) return fail('invalid_arguments');
        if (!this.users.has(String(a.user_id))) return fail('user_not_found');
        this.homes.set(String(a.user_id), view as Record<string, unknown>);
        return {
          ok: true,
          view: { ...view, id: `VH${this.nextTs().replace('.', '')}`, hash: `h-${this.seq}` },
        };
      }
      case 'views.update': {
        const entry = this.views.get(String(a.view_id));
        if (!entry) return fail('not_found');
        if (a.hash && a.hash !== entry.hash) return fail('hash_conflict');
        entry.view = a.view as Record<string, unknown>;
        entry.hash = `h-${this.nextTs()}`;
        entry.updates += 1;
        return { ok: true, view: { ...entry.view, id: a.view_id, hash: entry.hash } };
      }
      case 'chat.postMessage': {
        const channel = String(a.channel);
        if (/^C/.test(channel) && !(this.options.memberChannels ?? []).includes(channel))
          return fail('not_in_channel');
        const ts = this.nextTs();
        const resolved = /^[UW]/.test(channel) ? `D${channel}` : channel;
        this.messages.push({
          channel: resolved,
          ts,
          thread_ts: a.thread_ts as string | undefined,
          text: a.text as string,
          blocks: a.blocks as unknown[],
          ...(a.metadata ? { metadata: parseMetadata(a.metadata) } : {}),
        });
        return { ok: true, channel: resolved, ts };
      }
      case 'conversations.history':
      case 'conversations.replies': {
        // Newest first, as Slack answers; metadata only when asked for. (One page: tests post few.)
        const channel = String(a.channel);
        if (/^[UW]/.test(channel)) return fail('channel_not_found');
        if (/^C/.test(channel) && !(this.options.memberChannels ?? []).includes(channel))
          return fail('not_in_channel');
        const oldest = Number(a.oldest ?? 0);
        const inThread = method === 'conversations.replies';
        const withMetadata = a.include_all_metadata === true || a.include_all_metadata === 'true';
        const list = this.messages
          .filter(
            (m) =>
              m.channel === channel &&
              !m.ephemeralFor &&
              Number(m.ts) >= oldest &&
              (inThread ? m.ts === a.ts || m.thread_ts === a.ts : !m.thread_ts),
          )
          .reverse()
          .map((m) => ({
            type: 'message',
            ts: m.ts,
            text: m.text,
            ...(withMetadata ? { metadata: m.metadata } : {}),
          }));
        return { ok: true, messages: list, has_more: false, response_metadata: { next_cursor: '' } };
      }
      case 'chat.delete': {
        const i = this.messages.findIndex((x) => x.channel === a.channel && x.ts === a.ts);
        if (i < 0) return fail('message_not_found');
        this.messages.splice(i, 1);
        return { ok: true, channel: a.channel, ts: a.ts };
      }
      case 'chat.update': {
        const m = this.messages.find((x) => x.channel === a.channel && x.ts === a.ts);
        if (!m) return fail('message_not_found');
        m.text = a.text as string;
        m.blocks = a.blocks as unknown[];
        return { ok: true, channel: a.channel, ts: a.ts };
      }
      case 'chat.postEphemeral': {
        const channel = String(a.channel);
        if (/^C/.test(channel) && !(this.options.memberChannels ?? []).includes(channel))
          return fail('not_in_channel');
        this.messages.push({
          channel,
          ts: this.nextTs(),
          text: a.text as string,
          ephemeralFor: String(a.user),
        });
        return { ok: true, message_ts: this.nextTs() };
      }
      case 'admin.users.session.list': {
        if ((a.user_id === undefined) !== (a.team_id === undefined)) return fail('invalid_arguments');
        const list = this.sessions.filter(
          (s) =>
            (a.user_id === undefined || s.user_id === a.user_id) &&
            (a.team_id === undefined || s.team_id === a.team_id),
        );
        // Pages of `limit` (default and at most 1,000), as Slack pages with an opaque cursor.
        const limit = Math.min(this.sessionPageSize ?? 1000, Math.max(1, Number(a.limit ?? 1000) || 1000));
        const offset = a.cursor ? Number(Buffer.from(String(a.cursor), 'base64').toString()) : 0;
        if (!Number.isInteger(offset) || offset < 0) return fail('invalid_cursor');
        const next = this.loopSessionCursor
          ? Buffer.from('0').toString('base64')
          : offset + limit < list.length
            ? Buffer.from(String(offset + limit)).toString('base64')
            : '';
        return {
          ok: true,
          active_sessions: list.slice(offset, offset + limit).map(({ kind: _k, ...s }) => s),
          response_metadata: { next_cursor: next },
        };
      }
      case 'admin.users.session.reset': {
        const u = this.users.get(String(a.user_id));
        if (!u) return fail('user_not_found');
        if (u.is_bot) return fail('cannot_reset_bot');
        if (u.is_primary_owner) return fail('cannot_reset_primary_owner');
        const webOnly = a.web_only === true || a.web_only === 'true';
        const mobileOnly = a.mobile_only === true || a.mobile_only === 'true';
        this.sessions = this.sessions.filter(
          (s) => s.user_id !== u.id || (webOnly && s.kind !== 'web') || (mobileOnly && s.kind !== 'mobile'),
        );
        return { ok: true };
      }
      case 'admin.users.session.invalidate': {
        const id = Number(a.session_id);
        const s = this.sessions.find((x) => x.session_id === id && x.team_id === a.team_id);
        if (!s) return fail('session_not_found');
        this.sessions = this.sessions.filter((x) => x !== s);
        return { ok: true };
      }
      case 'functions.completeSuccess':
      case 'functions.completeError': {
        // An execution ends once; after that Slack no longer finds it.
        const id = a.function_execution_id;
        if (!id) return fail('invalid_arguments');
        if (this.endedExecutions.has(String(id))) return fail('function_execution_not_found');
        this.endedExecutions.add(String(id));
        return { ok: true };
      }
      case 'files.getUploadURLExternal': {
        const length = Number(a.length);
        if (typeof a.filename !== 'string' || !Number.isInteger(length) || length < 1)
          return fail('invalid_arguments');
        const id = `F${String(++this.seq).padStart(8, '0')}`;
        this.files.set(id, { filename: a.filename, length, shared: false });
        return { ok: true, file_id: id, upload_url: `${this.url.replace(/\/api\/$/, '')}/upload/${id}` };
      }
      case 'files.completeUploadExternal': {
        const list = (typeof a.files === 'string' ? JSON.parse(a.files) : a.files) as { id: string }[];
        if (!Array.isArray(list) || list.length === 0) return fail('invalid_arguments');
        for (const { id } of list) {
          const file = this.files.get(id);
          // Slack refuses to complete a file whose bytes never arrived.
          if (!file || file.content === undefined) return fail('file_not_found');
          Object.assign(file, {
            shared: true,
            channel: typeof a.channel_id === 'string' ? a.channel_id : undefined,
            threadTs: typeof a.thread_ts === 'string' ? a.thread_ts : undefined,
          });
        }
        return { ok: true, files: list.map(({ id }) => ({ id, title: this.files.get(id)?.filename })) };
      }
      case 'admin.users.session.resetBulk': {
        const ids = a.user_ids as string[];
        if (!Array.isArray(ids) || ids.length === 0 || ids.length > 1000) return fail('invalid_arguments');
        this.sessions = this.sessions.filter((s) => !ids.includes(s.user_id));
        return { ok: true };
      }
      default:
        return fail('unknown_method');
    }
  }
}
