import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RevocationEngine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { isRequestId } from '../util/ids.js';
import { bearerMatches, REQUESTS_PATH, sendJson as send } from './alert-endpoint.js';

/** Where the public keys of the evidence signatures are served (no auth: they are public). */
export const JWKS_PATH = '/evidence/jwks.json';

export interface EvidenceEndpointDeps {
  /** REVOKE_API_TOKEN, when the alert API is on. */
  apiToken: string | undefined;
  engine: RevocationEngine;
  logger: Logger;
}

/**
 * `GET /api/revocation-requests/{id}/evidence` (the alert API's bearer, and its scope: only the
 * requests alerts created; any other id is a 404, like one that does not exist), and the public
 * keys at `/evidence/jwks.json`.
 */
export function createEvidenceHandlers(deps: EvidenceEndpointDeps) {
  async function evidence(req: IncomingMessage & { params?: Record<string, string> }, res: ServerResponse) {
    if (!deps.apiToken || !bearerMatches(req.headers.authorization, deps.apiToken))
      return send(
        res,
        401,
        { error: 'unauthorized', message: 'Send Authorization: Bearer <REVOKE_API_TOKEN>.' },
        {
          'www-authenticate': 'Bearer',
        },
      );
    const id = req.params?.id ?? '';
    const request = isRequestId(id) ? await deps.engine.request(id) : undefined;
    if (!request || request.source !== 'api')
      return send(res, 404, { error: 'not_found', message: 'No such request.' });
    const result = await deps.engine.evidence(id, { kind: 'api', id: 'api-token' });
    if (!result.ok)
      return send(res, result.code === 'not_finished' ? 409 : 404, {
        error: result.code,
        message: result.message,
      });
    send(res, 200, result.file, { 'content-disposition': `attachment; filename="evidence-${id}.json"` });
  }

  async function keys(_req: IncomingMessage, res: ServerResponse) {
    send(res, 200, await deps.engine.evidenceKeys(), { 'cache-control': 'public, max-age=300' });
  }

  const guard =
    (fn: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      fn(req, res).catch((error: unknown) => {
        deps.logger.error('evidence endpoint failed:', error);
        if (!res.headersSent)
          send(res, 500, { error: 'internal_error', message: 'Something failed on our side.' });
      });
    };
  return {
    routes: [
      ...(deps.apiToken
        ? [{ path: `${REQUESTS_PATH}/:id/evidence`, method: ['GET'], handler: guard(evidence) }]
        : []),
      { path: JWKS_PATH, method: ['GET'], handler: guard(keys) },
    ],
  };
}
