import type { CustomRoute } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { SignalReceiver } from '../signals/receiver.js';
import { SSF_PATHS } from '../signals/vocabulary.js';
import { sendJson } from './alert-endpoint.js';
import { boundedBody, guarded } from './ssf-http.js';

/**
 * `POST /ssf/events`, the RFC 8935 push endpoint (transport only): a SET in, 202 or 400 with
 * RFC 8935's `{err, description}` out. What a SET means is the receiver port's business.
 */
export function ssfEventsRoute(deps: {
  receiver: SignalReceiver;
  logger: Logger;
  bodyTimeoutMs: number;
  /** The issuer's path, when the app's public base URL has one (the route is under it). */
  basePath?: string;
}): CustomRoute {
  return {
    path: `${deps.basePath ?? ''}${SSF_PATHS.events}`,
    method: ['POST'],
    handler: guarded(deps.logger, 'SSF receiver', async (req, res) => {
      if (!/^application\/secevent\+jwt\b/i.test(req.headers['content-type'] ?? ''))
        return sendJson(res, 400, {
          err: 'invalid_request',
          description: 'Send the SET with Content-Type: application/secevent+jwt.',
        });
      const text = await boundedBody(req, res, deps.bodyTimeoutMs);
      if (text === undefined) return;
      const answer = await deps.receiver.receive(text.trim());
      if (answer.status === 202) {
        res.writeHead(202, { 'cache-control': 'no-store' });
        res.end();
        return;
      }
      if (answer.status === 503)
        return sendJson(
          res,
          503,
          { err: 'temporarily_unavailable', description: answer.description },
          { 'retry-after': '30' },
        );
      sendJson(res, 400, { err: answer.err, description: answer.description });
    }),
  };
}
