import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEntra } from '../fakes/entra.js';
import { FakeJwksIssuer } from '../fakes/jwks-issuer.js';
import { FakeOkta } from '../fakes/okta.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { ENTRA_ALICE } from '../helpers/ssf.js';

const OKTA_ISSUER = 'https://acme.okta.com';
const TYP = 'global-token-revocation+jwt';

/** Okta Universal Logout through the real app: a signed call to POST /oauth/global-token-revocation. */
describe('Okta Universal Logout target', () => {
  const okta = new FakeJwksIssuer(OKTA_ISSUER);
  const oktaApi = new FakeOkta();
  const entra = new FakeEntra();
  let auto: Harness;
  let waiting: Harness;
  const audience = (h: Harness) => `${h.url}/oauth/global-token-revocation`;

  beforeAll(async () => {
    await okta.start();
    await oktaApi.start();
    await entra.start();
    oktaApi.users.push({
      id: '00ualice',
      status: 'ACTIVE',
      login: 'alice@example.com',
      email: 'alice@example.com',
      sessions: ['s1'],
      oauthTokens: [],
    });
    entra.users.push(ENTRA_ALICE);
    const env = (aut: string) => ({
      ...entra.env(),
      ...oktaApi.env(),
      OKTA_UNIVERSAL_LOGOUT_ISSUER: OKTA_ISSUER,
      OKTA_UNIVERSAL_LOGOUT_JWKS_URL: okta.url,
      // The harness picks its port: the audience is checked against the URL it serves, set below.
      OKTA_UNIVERSAL_LOGOUT_AUDIENCE: 'http://127.0.0.1/oauth/global-token-revocation',
      OKTA_UNIVERSAL_LOGOUT_AUTO: aut,
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
    });
    auto = await startHarness(env('true'), { signals: { jwksCooldownMs: 0 } });
    waiting = await startHarness(env('false'), { signals: { jwksCooldownMs: 0 } });
  });
  afterAll(async () => {
    await auto.close();
    await waiting.close();
    await okta.close();
    await oktaApi.close();
    await entra.close();
  });

  const AUD = 'http://127.0.0.1/oauth/global-token-revocation';
  const token = (
    over: Record<string, unknown> = {},
    options: { typ?: string; foreignKey?: boolean } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return okta.sign(
      { iss: OKTA_ISSUER, aud: AUD, iat: now, nbf: now, exp: now + 300, jti: randomUUID(), ...over },
      options.typ ?? TYP,
      options,
    );
  };
  const call = (h: Harness, auth: string | undefined, body: unknown) =>
    fetch(audience(h), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const alice = { sub_id: { format: 'email', email: 'alice@example.com' } };

  it('revokes across every configured system but Okta, at once with OKTA_UNIVERSAL_LOGOUT_AUTO=true', async () => {
    const res = await call(auto, `Bearer ${await token()}`, alice);
    expect(res.status).toBe(204);
    const request = await auto.slack.waitFor(async () => {
      const [r] = await auto.app.store.listRequestsForTarget('UALICE', 1);
      return r?.source === 'universal_logout' && r.status === 'done' ? r : undefined;
    });
    expect(request.systems.sort()).toEqual(['entra', 'slack']);
    expect((await auto.app.store.listSteps(request.id)).map((s) => [s.system, s.state]).sort()).toEqual([
      ['entra', 'revoked'],
      ['slack', 'revoked'],
    ]);
    expect(entra.requests.some((r) => r.path.endsWith('/users/e-alice/revokeSignInSessions'))).toBe(true);
    // Okta's own sessions are not revoked again.
    expect(oktaApi.cleared).toEqual([]);
    expect(request.requester).toEqual({ kind: 'signal', id: OKTA_ISSUER, name: 'Okta Universal Logout' });
  });

  it("accepts the subject under `subject` (as Okta's guide shows) and by iss_sub, and waits for an approver when not auto", async () => {
    const res = await call(waiting, `Bearer ${await token()}`, {
      subject: { format: 'iss_sub', iss: OKTA_ISSUER, sub: 'alice@example.com' },
    });
    expect(res.status).toBe(204);
    const [request] = await waiting.app.store.listRequestsForTarget('UALICE', 1);
    expect(request?.source).toBe('universal_logout');
    expect(request?.status).toBe('pending_approval');
    expect(request?.plan?.approvalReason).toMatch(/OKTA_UNIVERSAL_LOGOUT_AUTO/);
  });

  it('refuses every bad-authentication variant with 401 (403 for another audience), recording nothing', async () => {
    const before = (await auto.app.store.listRequestsForTarget('UALICE', 100)).length;
    const now = Math.floor(Date.now() / 1000);
    const variants: [string, string | undefined, number][] = [
      ['no header', undefined, 401],
      ['not a bearer', `Basic ${Buffer.from('a:b').toString('base64')}`, 401],
      ['not a JWT', 'Bearer not-a-jwt', 401],
      ['wrong typ', `Bearer ${await token({}, { typ: 'JWT' })}`, 401],
      ['another key', `Bearer ${await token({}, { foreignKey: true })}`, 401],
      ['another issuer', `Bearer ${await token({ iss: 'https://evil.okta.com' })}`, 401],
      ['expired', `Bearer ${await token({ iat: now - 600, nbf: now - 600, exp: now - 300 })}`, 401],
      ['not yet valid', `Bearer ${await token({ nbf: now + 600 })}`, 401],
      ['no exp', `Bearer ${await token({ exp: undefined })}`, 401],
      ['no nbf', `Bearer ${await token({ nbf: undefined })}`, 401],
      ['no jti', `Bearer ${await token({ jti: undefined })}`, 401],
      ['another audience', `Bearer ${await token({ aud: 'https://other.example.com/revoke' })}`, 403],
    ];
    for (const [what, auth, status] of variants) {
      const res = await call(auto, auth, alice);
      expect(res.status, what).toBe(status);
      expect(res.headers.get('www-authenticate'), what).toMatch(/^Bearer error=/);
    }
    // A JWT is accepted once: the same one again is refused.
    const once = `Bearer ${await token()}`;
    expect(
      (await call(auto, once, { sub_id: { format: 'email', email: 'nobody@example.com' } })).status,
    ).toBe(404);
    expect((await call(auto, once, alice)).status).toBe(401);
    expect(await auto.app.store.listRequestsForTarget('UALICE', 100)).toHaveLength(before);
  });

  it('answers 400 for a malformed body or an unsupported format, 404 for an unknown subject', async () => {
    const bearer = async () => `Bearer ${await token()}`;
    expect((await call(auto, await bearer(), 'not json')).status).toBe(400);
    expect((await call(auto, await bearer(), { user: 'alice@example.com' })).status).toBe(400);
    const opaque = await call(auto, await bearer(), { sub_id: { format: 'opaque', id: 'x' } });
    expect(opaque.status).toBe(400);
    expect(await opaque.json()).toEqual({
      error: 'unsupported_subject_format',
      error_description: 'the subject must be in format email or iss_sub',
    });
    expect(
      (await call(auto, await bearer(), { sub_id: { format: 'email', email: 'nobody@example.com' } })).status,
    ).toBe(404);
    expect(
      (await call(auto, await bearer(), { sub_id: { format: 'iss_sub', iss: OKTA_ISSUER, sub: '00u123' } }))
        .status,
    ).toBe(404);
  });

  it('answers 422 when no system but Okta could log the person out here', async () => {
    const onlyOkta = await startHarness(
      {
        SLACK_ADMIN_TOKEN: '',
        ...oktaApi.env(),
        OKTA_UNIVERSAL_LOGOUT_ISSUER: OKTA_ISSUER,
        OKTA_UNIVERSAL_LOGOUT_JWKS_URL: okta.url,
        OKTA_UNIVERSAL_LOGOUT_AUDIENCE: AUD,
        OKTA_UNIVERSAL_LOGOUT_AUTO: 'true',
      },
      { signals: { jwksCooldownMs: 0 } },
    );
    try {
      const res = await call(onlyOkta, `Bearer ${await token()}`, alice);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: string }).error).toBe('unable_to_revoke');
      expect(oktaApi.cleared).toEqual([]);
    } finally {
      await onlyOkta.close();
    }
  });
});
