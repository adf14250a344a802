import { request } from 'node:http';
import { slackSignature } from '../../src/cli/demo/slack-requests.js';

/** Slack's request signature (the demo's `demo sign` makes the same). */
export { slackSignature };

export interface SignedPostOptions {
  secret: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Overrides the computed signature (forgeries). */
  signature?: string;
  headers?: Record<string, string>;
}

/** POSTs a body to the app as Slack would: signed, with the timestamp header. */
export async function signedPost(
  url: string,
  body: string,
  contentType: string,
  o: SignedPostOptions,
): Promise<Response> {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': o.signature ?? slackSignature(o.secret, ts, body),
      ...o.headers,
    },
    body,
  });
}

/** A slash command as Slack sends it (form-encoded). */
export function commandBody(fields: Record<string, string>): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: 'C0SEC',
    channel_name: 'security',
    user_id: 'UREQ',
    user_name: 'bob',
    command: '/revoke-sessions',
    text: '',
    response_url: 'http://127.0.0.1:9/commands/response',
    trigger_id: '123.456.abc',
    api_app_id: 'A1',
    ...fields,
  }).toString();
}

/** An interactivity payload (block_actions, view_submission) as Slack sends it. */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/**
 * {@link signedPost} with the request target sent exactly as given (`/./slack/events`,
 * `/x/../slack/events`…): `fetch` would normalise such a path before sending it.
 */
export function signedPostToPath(
  baseUrl: string,
  path: string,
  body: string,
  contentType: string,
  o: SignedPostOptions,
): Promise<{ status: number; text: string }> {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        path,
        method: 'POST',
        headers: {
          'content-type': contentType,
          'content-length': String(Buffer.byteLength(body)),
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': o.signature ?? slackSignature(o.secret, ts, body),
          ...o.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
