import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a fake received. */
export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  rawBody: string;
  at: number;
}

/** What a test can make the next call of a route do. */
export interface Fault {
  status?: number;
  /** Retry-After seconds (with a 429 / 503). */
  retryAfter?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Body to send with `status` (JSON-encoded unless a string). */
  body?: unknown;
  /** Wait before answering (timeouts). */
  delayMs?: number;
  /** Drop the connection without an answer. */
  reset?: boolean;
  /** Answer 200 with a body that is not JSON. */
  malformed?: boolean;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: Received) => Reply | Promise<Reply>;

/**
 * The vendor's published contract, checked on every exchange: the tests plug in the vendor's
 * OpenAPI document (vendored under `test/contracts/`); the demo runs without one.
 */
export interface VendorContract {
  /** What is wrong with one request (`route`: the name of the fake's route that serves it, if any). */
  request(req: Received, route: string | undefined): string[];
  /** What is wrong with one answer the fake gave on a route. */
  response?(route: string, reply: Reply): string[];
}

export interface Route {
  name: string;
  method: string;
  pattern: RegExp;
  handle: (req: Received, params: string[]) => Reply | Promise<Reply>;
}

/**
 * A small local HTTP server for vendor fakes: routes, records every request,
 * injects faults per route, and checks each exchange against the vendor's
 * contract when one is plugged in (violations are collected for a test to assert on).
 */
export class FakeVendor {
  readonly requests: Received[] = [];
  /** Requests that break the {@link contract}. */
  readonly violations: string[] = [];
  /** Answers of the fake itself that break the {@link contract}. */
  readonly responseViolations: string[] = [];
  /** The vendor's contract, when a test plugs one in. */
  contract: VendorContract | undefined;
  url = '';
  /**
   * Test hook around a route: return true to drop the connection without an
   * answer — `before` the call takes effect, or `after` it took effect (the
   * caller then cannot know the outcome).
   */
  hook?: (route: string, when: 'before' | 'after', req: Received) => Promise<boolean> | boolean;
  /** Requests refused by {@link limitRate} (answered 429). */
  rateLimited = 0;
  /** Each refusal: when it was answered and the wait it announced (Retry-After, in ms). */
  readonly refusals: { at: number; retryAfterMs: number }[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private server: Server | undefined;
  private limit: { max: number; windowMs: number; start: number; count: number } | undefined;

  constructor(
    private readonly routes: Route[],
    private readonly defaultErrorBody: (status: number) => unknown = (status) => ({
      status,
      message: 'error',
    }),
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(e));
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** Queues faults for the next calls of the named route. */
  failNext(route: string, ...faults: Fault[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults]);
  }

  /**
   * Enforces a vendor rate limit over every route: at most `max` requests a fixed window of
   * `windowMs` (from the first request of the window); beyond it, the vendor's own 429 answer
   * ({@link rateLimitReply}) with the whole seconds until the window ends.
   */
  limitRate(max: number, windowMs: number): void {
    this.limit = { max, windowMs, start: 0, count: 0 };
  }

  /** The vendor's 429 (subclasses answer as their vendor documents it). */
  protected rateLimitReply(retryAfterSeconds: number, limit: number): Reply {
    return {
      status: 429,
      body: this.defaultErrorBody(429),
      headers: { 'retry-after': String(retryAfterSeconds), 'x-limit': String(limit) },
    };
  }

  requestsTo(route: string): Received[] {
    const r = this.routes.find((x) => x.name === route);
    return r ? this.requests.filter((q) => q.method === r.method && r.pattern.test(q.path)) : [];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    let body: unknown;
    if (rawBody) {
      if ((req.headers['content-type'] ?? '').includes('application/json')) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = rawBody;
        }
      } else body = Object.fromEntries(new URLSearchParams(rawBody));
    }
    const received: Received = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      rawBody,
      at: Date.now(),
    };
    this.requests.push(received);
    const route = this.routes.find((r) => r.method === received.method && r.pattern.test(received.path));
    if (this.contract) this.violations.push(...this.contract.request(received, route?.name));
    const send = (reply: Reply) => {
      const isText = typeof reply.body === 'string';
      res.writeHead(reply.status, {
        'content-type': isText ? 'text/plain' : 'application/json',
        ...reply.headers,
      });
      res.end(reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body));
    };
    if (!route) return send({ status: 404, body: this.defaultErrorBody(404) });
    if (this.limit) {
      const l = this.limit;
      const now = Date.now();
      if (now - l.start >= l.windowMs) {
        l.start = now;
        l.count = 0;
      }
      if (l.count >= l.max) {
        const seconds = Math.max(1, Math.ceil((l.start + l.windowMs - now) / 1000));
        this.rateLimited += 1;
        this.refusals.push({ at: now, retryAfterMs: seconds * 1000 });
        return send(this.rateLimitReply(seconds, l.max));
      }
      l.count += 1;
    }
    const fault = this.faults.get(route.name)?.shift();
    if (fault) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.reset) {
        res.destroy();
        return;
      }
      if (fault.malformed) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"entries": [ this is not json');
        return;
      }
      if (fault.status) {
        const headers = {
          ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}),
          ...fault.headers,
        };
        return send({
          status: fault.status,
          body: fault.body ?? this.defaultErrorBody(fault.status),
          headers,
        });
      }
    }
    const params = route.pattern.exec(received.path)?.slice(1) ?? [];
    if (await this.hook?.(route.name, 'before', received)) {
      res.destroy();
      return;
    }
    const reply = await route.handle(
      received,
      params.map((p) => decodeURIComponent(p)),
    );
    if (this.contract?.response) this.responseViolations.push(...this.contract.response(route.name, reply));
    if (await this.hook?.(route.name, 'after', received)) {
      res.destroy();
      return;
    }
    send(reply);
  }
}
