import { createHmac } from 'node:crypto';
import type { AuditSink, WireRecord } from './wire.js';

/** The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'x-revoke-signature';

/** `t=…,v1=…` for `body` sent at `t` (unix seconds), signed with `secret` (docs/siem.md). */
export function signatureHeader(secret: string, t: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

export interface WebhookOptions {
  url: string;
  secret: string;
  now?: () => Date;
  /** Per POST (default 10 s). */
  timeoutMs?: number;
}

/**
 * POSTs each batch as `{"records":[…]}` (JSON), signed over the timestamp and the exact body so a
 * receiver can refuse a replay. Any answer but 2xx is a failure (the batch is sent again). The
 * secret is used only to sign; it is never logged or sent.
 */
export class WebhookSink implements AuditSink {
  readonly name = 'webhook';

  constructor(private readonly options: WebhookOptions) {}

  async send(records: readonly WireRecord[]): Promise<void> {
    const body = JSON.stringify({ records });
    const t = Math.floor((this.options.now?.() ?? new Date()).getTime() / 1000);
    const response = await fetch(this.options.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signatureHeader(this.options.secret, t, body),
      },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    await response.body?.cancel().catch(() => {});
    if (response.status < 200 || response.status > 299)
      throw new Error(`the webhook answered HTTP ${response.status}`);
  }

  async close(): Promise<void> {}
}
