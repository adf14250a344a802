import type { CustomRoute } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { UniversalLogout } from '../signals/universal-logout.js';
import { GLOBAL_TOKEN_REVOCATION_PATH } from '../signals/vocabulary.js';
import { sendJson } from './alert-endpoint.js';
import { boundedBody, guarded } from './ssf-http.js';

/** `POST /oauth/global-token-revocation` (transport only): the Okta Universal Logout target. */
export function globalTokenRevocationRoute(deps: {
  logout: UniversalLogout;
  logger: Logger;
  bodyTimeoutMs: number;
  basePath?: string;
}): CustomRoute {
  return {
    path: `${deps.basePath ?? ''}${GLOBAL_TOKEN_REVOCATION_PATH}`,
    method: ['POST'],
    handler: guarded(deps.logger, 'Universal Logout', async (req, res) => {
      const body = await boundedBody(req, res, deps.bodyTimeoutMs);
      if (body === undefined) return;
      const answer = await deps.logout.revoke(req.headers.authorization, body);
      if (answer.status === 204) {
        res.writeHead(204, { 'cache-control': 'no-store' });
        res.end();
        return;
      }
      const challenge =
        answer.status === 401 || answer.status === 403
          ? { 'www-authenticate': `Bearer error="${answer.error}"` }
          : undefined;
      sendJson(res, answer.status, { error: answer.error, error_description: answer.description }, challenge);
    }),
  };
}
