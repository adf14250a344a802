/** Headers of a request signed as Slack signs it, from the tests' signing helper (one implementation). */
import { slackSignature } from '../../test/helpers/slack-signing.js';

/** Content type, timestamp (now) and `x-slack-signature` for `body` under the signing secret. */
export function slackHeaders(secret: string, body: string, contentType: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': slackSignature(secret, ts, body),
  };
}
