import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ErrorCode, RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import {
  createGoogleProvider,
  google,
  SIGN_OUT_SENTENCE,
} from '../../src/providers/google-workspace/index.js';
import type { SessionProvider } from '../../src/providers/types.js';
import { listSessionsOf, revokeChosenOf } from '../../src/providers/types.js';
import {
  FakeGoogle,
  GOOGLE_ADMIN,
  GOOGLE_CLIENT_EMAIL,
  GOOGLE_KEY_ID,
  GOOGLE_TEST_SCOPES,
  GOOGLE_TOKEN_PREFIX,
  generateTestKeyPair,
  googleError,
} from '../fakes/google.js';
import { captureLogs } from '../helpers/capture.js';
import { configProblems } from '../helpers/config-problems.js';

const BASE_ENV = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', REVOKE_REQUESTERS: 'U0001' };
const POLICY = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 400, maxTotalMs: 30_000 };

const problemsOf = (env: Record<string, string>): string[] => configProblems({ ...BASE_ENV, ...env });

describe('Google Workspace provider against a fake Google', () => {
  const fake = new FakeGoogle();
  const logs: string[] = [];
  const waits: number[] = [];
  let provider: SessionProvider;

  /** Built as the app builds it: loadConfig, then the registry descriptor's factory. */
  const make = (env: Record<string, string> = {}): SessionProvider => {
    const config = loadConfig({ ...BASE_ENV, ...fake.env(), ...env });
    const settings = config.systems.google;
    if (!settings) throw new Error('google not configured');
    const built = google.create(settings, {
      logger: new RedactingLogger(new Redactor(), 'debug', captureLogs(logs)),
      retryPolicy: POLICY,
      sleep: async (ms) => {
        waits.push(ms);
      },
      timeoutMs: 2_000,
    });
    if (!built) throw new Error('no provider');
    return built;
  };

  const failure = async (call: () => Promise<unknown>): Promise<RevokeError> => {
    try {
      await call();
    } catch (error) {
      if (error instanceof RevokeError) return error;
      throw error;
    }
    throw new Error('expected the call to fail');
  };

  const noSecretIn = (...texts: (string | undefined)[]) => {
    const pemBody = fake.keys.privatePem.split('\n')[1] ?? 'unreachable';
    for (const text of [...texts, ...logs]) {
      if (text === undefined) continue;
      expect(text).not.toContain(pemBody);
      expect(text).not.toContain(GOOGLE_TOKEN_PREFIX);
    }
  };

  beforeAll(async () => {
    await fake.start();
    fake.users.push(
      {
        id: 'u-alice',
        primaryEmail: 'alice@example.com',
        aliases: ['a.smith@example.com'],
        fullName: 'Alice',
      },
      { id: 'u-sam', primaryEmail: 'sam@example.com', fullName: 'Sam', suspended: true },
      { id: 'u-kate', primaryEmail: '\u212Aate@example.com', fullName: 'Lookalike' },
    );
  });
  beforeEach(() => {
    fake.grants = [
      {
        userId: 'u-alice',
        clientId: '111.apps.googleusercontent.com',
        displayText: 'Notes <b>',
        scopes: ['email'],
      },
      {
        userId: 'u-alice',
        clientId: '222.apps.googleusercontent.com',
        displayText: 'Mail',
        scopes: ['email'],
        nativeApp: true,
      },
      {
        userId: 'u-sam',
        clientId: '111.apps.googleusercontent.com',
        displayText: 'Notes <b>',
        scopes: ['email'],
      },
    ];
    waits.length = 0;
    logs.length = 0;
    fake.clock = Date.now;
    provider = make();
  });
  afterAll(() => fake.close());

  describe('the JWT-bearer token', () => {
    it('signs an RS256 assertion the fake verifies with the public key: iss, sub, scope, aud, an hour at most', async () => {
      const before = fake.tokensIssued;
      await provider.findAccount({ email: 'alice@example.com' });
      await provider.findAccount({ email: 'sam@example.com' });
      expect(fake.tokensIssued - before).toBe(1);
      const claims = fake.assertions.at(-1) ?? {};
      expect(claims.iss).toBe(GOOGLE_CLIENT_EMAIL);
      expect(claims.sub).toBe(GOOGLE_ADMIN);
      expect(claims.aud).toBe(`${fake.url}/token`);
      expect(String(claims.scope).split(' ')).toEqual(GOOGLE_TEST_SCOPES);
      expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
      const form = fake.requestsTo('token').at(-1)?.body as Record<string, string>;
      expect(form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
      const header = JSON.parse(Buffer.from(form.assertion?.split('.')[0] ?? '', 'base64url').toString());
      expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: GOOGLE_KEY_ID });
    });

    it('concurrent callers share one token; it is fetched again shortly before it expires', async () => {
      let now = Date.now();
      fake.clock = () => now;
      const settings = loadConfig({ ...BASE_ENV, ...fake.env() }).systems.google;
      if (!settings) throw new Error('google not configured');
      const p = createGoogleProvider(settings, {
        logger: new RedactingLogger(new Redactor(), 'debug', captureLogs(logs)),
        now: () => now,
      });
      const before = fake.tokensIssued;
      const emails = ['alice@example.com', 'sam@example.com', 'nobody@example.com'];
      await Promise.all(emails.map((email) => p.findAccount({ email })));
      expect(fake.tokensIssued - before).toBe(1);
      now += 3599_000 - 61_000;
      await p.findAccount({ email: 'alice@example.com' });
      expect(fake.tokensIssued - before).toBe(1);
      now += 2_000;
      await p.findAccount({ email: 'alice@example.com' });
      expect(fake.tokensIssued - before).toBe(2);
    });

    it('takes the token URL from the key file, and GOOGLE_TOKEN_URL over it', () => {
      const config = loadConfig({ ...BASE_ENV, ...fake.env() });
      expect(config.systems.google?.tokenUrl).toBe(`${fake.url}/token`);
      const over = loadConfig({
        ...BASE_ENV,
        ...fake.env(),
        GOOGLE_TOKEN_URL: 'https://oauth2.example.test/token',
      });
      expect(over.systems.google?.tokenUrl).toBe('https://oauth2.example.test/token');
    });

    it('on a 401 gets a new token once and repeats the call', async () => {
      await provider.findAccount({ email: 'alice@example.com' });
      const before = fake.tokensIssued;
      fake.validTokens.clear();
      expect((await provider.findAccount({ email: 'alice@example.com' })).status).toBe('found');
      expect(fake.tokensIssued - before).toBe(1);
    });

    it('a 401 that persists after the new token is vendor_auth, tried twice only', async () => {
      await provider.findAccount({ email: 'alice@example.com' });
      const calls = fake.requestsTo('user').length;
      fake.failNext('user', { status: 401 }, { status: 401 });
      const error = await failure(() => provider.findAccount({ email: 'alice@example.com' }));
      expect(error.code).toBe(ErrorCode.VendorAuth);
      expect(fake.requestsTo('user').length - calls).toBe(2);
    });

    it('delegation without the scopes: unauthorized_client names both scopes, and the doctor fails with it', async () => {
      const narrow = new FakeGoogle({ delegatedScopes: [GOOGLE_TEST_SCOPES[1] ?? ''] });
      await narrow.start();
      try {
        const config = loadConfig({ ...BASE_ENV, ...narrow.env() });
        const p = google.create(config.systems.google ?? (undefined as never), {
          logger: new RedactingLogger(new Redactor(), 'debug', captureLogs(logs)),
          retryPolicy: POLICY,
          sleep: async () => {},
        });
        const error = await failure(() => google.doctor(p ?? (undefined as never)));
        expect(error.code).toBe(ErrorCode.VendorAuth);
        expect(error.vendorCode).toBe('unauthorized_client');
        for (const scope of GOOGLE_TEST_SCOPES) expect(error.message).toContain(scope);
        expect(error.hint).toMatch(/domain-wide delegation/);
        // The token was refused, so no admin role is involved yet.
        expect(error.message).not.toContain('GOOGLE_ADMIN_SUBJECT');
        noSecretIn(error.message, error.hint);
      } finally {
        await narrow.close();
      }
    });

    it('an assertion signed with another key is refused (invalid_grant) as a credential problem, no key said', async () => {
      const other = new FakeGoogle({ keys: generateTestKeyPair() });
      await other.start();
      try {
        const p = make({ GOOGLE_TOKEN_URL: `${other.url}/token` });
        const error = await failure(() => p.findAccount({ email: 'alice@example.com' }));
        expect(error.code).toBe(ErrorCode.VendorAuth);
        expect(error.vendorCode).toBe('invalid_grant');
        expect(error.retryable).toBe(false);
        noSecretIn(error.message, error.hint);
      } finally {
        await other.close();
      }
    });
  });

  describe('finding the person', () => {
    it('the primary address finds the account; an alias of it is another account, refused; a lookalike is never a match', async () => {
      expect(await provider.findAccount({ email: 'Alice@example.com' })).toMatchObject({
        status: 'found',
        account: { system: 'google', id: 'u-alice', login: 'alice@example.com' },
      });
      // Google answers an alias with the account that holds it: not the person whose address it is.
      const alias = await provider.findAccount({ email: 'A.Smith@example.com' });
      expect(alias.status).toBe('not_allowed');
      if (alias.status !== 'not_allowed') throw new Error(alias.status);
      expect(alias.detail).toMatch(
        /^a\.smith@example\.com is an alias of another account \(alice@example\.com\)/,
      );
      // The fake, like Google, answers kate@ with the Kelvin-sign account.
      const lookalike = await provider.findAccount({ email: 'kate@example.com' });
      expect(lookalike.status).toBe('ambiguous');
      expect((await provider.findAccount({ email: 'nobody@example.com' })).status).toBe('not_found');
    });

    it('a suspended user is found and marked; revoking signs them out and says the account is suspended', async () => {
      const lookup = await provider.findAccount({ email: 'sam@example.com' });
      if (lookup.status !== 'found') throw new Error(lookup.status);
      expect(lookup.account.displayName).toBe('Sam (suspended)');
      const outcome = await provider.revokeAll(lookup.account, { scope: 'all' });
      expect(outcome.detail?.split('; ')[0]).toBe('the account is suspended');
      expect(fake.signedOut).toContain('u-sam');
    });

    it('a 403 "Not Authorized to access this resource/api" names the delegation scopes and the admin subject', async () => {
      fake.failNext('user', { status: 403 });
      const error = await failure(() => provider.findAccount({ email: 'alice@example.com' }));
      expect(error.code).toBe(ErrorCode.VendorAuth);
      expect(error.vendorCode).toBe('forbidden');
      for (const scope of GOOGLE_TEST_SCOPES) expect(error.message).toContain(scope);
      expect(error.message).toContain('GOOGLE_ADMIN_SUBJECT');
    });
  });

  describe('rate limits', () => {
    const rateLimited = (reason: string) =>
      googleError(403, 'User Rate Limit Exceeded', reason, 'PERMISSION_DENIED', 'usageLimits');

    it('a 403 userRateLimitExceeded without Retry-After backs off and the call succeeds', async () => {
      fake.failNext('user', { status: 403, body: rateLimited('userRateLimitExceeded') });
      expect((await provider.findAccount({ email: 'alice@example.com' })).status).toBe('found');
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeLessThanOrEqual(POLICY.baseDelayMs);
    });

    it('a 429 without Retry-After backs off (exponential, jittered) and the call succeeds', async () => {
      fake.failNext('user', { status: 429 });
      expect((await provider.findAccount({ email: 'alice@example.com' })).status).toBe('found');
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeLessThanOrEqual(POLICY.baseDelayMs);
    });

    it('a 403 rateLimitExceeded with Retry-After waits exactly that long', async () => {
      fake.failNext('user', { status: 403, retryAfter: 3, body: rateLimited('rateLimitExceeded') });
      expect((await provider.findAccount({ email: 'alice@example.com' })).status).toBe('found');
      expect(waits).toEqual([3_000]);
    });

    it('a 403 rate limit on every attempt is rate_limited, not a permission problem, and nothing is signed out', async () => {
      for (let i = 0; i < POLICY.maxAttempts; i++)
        fake.failNext('signOut', { status: 403, body: rateLimited('userRateLimitExceeded') });
      const error = await failure(() =>
        provider.revokeAll({ system: 'google', id: 'u-alice', login: 'alice@example.com' }, { scope: 'all' }),
      );
      expect(error.code).toBe(ErrorCode.RateLimited);
      expect(error.retryable).toBe(true);
      expect(waits).toHaveLength(POLICY.maxAttempts - 1);
      expect(fake.signedOut).not.toContain('u-alice');
    });
  });

  describe('signing out and the OAuth app grants', () => {
    it('lists the grants as sessions: id = client ID, only the account’s own', async () => {
      const sessions = await listSessionsOf(provider, {
        system: 'google',
        id: 'u-alice',
        login: 'alice@example.com',
      });
      expect(sessions.map((s) => s.id)).toEqual([
        '111.apps.googleusercontent.com',
        '222.apps.googleusercontent.com',
      ]);
      expect(sessions[1]?.device).toBe('Mail (OAuth app grant, installed app)');
    });

    it('revoke-all signs out and deletes every grant listed (listing again is the engine’s verification)', async () => {
      const account = { system: 'google' as const, id: 'u-alice', login: 'alice@example.com' };
      const listed = fake.requestsTo('tokens').length;
      const outcome = await provider.revokeAll(account, { scope: 'all' });
      expect(outcome.state).toBe('revoked');
      expect(outcome.count).toBe(2);
      expect(outcome.detail).toBe(`${SIGN_OUT_SENTENCE}; 2 OAuth app grants revoked`);
      expect(fake.requestsTo('tokens').length - listed).toBe(1);
      expect(fake.grants.map((g) => g.userId)).toEqual(['u-sam']);
    });

    it('revoke-chosen revokes only that grant, does not sign out, and says so', async () => {
      const account = { system: 'google' as const, id: 'u-alice', login: 'alice@example.com' };
      const signOuts = fake.requestsTo('signOut').length;
      const outcome = await revokeChosenOf(provider, account, ['222.apps.googleusercontent.com']);
      expect(outcome).toMatchObject({ state: 'revoked', count: 1 });
      expect(outcome.detail).toBe(
        '1 OAuth app grant revoked; not signed out of web and device sessions (revoking all does that)',
      );
      expect(fake.grants.map((g) => g.clientId)).toEqual([
        '111.apps.googleusercontent.com',
        '111.apps.googleusercontent.com',
      ]);
      expect(fake.requestsTo('signOut').length).toBe(signOuts);
    });

    it('a grant that fails to delete: the error says the sign-out happened and the grants did not all go', async () => {
      const account = { system: 'google' as const, id: 'u-alice', login: 'alice@example.com' };
      for (let i = 0; i < POLICY.maxAttempts; i++) fake.failNext('tokenDelete', { status: 500 });
      const error = await failure(() => provider.revokeAll(account, { scope: 'all' }));
      expect(error.code).toBe(ErrorCode.VendorUnavailable);
      expect(error.message).toMatch(/^Google Workspace signed the account out .* not all revoked: 1 of 2/);
      expect(fake.signedOut).toContain('u-alice');
    });

    it('the doctor reads the admin and their grants, changing nothing', async () => {
      const changes = () => fake.requestsTo('signOut').length + fake.requestsTo('tokenDelete').length;
      const before = changes();
      const said = await google.doctor(provider);
      expect(said).toBe(
        `token issued to ${GOOGLE_CLIENT_EMAIL} acting as ${GOOGLE_ADMIN}; users and their OAuth grants readable`,
      );
      expect(changes()).toBe(before);
    });
  });
});

describe('Google Workspace configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'google-config-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const env = (path: string) => ({
    GOOGLE_SERVICE_ACCOUNT_KEY_FILE: path,
    GOOGLE_ADMIN_SUBJECT: GOOGLE_ADMIN,
  });

  it('an unreadable key file names the variable', () => {
    const problems = problemsOf(env(join(dir, 'missing.json')));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^GOOGLE_SERVICE_ACCOUNT_KEY_FILE cannot be read \(ENOENT\)/);
  });

  it('malformed JSON names the variable and never quotes the file', () => {
    const secret = 'PRIVATE-KEY-MATERIAL-0123456789';
    const problems = problemsOf(env(file('broken.json', `{"private_key": "${secret}", oops`)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^GOOGLE_SERVICE_ACCOUNT_KEY_FILE is not valid JSON/);
    expect(problems[0]).not.toContain(secret);
  });

  it('a key file without the service account fields names which are missing', () => {
    const problems = problemsOf(
      env(file('user.json', JSON.stringify({ type: 'authorized_user', client_id: 'x' }))),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^GOOGLE_SERVICE_ACCOUNT_KEY_FILE is not a service account key file/);
    expect(problems[0]).toContain('client_email');
    expect(problems[0]).toContain('private_key');
  });

  it('a private key that is no key is refused at start', () => {
    const content = {
      type: 'service_account',
      client_email: GOOGLE_CLIENT_EMAIL,
      private_key: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n',
    };
    const problems = problemsOf(env(file('bad-key.json', JSON.stringify(content))));
    expect(problems).toEqual([
      'GOOGLE_SERVICE_ACCOUNT_KEY_FILE: its private_key is not a readable PEM private key',
    ]);
  });

  it('half a configuration names the missing variable; a subject that is no address is malformed', () => {
    const half = problemsOf({ GOOGLE_ADMIN_SUBJECT: GOOGLE_ADMIN });
    expect(half).toHaveLength(1);
    expect(half[0]).toMatch(
      /^GOOGLE_SERVICE_ACCOUNT_KEY_FILE is missing: Google Workspace is partly configured/,
    );
    const bad = problemsOf({
      GOOGLE_SERVICE_ACCOUNT_KEY_FILE: join(dir, 'x.json'),
      GOOGLE_ADMIN_SUBJECT: 'admin',
    });
    expect(bad.some((p) => p.startsWith('GOOGLE_ADMIN_SUBJECT is malformed'))).toBe(true);
  });
});
