import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ErrorCode, RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { PROBE_EMAIL } from '../../src/providers/descriptor.js';
import {
  createEntraProvider,
  ENTRA_REVOKED_DETAIL,
  entra,
  graphScope,
  odataString,
  parseEntraError,
  tokenRoles,
} from '../../src/providers/entra/index.js';
import type { Account, SessionProvider } from '../../src/providers/types.js';
import { listSessionsOf, revokeChosenOf } from '../../src/providers/types.js';
import { ENTRA_CREDENTIALS, FakeEntra, graphError } from '../fakes/entra.js';
import { captureLogs } from '../helpers/capture.js';
import { configProblems } from '../helpers/config-problems.js';

const BASE_ENV = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', REVOKE_REQUESTERS: 'U0001' };

const failure = async (call: () => Promise<unknown>): Promise<RevokeError> => {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RevokeError);
  return error as RevokeError;
};

describe('Microsoft Entra ID provider against a fake identity platform and Graph', () => {
  const fake = new FakeEntra();
  const logs: string[] = [];
  const delays: number[] = [];
  let provider: SessionProvider;

  const make = (env: Record<string, string> = {}, timeoutMs?: number): SessionProvider => {
    const config = loadConfig({ ...BASE_ENV, ...fake.env(), ...env });
    if (!config.systems.entra) throw new Error('entra not configured');
    return createEntraProvider(config.systems.entra, {
      logger: new RedactingLogger(new Redactor([ENTRA_CREDENTIALS.clientSecret]), 'debug', captureLogs(logs)),
      retryPolicy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxTotalMs: 30_000 },
      sleep: async (ms) => {
        delays.push(ms);
      },
      timeoutMs,
    });
  };
  const found = async (email: string): Promise<Account> => {
    const lookup = await provider.findAccount({ email });
    if (lookup.status !== 'found') throw new Error(`${email}: ${lookup.status}`);
    return lookup.account;
  };
  const person = (id: string, mail: string | null, upn: string, accountEnabled = true) =>
    fake.users.push({ id, displayName: `User ${id}`, mail, userPrincipalName: upn, accountEnabled });

  beforeAll(async () => {
    await fake.start();
    person('u-alice', 'alice@example.com', 'alice@contoso.onmicrosoft.com');
    person('u-bob', null, 'bob@example.com');
    person('u-obrien', "o'brien@example.com", 'obrien@contoso.onmicrosoft.com');
    person('u-kelvin', '\u212Aelvin@example.com', 'kelvin-lookalike@contoso.onmicrosoft.com');
    person('u-dora', 'dora@example.com', 'dora@contoso.onmicrosoft.com', false);
    person('u-twin1', 'twin@example.com', 'twin1@contoso.onmicrosoft.com');
    person('u-twin2', null, 'TWIN@example.com');
  });
  beforeEach(() => {
    fake.roles = ['User.Read.All', 'User.RevokeSessions.All'];
    provider = make();
    delays.length = 0;
  });
  afterAll(() => fake.close());

  describe('the token', () => {
    it('is a client-credentials token for Graph’s .default scope, fetched once and reused', async () => {
      const before = fake.tokensIssued;
      await provider.findAccount({ email: 'alice@example.com' });
      await provider.findAccount({ email: 'bob@example.com' });
      expect(fake.tokensIssued - before).toBe(1);
      const call = fake.requestsTo('token').at(-1);
      expect(call?.path).toBe(`/${ENTRA_CREDENTIALS.tenantId}/oauth2/v2.0/token`);
      expect(call?.body).toEqual({
        grant_type: 'client_credentials',
        client_id: ENTRA_CREDENTIALS.clientId,
        client_secret: ENTRA_CREDENTIALS.clientSecret,
        scope: `${fake.url}/.default`,
      });
      expect(graphScope('https://graph.microsoft.com/v1.0')).toBe('https://graph.microsoft.com/.default');
    });

    it('concurrent first calls share one token request', async () => {
      const before = fake.tokensIssued;
      await Promise.all([
        provider.findAccount({ email: 'alice@example.com' }),
        provider.findAccount({ email: 'bob@example.com' }),
        provider.findAccount({ email: 'dora@example.com' }),
      ]);
      expect(fake.tokensIssued - before).toBe(1);
    });

    it('is refreshed once on a 401, and a second 401 is vendor_auth', async () => {
      await found('alice@example.com');
      fake.validTokens.clear();
      const before = fake.tokensIssued;
      expect((await found('alice@example.com')).id).toBe('u-alice');
      expect(fake.tokensIssued - before).toBe(1);

      fake.failNext('users', { status: 401 }, { status: 401 });
      const error = await failure(() => provider.findAccount({ email: 'alice@example.com' }));
      expect(error.code).toBe(ErrorCode.VendorAuth);
      expect(error.vendorCode).toBe('InvalidAuthenticationToken');
      expect(error.hint).toContain('ENTRA_CLIENT_SECRET');
      expect(fake.tokensIssued - before).toBe(2);
    });

    it.each([
      [
        'a wrong client secret',
        { ENTRA_CLIENT_SECRET: 'wrong-secret-value' },
        'ENTRA_CLIENT_SECRET',
        'AADSTS7000215',
      ],
      [
        'an unknown tenant',
        { ENTRA_TENANT_ID: '99999999-0000-4000-8000-000000000000' },
        'ENTRA_TENANT_ID',
        'AADSTS90002',
      ],
      [
        'an unknown application',
        { ENTRA_CLIENT_ID: '99999999-1111-4222-8333-444455556666' },
        'ENTRA_CLIENT_ID',
        'AADSTS700016',
      ],
    ])('%s: vendor_auth naming %s, never the secret', async (_what, env, variable, code) => {
      const bad = make(env);
      const graphCalls = fake.requestsTo('users').length;
      const error = await failure(() => bad.findAccount({ email: 'alice@example.com' }));
      expect(error.code).toBe(ErrorCode.VendorAuth);
      expect(error.retryable).toBe(false);
      expect(error.vendorCode).toBe(code);
      expect(error.message).toContain(variable);
      expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
      for (const said of [error.message, error.hint ?? '', ...logs]) {
        expect(said).not.toContain('wrong-secret-value');
        expect(said).not.toContain(ENTRA_CREDENTIALS.clientSecret);
      }
      // Without a token, Graph is never called.
      expect(fake.requestsTo('users').length).toBe(graphCalls);
    });
  });

  describe('finding the person', () => {
    it('matches mail or userPrincipalName exactly, ASCII case aside', async () => {
      expect(await provider.findAccount({ email: 'Alice@Example.com' })).toMatchObject({
        status: 'found',
        account: { system: 'entra', id: 'u-alice', login: 'alice@example.com', displayName: 'User u-alice' },
      });
      // No mail: the sign-in name is the address.
      expect(await provider.findAccount({ email: 'bob@example.com' })).toMatchObject({
        status: 'found',
        account: { id: 'u-bob', login: 'bob@example.com' },
      });
      const sent = fake.requestsTo('users').at(-1);
      expect(sent?.query.$filter).toBe("mail eq 'bob@example.com' or userPrincipalName eq 'bob@example.com'");
      expect(sent?.query.$select).toBe('id,displayName,mail,userPrincipalName,accountEnabled');
    });

    it("doubles a ' in the OData filter, and finds that person", async () => {
      expect(odataString("o'brien@example.com")).toBe("'o''brien@example.com'");
      expect((await found("o'brien@example.com")).id).toBe('u-obrien');
      expect(fake.requestsTo('users').at(-1)?.query.$filter).toBe(
        "mail eq 'o''brien@example.com' or userPrincipalName eq 'o''brien@example.com'",
      );
    });

    it('a lookalike address Graph folds onto the person’s (Kelvin sign) never matches', async () => {
      const lookup = await provider.findAccount({ email: 'kelvin@example.com' });
      expect(lookup.status).toBe('not_found');
      // The fake did answer the lookalike: the provider refused it.
      expect(fake.users.find((u) => u.id === 'u-kelvin')?.mail?.toLowerCase()).toBe('kelvin@example.com');
    });

    it('one user’s mail and another’s sign-in name on the same address is ambiguous', async () => {
      expect(await provider.findAccount({ email: 'twin@example.com' })).toMatchObject({
        status: 'ambiguous',
        candidates: 2,
      });
    });

    it('no email known: not_found without a call', async () => {
      const calls = fake.requestsTo('users').length;
      expect((await provider.findAccount({ displayName: 'someone' })).status).toBe('not_found');
      expect(fake.requestsTo('users').length).toBe(calls);
    });

    it('follows @odata.nextLink under the Graph URL', async () => {
      fake.pageSize = 1;
      try {
        expect(await provider.findAccount({ email: 'twin@example.com' })).toMatchObject({
          status: 'ambiguous',
          candidates: 2,
        });
        expect(fake.requestsTo('users').at(-1)?.query.$skiptoken).toBe('1');
      } finally {
        fake.pageSize = 100;
      }
    });

    it('a next page on another host is refused, and the token is not sent there', async () => {
      const other = new FakeEntra();
      await other.start();
      try {
        fake.failNext('users', {
          status: 200,
          body: { value: [], '@odata.nextLink': `${other.url}/v1.0/users?$skiptoken=1` },
        });
        const error = await failure(() => provider.findAccount({ email: 'alice@example.com' }));
        expect(error.code).toBe(ErrorCode.MalformedResponse);
        expect(other.requests).toEqual([]);
      } finally {
        await other.close();
      }
    });

    it('a disabled account is found, and the revoke outcome says it is disabled', async () => {
      const account = await found('dora@example.com');
      expect(account.extra).toEqual({ accountEnabled: 'false' });
      const outcome = await provider.revokeAll(account, { scope: 'all' });
      expect(outcome.state).toBe('revoked');
      expect(outcome.detail).toContain('the account is disabled');
      expect(outcome.detail?.startsWith(ENTRA_REVOKED_DETAIL)).toBe(true);
      // Short enough that a thread line (cut at 200 characters) still shows all of it.
      expect(outcome.detail?.length).toBeLessThan(200);
    });
  });

  describe('revoking', () => {
    it('POSTs revokeSignInSessions and says it cannot be verified by listing and can take minutes', async () => {
      const outcome = await provider.revokeAll(await found('alice@example.com'), { scope: 'all' });
      expect(outcome).toEqual({
        state: 'revoked',
        requestId: `entra-revoke-${fake.revoked.length}`,
        detail: ENTRA_REVOKED_DETAIL,
      });
      expect(outcome.detail).toMatch(/^revoked; can take a few minutes; not verifiable by listing/);
      expect(fake.revoked.at(-1)).toBe('u-alice');
      expect(provider.capabilities).toMatchObject({
        listSessions: false,
        revokeSelected: false,
        identityProvider: true,
      });
    });

    it('an answer of value false is never reported as revoked', async () => {
      const account = await found('alice@example.com');
      fake.failNext('revoke', { status: 200, body: { value: false } });
      const error = await failure(() => provider.revokeAll(account, { scope: 'all' }));
      expect(error.code).toBe(ErrorCode.VendorRejected);
    });

    it('a 403 names the missing permission, with Graph’s code and request id', async () => {
      const account = await found('alice@example.com');
      fake.roles = ['User.Read.All'];
      fake.validTokens.clear();
      const error = await failure(() => provider.revokeAll(account, { scope: 'all' }));
      expect(error.code).toBe(ErrorCode.VendorAuth);
      expect(error).toMatchObject({ status: 403, vendorCode: 'Authorization_RequestDenied' });
      expect(error.message).toContain('User.RevokeSessions.All');
      expect(error.hint).toContain('admin consent');
      expect(error.requestId).toBe('entra-req-0');
    });

    it('honours Retry-After on 429 and on 503', async () => {
      const account = await found('alice@example.com');
      fake.failNext(
        'revoke',
        { status: 429, retryAfter: 7, body: graphError('TooManyRequests', 'Too many requests.') },
        { status: 503, retryAfter: 3 },
      );
      expect((await provider.revokeAll(account, { scope: 'all' })).state).toBe('revoked');
      expect(delays).toEqual([7000, 3000]);
    });

    it('listing and single sessions are refused as not offered', async () => {
      const account = await found('alice@example.com');
      expect((await failure(() => listSessionsOf(provider, account))).code).toBe(ErrorCode.NotAllowed);
      expect((await failure(() => revokeChosenOf(provider, account, ['x']))).code).toBe(ErrorCode.NotAllowed);
    });
  });

  describe('doctor', () => {
    it('reports the token, the permissions and the probe lookup', async () => {
      const said = await entra.doctor(provider);
      expect(said).toBe(
        'token issued; permissions User.Read.All, User.RevokeSessions.All present; Microsoft Graph reachable (probe lookup: not_found)',
      );
      expect(fake.requestsTo('users').at(-1)?.query.$filter).toContain(PROBE_EMAIL);
    });

    it('names each missing permission', async () => {
      fake.roles = [];
      const error = await failure(() => entra.doctor(provider));
      expect(error.code).toBe(ErrorCode.VendorAuth);
      expect(error.message).toContain('User.Read.All and User.RevokeSessions.All');
    });

    it('says when a broader permission stands in for a least-privileged one', async () => {
      fake.roles = ['User.ReadWrite.All'];
      expect(await entra.doctor(provider)).toContain(
        'broader than needed (User.ReadWrite.All instead of User.Read.All; User.ReadWrite.All instead of User.RevokeSessions.All)',
      );
    });

    it('reads roles only from a JWT-shaped token', () => {
      expect(tokenRoles('opaque-token')).toBeUndefined();
      expect(tokenRoles('a.!!!.c')).toBeUndefined();
      const payload = Buffer.from(JSON.stringify({ roles: ['User.Read.All'] })).toString('base64url');
      expect(tokenRoles(`h.${payload}.s`)).toEqual(['User.Read.All']);
    });
  });

  it('parses Graph and token-endpoint error bodies', () => {
    expect(parseEntraError(404, graphError('Request_ResourceNotFound', 'gone', 'rid-1'))).toEqual({
      vendorCode: 'Request_ResourceNotFound',
      message: 'gone',
      requestId: 'rid-1',
    });
    expect(
      parseEntraError(400, {
        error: 'invalid_request',
        error_description: 'AADSTS90002: Tenant not found.\r\nTrace ID: t',
        error_codes: [90002],
        trace_id: 't',
      }),
    ).toEqual({ vendorCode: 'AADSTS90002', message: 'AADSTS90002: Tenant not found.', requestId: 't' });
    expect(parseEntraError(502, 'Bad Gateway')).toEqual({ message: 'Bad Gateway' });
  });

  it('never logs the client secret or an access token', () => {
    const all = logs.join('\n');
    expect(all).not.toContain(ENTRA_CREDENTIALS.clientSecret);
    for (const token of fake.issuedTokens()) expect(all).not.toContain(token);
  });
});

describe('Entra ID configuration', () => {
  const load = (env: Record<string, string>) => configProblems({ ...BASE_ENV, ...env });

  it('defaults the endpoints to the global cloud', () => {
    const config = loadConfig({
      ...BASE_ENV,
      ENTRA_TENANT_ID: 'contoso.onmicrosoft.com',
      ENTRA_CLIENT_ID: ENTRA_CREDENTIALS.clientId,
      ENTRA_CLIENT_SECRET: ENTRA_CREDENTIALS.clientSecret,
    });
    expect(config.systems.entra).toMatchObject({
      loginUrl: 'https://login.microsoftonline.com',
      graphUrl: 'https://graph.microsoft.com/v1.0',
    });
  });

  it('names each missing variable of a partial configuration', () => {
    const problems = load({ ENTRA_TENANT_ID: ENTRA_CREDENTIALS.tenantId });
    expect(problems.filter((p) => p.startsWith('ENTRA_CLIENT_ID is missing'))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith('ENTRA_CLIENT_SECRET is missing'))).toHaveLength(1);
  });

  it('refuses a Secret ID given as the secret, without echoing it', () => {
    const secretId = '0f0e0d0c-0b0a-4909-8807-060504030201';
    const problems = load({
      ENTRA_TENANT_ID: ENTRA_CREDENTIALS.tenantId,
      ENTRA_CLIENT_ID: ENTRA_CREDENTIALS.clientId,
      ENTRA_CLIENT_SECRET: secretId,
    });
    const problem = problems.find((p) => p.startsWith('ENTRA_CLIENT_SECRET'));
    expect(problem).toContain('Secret ID');
    expect(problems.join('\n')).not.toContain(secretId);
  });

  it('refuses a tenant or client ID of the wrong shape', () => {
    const problems = load({
      ENTRA_TENANT_ID: 'not a tenant',
      ENTRA_CLIENT_ID: 'abc',
      ENTRA_CLIENT_SECRET: ENTRA_CREDENTIALS.clientSecret,
    });
    expect(problems.some((p) => p.startsWith('ENTRA_TENANT_ID is malformed'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ENTRA_CLIENT_ID is malformed'))).toBe(true);
  });

  it('the .env.example section lists every variable', () => {
    const lines = (entra.envExample ?? '').split('\n');
    expect(lines[0]).toMatch(/^# --- Microsoft Entra ID .+ ---$/);
    for (const name of Object.keys(entra.env)) {
      expect(lines.some((l) => l.startsWith(`${name}=`))).toBe(true);
    }
  });
});
