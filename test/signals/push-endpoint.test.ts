import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';
import { SSF_TOKENS, ssfCall, transmitterEnv } from '../helpers/ssf.js';

const PUSH = 'urn:ietf:rfc:8935';

/**
 * A receiver chooses its push endpoint, so the app would POST wherever it says: a transmitter with
 * a public issuer refuses one on this host's loopback or on a link-local address (a cloud metadata
 * service), through the real app's stream endpoint. A transmitter on loopback (a test, a
 * development deployment) still pushes to loopback.
 */
describe('Shared Signals: where a receiver may make the app push', () => {
  let h: Harness;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'revoke-ssf-push-target-'));

  beforeAll(async () => {
    const transmitter = await transmitterEnv(dir);
    base = transmitter.issuer;
    // The app listens on loopback here, but its public issuer is not: as deployed behind a proxy.
    h = await startHarness({ ...transmitter.env, SSF_ISSUER: 'https://revoke.example.com' });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = (endpoint_url: string) =>
    ssfCall(`${base}/ssf/stream`, 'POST', SSF_TOKENS.siem, { delivery: { method: PUSH, endpoint_url } });

  it.each([
    ['http://127.0.0.1:9/events', 'a loopback address is refused'],
    ['https://localhost/events', 'a loopback address is refused'],
    ['https://[::1]:8443/events', 'a loopback address is refused'],
    ['http://169.254.169.254/latest/meta-data/', 'must be an https:// URL'],
    ['https://169.254.169.254/latest/meta-data/', 'a link-local address'],
    ['https://[fe80::1]/events', 'a link-local address'],
  ])('refuses the push endpoint %s', async (endpoint, why) => {
    const res = await create(endpoint);
    expect(res.status).toBe(400);
    const body = res.json as { error: string; description: string };
    expect(body.error).toBe('invalid_request');
    expect(body.description).toContain('delivery.endpoint_url is refused');
    expect(body.description).toContain(why);
    const listed = await ssfCall(`${base}/ssf/stream`, 'GET', SSF_TOKENS.siem);
    expect(listed.json).toEqual([]);
  });

  it('accepts a public https:// endpoint', async () => {
    const res = await create('https://siem.example.net/ssf/events');
    expect(res.status).toBe(201);
    expect((res.json as { delivery: { endpoint_url: string } }).delivery.endpoint_url).toBe(
      'https://siem.example.net/ssf/events',
    );
  });
});
