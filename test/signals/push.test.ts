import { describe, expect, it } from 'vitest';
import { pushSet } from '../../src/signals/push.js';

/**
 * RFC 8935 push outcomes, against answers handed to the client directly (no HTTP server: an answer
 * that echoes a credential must not even pass through the test's own capture).
 */
describe('pushSet', () => {
  const answering = (status: number, body?: unknown) =>
    (async () => new Response(body === undefined ? null : JSON.stringify(body), { status })) as typeof fetch;

  it('says delivered for 2xx, rejected for 400 (with the RFC fields), retry for anything else', async () => {
    expect(await pushSet('https://r.example', undefined, 'a.b.c', 1_000, answering(202))).toEqual({
      delivered: true,
    });
    expect(
      await pushSet(
        'https://r.example',
        undefined,
        'a.b.c',
        1_000,
        answering(400, { err: 'invalid_key', description: 'no' }),
      ),
    ).toEqual({ rejected: { err: 'invalid_key', description: 'no' } });
    expect(await pushSet('https://r.example', undefined, 'a.b.c', 1_000, answering(400))).toEqual({
      rejected: { err: 'invalid_request', description: '' },
    });
    expect(await pushSet('https://r.example', undefined, 'a.b.c', 1_000, answering(503))).toEqual({
      retry: 'the receiver answered HTTP 503',
    });
    const refused = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    expect(await pushSet('https://r.example', undefined, 'a.b.c', 1_000, refused)).toEqual({
      retry: 'not reachable (TypeError)',
    });
  });

  it('never keeps the credential a receiver echoes in its rejection', async () => {
    const header = 'Bearer echoed-credential-0123456789';
    const echo = answering(400, {
      err: 'invalid_request',
      description: `bad ${header}; token echoed-credential-0123456789`,
    });
    expect(await pushSet('https://r.example', header, 'a.b.c', 1_000, echo)).toEqual({
      rejected: { err: 'invalid_request', description: 'bad [redacted]; token [redacted]' },
    });
  });
});
