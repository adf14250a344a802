import { SET_TYP } from './vocabulary.js';

/** What became of one push (RFC 8935 §2). */
export type PushOutcome =
  | { delivered: true }
  | { rejected: { err: string; description: string } }
  | { retry: string };

/** `text` without the authorization header, or its credential, anywhere in it. */
function scrub(text: string, authorization: string | undefined): string {
  if (!authorization) return text;
  const credential = authorization.replace(/^\S+\s+/, '');
  return [authorization, credential]
    .filter((s) => s.length >= 6)
    .reduce((t, secret) => t.split(secret).join('[redacted]'), text);
}

/**
 * Pushes one SET (RFC 8935): `POST` with `Content-Type: application/secevent+jwt` and the stream's
 * `Authorization` header. 202 (or any 2xx) = delivered; 400 with `{err, description}` = rejected for
 * good (retrying would change nothing); anything else (5xx, 401/403 until fixed, a timeout, a
 * refused connection) = to be retried. Never says what the receiver's header holds.
 */
export async function pushSet(
  endpoint: string,
  authorization: string | undefined,
  set: string,
  timeoutMs: number,
  fetchFn: typeof fetch = fetch,
): Promise<PushOutcome> {
  let res: Response;
  try {
    res = await fetchFn(endpoint, {
      method: 'POST',
      headers: {
        'content-type': `application/${SET_TYP}`,
        accept: 'application/json',
        ...(authorization ? { authorization } : {}),
      },
      body: set,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'error';
    return {
      retry: name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `not reachable (${name})`,
    };
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { delivered: true };
  if (res.status === 400) {
    let body: { err?: unknown; description?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // A 400 without the RFC's body is still a rejection.
    }
    // The receiver's words are kept (audit log, logs): never with its own credential echoed in them.
    const said = (v: unknown, max: number) =>
      typeof v === 'string' ? scrub(v, authorization).slice(0, max) : undefined;
    return {
      rejected: {
        err: said(body.err, 100) ?? 'invalid_request',
        description: said(body.description, 500) ?? '',
      },
    };
  }
  return { retry: `the receiver answered HTTP ${res.status}` };
}
