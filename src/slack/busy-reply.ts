import { send } from '../http/slack-transport.js';

/**
 * Posts an ephemeral message to a slash command's `response_url` on the shared keep-alive pool.
 * Under overload this is the answer most commands get ("busy"), so it is one plain POST rather than
 * Bolt's `respond` (a new HTTP client call each time). Rejects on anything but a 2xx answer, so the
 * caller can fall back to another way of telling the person.
 */
export async function replyEphemeral(responseUrl: string, text: string, timeoutMs = 3_000): Promise<void> {
  const url = new URL(responseUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error('response_url is not an http(s) URL');
  const answer = await send(url, {
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ response_type: 'ephemeral', text }),
    timeoutMs,
    noRedirect: true,
  });
  if (answer.status < 200 || answer.status >= 300)
    throw new Error(`response_url answered HTTP ${answer.status}`);
}
