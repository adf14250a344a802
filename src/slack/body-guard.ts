import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../log.js';

/** Slack's requests are small; anything larger is refused before it is buffered whole. */
export const MAX_BODY_BYTES = 1024 * 1024;

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

function refuse(res: ServerResponse, status: number): void {
  if (!res.headersSent) {
    res.writeHead(status);
    res.end();
  }
}

/**
 * Puts a guard in front of Bolt's HTTP receiver for `/slack/events`: bodies
 * over 1 MiB get 413, and bodies that would not parse to an object get 400 —
 * Bolt itself would otherwise throw outside its handlers on some of them
 * (a signed `payload=null` crashes its SSL-check probe). The buffered body is
 * handed on as `rawBody`, which Bolt uses instead of reading the stream again.
 */
export function guardSlackBodies(receiver: HTTPReceiver, logger: Logger): void {
  const inner: RequestListener = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || !(req.url ?? '').startsWith('/slack/events')) {
      inner(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        logger.warn(`refused a ${size}+ byte body on /slack/events`);
        refuse(res, 413);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      done = true;
      refuse(res, 400);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const raw = Buffer.concat(chunks);
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
