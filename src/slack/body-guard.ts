import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../log.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits, httpLimits } from './http-limits.js';

/** The largest body accepted on `/slack/events` by default (see {@link HttpLimits.maxBodyBytes}). */
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

/** One body being read: when it started, and how to give up on it. */
interface InFlight {
  startedAt: number;
  cutOff(why: string): void;
}

/**
 * Puts a guard in front of Bolt's HTTP receiver for `/slack/events`, which must buffer
 * a body before it can check its signature:
 * - at most `maxConcurrentBodies` bodies are read at once; when all slots are taken, the
 *   oldest body unfinished for `evictAfterMs` is cut off for the newcomer, else the
 *   newcomer gets 503 with Retry-After (its body is drained, never kept);
 * - a body not complete within `bodyTimeoutMs` gets 408 and its connection is closed;
 * - bodies over `maxBodyBytes` get 413, and bodies that would not parse to an object get
 *   400 — Bolt itself would otherwise throw outside its handlers on some of them (a signed
 *   `payload=null` crashes its SSL-check probe).
 * The buffered body is handed on as `rawBody`, which Bolt uses instead of reading the
 * stream again. Other routes (`/healthz`, the alert API) are not counted here.
 */
export function guardSlackBodies(
  receiver: HTTPReceiver,
  logger: Logger,
  limits: HttpLimits = httpLimits(),
  now: () => number = Date.now,
): void {
  const inner: RequestListener = receiver.requestListener;
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

  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    // When the request arrived (before its body): Slack's trigger deadlines run from here.
    (req as { arrivedAt?: number }).arrivedAt = performance.now();
    if (req.method !== 'POST' || !(req.url ?? '').startsWith('/slack/events')) {
      inner(req, res);
      return;
    }
    if (reading.size >= limits.maxConcurrentBodies && !evictOne()) {
      logger.warn(`refused a body on /slack/events: ${reading.size} bodies are being read already`);
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
        logger.warn(`cut off a body on /slack/events after ${size} bytes: ${why}`);
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
        logger.warn(`refused a ${size}+ byte body on /slack/events`);
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
      if (!boltCanParse(raw, req.headers['content-type'])) {
        logger.warn('refused an unparseable body on /slack/events');
        refuse(res, 400);
        return;
      }
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
      try {
        inner(req, res);
      } catch (error) {
        logger.error('the Slack receiver failed on a request:', error);
        refuse(res, 500);
      }
    });
  };
}
