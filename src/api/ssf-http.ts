import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Logger } from '../log.js';
import { readBody, sendJson } from './alert-endpoint.js';

/** A route handler as Bolt's custom routes call it. */
export type RouteHandler = CustomRoute['handler'];
/** The request a route handler gets (with the path's `params`). */
export type RouteRequest = Parameters<RouteHandler>[0];
/** An async route handler. */
export type AsyncHandler = (req: RouteRequest, res: ServerResponse) => Promise<void>;

/**
 * Wraps an async handler: an unexpected failure is logged and answered 500 (never with its text,
 * which might name a secret), and never becomes an unhandled rejection.
 */
export function guarded(logger: Logger, what: string, fn: AsyncHandler): RouteHandler {
  return (req, res) => {
    fn(req, res).catch((error: unknown) => {
      logger.error(`${what} failed:`, error);
      if (!res.headersSent)
        sendJson(res, 500, {
          error: 'internal_error',
          description: 'Something failed on our side; try again.',
        });
    });
  };
}

/** The body read with the alert API's bounds: its text, or undefined once a 413/408 was answered. */
export async function boundedBody(
  req: IncomingMessage,
  res: ServerResponse,
  timeoutMs: number,
): Promise<string | undefined> {
  const read = await readBody(req, timeoutMs);
  if (!('refused' in read)) return read.text;
  const close = { connection: 'close' };
  if (read.refused === 413) sendJson(res, 413, { error: 'payload_too_large' }, close);
  else sendJson(res, 408, { error: 'request_timeout' }, close);
  return undefined;
}

/** A JSON body (an object), or undefined once 400 was answered. */
export async function jsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  timeoutMs: number,
): Promise<Record<string, unknown> | undefined> {
  const text = await boundedBody(req, res, timeoutMs);
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json === 'object' && json !== null && !Array.isArray(json))
      return json as Record<string, unknown>;
  } catch {
    // answered below
  }
  sendJson(res, 400, { error: 'invalid_request', description: 'The body must be a JSON object.' });
  return undefined;
}

/** One path parameter of the request (`:id`). */
export function pathParam(req: RouteRequest, name: string): string {
  const v = req.params?.[name];
  return typeof v === 'string' ? v : '';
}

/** One query parameter of the request. */
export function queryParam(req: IncomingMessage, name: string): string | undefined {
  try {
    return new URL(req.url ?? '', 'http://localhost').searchParams.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}
