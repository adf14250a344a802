import { timingSafeEqual } from 'node:crypto';
import type { CustomRoute } from '@slack/bolt';
import type { AppMetrics } from './registry.js';

/** Constant-time comparison of a presented bearer token with the configured one. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  // Compare equal-length buffers always, so the time taken does not reveal the length either.
  const padded = Buffer.alloc(b.length);
  a.copy(padded);
  return timingSafeEqual(padded, b) && a.length === b.length;
}

/** `GET /metrics` in Prometheus text format; with a token, only for `Authorization: Bearer <token>`. */
export function metricsRoute(
  metrics: AppMetrics,
  token: string | undefined,
  redact: (text: string) => string,
): CustomRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (req, res) => {
      if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
        res.end('a bearer token (METRICS_TOKEN) is required\n');
        return;
      }
      metrics.scrape().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(
            `metrics unavailable: ${error instanceof Error ? redact(error.message).slice(0, 200) : 'error'}\n`,
          );
        },
      );
    },
  };
}
