import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';
import { SSF_TOKENS, ssfCall, transmitterEnv } from '../helpers/ssf.js';

/** SSF §7.1: an issuer with a path publishes its metadata at the well-known path with the issuer's path appended. */
describe('an SSF issuer with a path', () => {
  let h: Harness;
  let issuer: string;
  let origin: string;
  const dir = mkdtempSync(join(tmpdir(), 'revoke-ssf-path-'));

  beforeAll(async () => {
    const transmitter = await transmitterEnv(dir, '/tenants/acme');
    issuer = transmitter.issuer;
    origin = new URL(issuer).origin;
    h = await startHarness({
      ...transmitter.env,
      OKTA_UNIVERSAL_LOGOUT_ISSUER: 'https://acme.okta.com',
      OKTA_UNIVERSAL_LOGOUT_JWKS_URL: 'https://acme.okta.com/oauth2/v1/keys',
      OKTA_UNIVERSAL_LOGOUT_AUDIENCE: 'https://revoke.example.com/tenants/acme/oauth/global-token-revocation',
    });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the metadata at both well-known paths, and the endpoints under the issuer', async () => {
    const plain = await ssfCall(`${origin}/.well-known/ssf-configuration`, 'GET', undefined);
    const appended = await ssfCall(`${origin}/.well-known/ssf-configuration/tenants/acme`, 'GET', undefined);
    expect(plain.status).toBe(200);
    expect(appended.json).toEqual(plain.json);
    const meta = plain.json as Record<string, string>;
    expect(meta.issuer).toBe(issuer);
    expect(meta.configuration_endpoint).toBe(`${issuer}/ssf/stream`);
    // The Universal Logout target is published with the transmitter.
    expect(meta.global_token_revocation_endpoint).toBe(`${issuer}/oauth/global-token-revocation`);
    expect(meta.global_token_revocation_endpoint_auth_methods_supported).toEqual(['private_key_jwt']);
    const unauthenticated = await fetch(meta.global_token_revocation_endpoint ?? '', {
      method: 'POST',
      body: '{}',
    });
    expect(unauthenticated.status).toBe(401);
    expect((await ssfCall(meta.jwks_uri ?? '', 'GET', undefined)).status).toBe(200);
    const created = await ssfCall(meta.configuration_endpoint ?? '', 'POST', SSF_TOKENS.siem, {});
    expect(created.status).toBe(201);
    expect((created.json as { delivery: unknown }).delivery).toEqual({
      method: 'urn:ietf:rfc:8936',
      endpoint_url: `${issuer}/ssf/poll/${(created.json as { stream_id: string }).stream_id}`,
    });
    expect((created.json as { events_delivered: unknown }).events_delivered).toEqual([]);
  });
});
