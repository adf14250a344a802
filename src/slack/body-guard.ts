import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { ErrorCode, type HTTPReceiver, isCodedError } from '@slack/bolt';
import type { Logger } from '../log.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits, httpLimits } from './http-limits.js';

/** The largest body accepted by default, on any path (see {@link HttpLimits.maxBodyBytes}). */
export const MAX_BODY_BYTES = DEFAULT_HTTP_LIMITS.maxBodyBytes;

/** Parses a body the way Bolt's HTTP receiver will, and says whether it yields an object Bolt can handle. */
export function boltCanParse(raw: Buffer, contentType: string | undefined): boolean {
  const text = raw.toString();
  try {
    let parsed: unknown;
    if (contentType === 'application/x-www-form-urlencoded') {
      const qs = parseQuery(text);
      parsed = typeof qs.payload === 'string' ? JSON.parse(qs.payload) : qs;
    } else {
      parsed = JSON.parse(text);
    }
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

function refuse(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (!res.headersSent) {
    res.writeHead(status, headers);
    res.end();
  }
}

/**
 * The path Bolt routes a request by: exactly what its HTTP receivers compute (the WHATWG URL
 * pathname, which resolves `.`, `..`, `%2e` and backslashes and drops the query and an
 * absolute-form origin), or undefined when that throws (Bolt would then fail on it).
 */
export function boltPath(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/** True when Bolt's HTTP receiver will hand this request to its Slack event handler (its own test). */
export function boltRoutesToEvents(req: IncomingMessage, endpoints: readonly string[]): boolean {
  const path = boltPath(req);
  return (req.method ?? '').toUpperCase() === 'POST' && path !== undefined && endpoints.includes(path);
}

/**
 * True when the request has a body: a Transfer-Encoding, or a Content-Length above zero. Without
 * either, HTTP/1.1 says the body is empty (Node's parser follows that), whatever the method.
 */
function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return Number(req.headers['content-length'] ?? 0) > 0;
}

/** What a log line calls the request: its path without the query (which may carry anything), bounded. */
function where(req: IncomingMessage): string {
  const path = boltPath(req) ?? 'an unparseable target';
  return path.length > 100 ? `${path.slice(0, 100)}…` : path;
}

/** One body being read: when it started, and how to give up on it. */
interface InFlight {
  startedAt: number;
  cutOff(why: string): void;
}

export interface BodyGuardOptions {
  /** The paths Bolt serves Slack's requests on (`/slack/events`); none on Socket Mode's HTTP server. */
  slackEndpoints: readonly string[];
  limits?: HttpLimits;
  now?: () => number;
}

/**
 * Wraps a request listener so that every request body the server reads, on any path and in any
 * spelling of it, is read by this guard first. A body must be read whole before Slack's signature
 * (or the alert API's token) can be checked, so:
 * - at most `maxConcurrentBodies` bodies are read at once; when all slots are taken, the
 *   oldest body unfinished for `evictAfterMs` is cut off for the newcomer, else the
 *   newcomer gets 503 with Retry-After (its body is drained, never kept);
 * - a body not complete within `bodyTimeoutMs` gets 408 and its connection is closed;
 * - bodies over `maxBodyBytes` get 413 (at once when their Content-Length says so);
 * - on the paths Bolt routes to its Slack handler (by Bolt's own path test, so `/./slack/events`
 *   too), bodies that would not parse to an object get 400 — Bolt itself would otherwise throw
 *   outside its handlers on some of them (a signed `payload=null` crashes its SSL-check probe).
 * The buffered body is handed on as `rawBody`, which Bolt uses instead of reading the stream
 * again, and which the alert API reads. Requests without a body (`GET /healthz`) are not
 * counted. A request target that Bolt cannot parse gets 400 (Bolt would answer 500, or, on
 * Socket Mode's server, not at all).
 */
export function guardBodies(
  inner: RequestListener,
  logger: Logger,
  options: BodyGuardOptions,
): RequestListener {
  const limits = options.limits ?? httpLimits();
  const now = options.now ?? Date.now;
  const reading = new Set<InFlight>();

  /** Frees a slot for a newcomer by cutting off the oldest body past `evictAfterMs`, if any. */
  const evictOne = (): boolean => {
    const oldest = [...reading].reduce<InFlight | undefined>(
      (a, b) => (a === undefined || b.startedAt < a.startedAt ? b : a),
      undefined,
    );
    if (!oldest || now() - oldest.startedAt < limits.evictAfterMs) return false;
    oldest.cutOff('evicted for a newer request while every body slot was taken');
    return true;
  };

  /** Hands the request on (its body buffered, if it has one), answering what the listener throws. */
  const handOn = (req: IncomingMessage, res: ServerResponse) => {
    try {
      const result: unknown = inner(req, res);
      // Socket Mode's HTTP server has an async listener: a rejection must not go unhandled.
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          logger.error(`the HTTP server failed on a request to ${where(req)}:`, error);
          refuse(res, 500);
        });
      }
    } catch (error) {
      // What Bolt's default dispatch error handler does: a path it does not serve is a 404.
      if (isCodedError(error) && error.code === ErrorCode.HTTPReceiverDeferredRequestError) {
        refuse(res, 404);
        return;
      }
      logger.error(`the HTTP server failed on a request to ${where(req)}:`, error);
      refuse(res, 500);
    }
  };

  return (req: IncomingMessage, res: ServerResponse) => {
    // When the request arrived (before its body): Slack's trigger deadlines run from here.
    (req as { arrivedAt?: number }).arrivedAt = performance.now();
    if (boltPath(req) === undefined) {
      logger.warn('refused a request whose target does not parse as a URL path');
      refuse(res, 400, { connection: 'close' });
      req.resume();
      return;
    }
    if (!hasBody(req)) {
      handOn(req, res);
      return;
    }
    const announced = Number(req.headers['content-length'] ?? 0);
    if (announced > limits.maxBodyBytes) {
      logger.warn(`refused a ${announced}-byte body on ${where(req)} before reading it`);
      refuse(res, 413, { connection: 'close' });
      req.resume();
      return;
    }
    if (reading.size >= limits.maxConcurrentBodies && !evictOne()) {
      logger.warn(`refused a body on ${where(req)}: ${reading.size} bodies are being read already`);
      refuse(res, 503, { 'retry-after': '1', connection: 'close' });
      req.resume();
      return;
    }
    let chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = () => {
      done = true;
      chunks = [];
      clearTimeout(timer);
      reading.delete(entry);
    };
    const entry: InFlight = {
      startedAt: now(),
      cutOff: (why) => {
        if (done) return;
        finish();
        logger.warn(`cut off a body on ${where(req)} after ${size} bytes: ${why}`);
        res.once('finish', () => req.destroy());
        refuse(res, 408, { connection: 'close' });
        if (res.writableFinished) req.destroy();
      },
    };
    const timer = setTimeout(
      () => entry.cutOff(`not complete within ${limits.bodyTimeoutMs} ms`),
      limits.bodyTimeoutMs,
    );
    reading.add(entry);
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limits.maxBodyBytes) {
        finish();
        logger.warn(`refused a ${size}+ byte body on ${where(req)}`);
        refuse(res, 413, { connection: 'close' });
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      if (done) return;
      finish();
      refuse(res, 400);
    });
    // The client went away before the body was complete: free its slot.
    req.on('close', () => {
      if (!done) finish();
    });
    req.on('end', () => {
      if (done) return;
      const raw = Buffer.concat(chunks);
      finish();
      if (
        boltRoutesToEvents(req, options.slackEndpoints) &&
        !boltCanParse(raw, req.headers['content-type'])
      ) {
        logger.warn(`refused an unparseable body on ${where(req)}`);
        refuse(res, 400);
        return;
      }
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
      handOn(req, res);
    });
  };
}

/** Puts the guard in front of Bolt's HTTP receiver: every request it is given (HTTP mode). */
export function guardReceiverBodies(
  receiver: HTTPReceiver,
  logger: Logger,
  slackEndpoints: readonly string[],
  limits: HttpLimits = httpLimits(),
  now: () => number = Date.now,
): void {
  receiver.requestListener = guardBodies(receiver.requestListener, logger, { slackEndpoints, limits, now });
}

/** Puts the guard in front of every request listener of a server (Socket Mode's HTTP server). */
export function guardServerBodies(server: Server, logger: Logger, limits: HttpLimits = httpLimits()): void {
  for (const listener of server.listeners('request') as RequestListener[]) {
    server.removeListener('request', listener);
    server.on('request', guardBodies(listener, logger, { slackEndpoints: [], limits }));
  }
}
