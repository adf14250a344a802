import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { describeStep } from '../../src/engine/outcome.js';
import { ErrorCode, RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { VendorHttp } from '../../src/providers/http.js';
import {
  createOktaProvider,
  OKTA_QUIRKS,
  OKTA_REVOKED_DETAIL,
  okta,
  oktaRateLimitWaitMs,
  oktaSearchExpression,
  oktaString,
} from '../../src/providers/okta/index.js';
import type { Account, AccountLookup, SessionProvider } from '../../src/providers/types.js';
import { listSessionsOf, revokeChosenOf } from '../../src/providers/types.js';
import { world } from '../engine/world.js';
import { FakeOkta, OKTA_TOKEN, type OktaStatus, oktaError, parseSearch } from '../fakes/okta.js';
import { captureLogs } from '../helpers/capture.js';
import { configProblems } from '../helpers/config-problems.js';

const POLICY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxTotalMs: 30_000 };

function failed(error: unknown): RevokeError {
  expect(error).toBeInstanceOf(RevokeError);
  return error as RevokeError;
}

async function rejection(call: () => Promise<unknown>): Promise<RevokeError> {
  try {
    await call();
  } catch (error) {
    return failed(error);
  }
  throw new Error('expected the call to fail');
}

function account(lookup: AccountLookup): Account {
  if (lookup.status !== 'found') throw new Error(`expected found, got ${lookup.status}`);
  return lookup.account;
}

describe('Okta provider against a fake Okta org', () => {
  const fake = new FakeOkta();
  const logs: string[] = [];
  const waits: number[] = [];
  let provider: SessionProvider;

  const person = (id: string, login: string, email = login, status: OktaStatus = 'ACTIVE') =>
    fake.users.push({ id, status, login, email, sessions: [`${id}-s1`], oauthTokens: [`${id}-t1`] });

  beforeAll(async () => {
    await fake.start();
  });
  beforeEach(() => {
    fake.users.length = 0;
    fake.cleared.length = 0;
    fake.requests.length = 0;
    fake.violations.length = 0;
    logs.length = 0;
    waits.length = 0;
    provider = createOktaProvider(
      { orgUrl: fake.url, token: OKTA_TOKEN },
      {
        logger: new RedactingLogger(new Redactor([OKTA_TOKEN]), 'debug', captureLogs(logs)),
        retryPolicy: POLICY,
        sleep: async (ms) => {
          waits.push(ms);
        },
        timeoutMs: 300,
      },
    );
  });
  afterEach(() => {
    // Every request the provider sent is one Okta's published OpenAPI document allows.
    expect(fake.violations).toEqual([]);
  });
  afterAll(() => fake.close());

  describe('finding the person', () => {
    it('searches profile.email or profile.login for the exact address, sending the token as SSWS', async () => {
      person('00ualice', 'alice@example.com');
      const found = account(await provider.findAccount({ email: 'Alice@Example.com' }));
      expect(found).toMatchObject({ system: 'okta', id: '00ualice', login: 'alice@example.com' });
      const [search] = fake.requestsTo('users');
      expect(search?.query.search).toBe(
        'profile.email eq "alice@example.com" or profile.login eq "alice@example.com"',
      );
      expect(search?.query.limit).toBe('200');
      expect(search?.headers.authorization).toBe(`SSWS ${OKTA_TOKEN}`);
    });

    it('escapes " and \\ in the search expression, so an address cannot change the query', async () => {
      expect(oktaString('a"b\\c')).toBe('"a\\"b\\\\c"');
      const tricky = 'x" or profile.email sw "a\\@example.com';
      // Parsed back as Okta would, it is still two exact terms on the whole address.
      expect(parseSearch(oktaSearchExpression(tricky))).toEqual([
        { attribute: 'profile.email', value: tricky },
        { attribute: 'profile.login', value: tricky },
      ]);
      person('00uquote', tricky);
      person('00uother', 'alice@example.com');
      expect(account(await provider.findAccount({ email: tricky })).id).toBe('00uquote');
    });

    it('matches by login when the profile email is another address', async () => {
      person('00ulogin', 'carol@example.com', 'carol.personal@mail.example.org');
      expect(account(await provider.findAccount({ email: 'carol@example.com' })).id).toBe('00ulogin');
    });

    it('never takes a lookalike address that Okta’s case-insensitive search returns', async () => {
      // U+212A KELVIN SIGN lower-cases to "k" on the server; the answer is compared ASCII-only.
      person('00ukelvin', '\u212Aate@example.com');
      expect(await provider.findAccount({ email: 'kate@example.com' })).toMatchObject({
        status: 'not_found',
      });
      expect(fake.requestsTo('users')[0]?.query.search).toContain('"kate@example.com"');
      person('00ukate', 'kate@example.com');
      expect(account(await provider.findAccount({ email: 'kate@example.com' })).id).toBe('00ukate');
    });

    it('one user’s login being another user’s email is ambiguous: nothing is chosen', async () => {
      person('00udan', 'dan@example.com');
      person('00umallory', 'mallory@example.com', 'dan@example.com');
      const lookup = await provider.findAccount({ email: 'dan@example.com' });
      expect(lookup).toMatchObject({ status: 'ambiguous', candidates: 2 });
    });

    it('a full page of answers is ambiguous rather than a guess', async () => {
      for (let i = 0; i < 200; i++) person(`00ubulk${i}`, `bulk${i}@corp.example.net`, 'bulk@example.com');
      expect((await provider.findAccount({ email: 'bulk@example.com' })).status).toBe('ambiguous');
    });

    it('no email: not searched at all', async () => {
      expect((await provider.findAccount({ slackUserId: 'U1' })).status).toBe('not_found');
      expect(fake.requestsTo('users')).toHaveLength(0);
    });
  });

  describe('ending the sessions', () => {
    it('clears every session and OAuth token of exactly that user, and says it cannot be verified by listing', async () => {
      person('00ualice', 'alice@example.com');
      person('00ubob', 'bob@example.com');
      const alice = account(await provider.findAccount({ email: 'alice@example.com' }));
      const outcome = await provider.revokeAll(alice, { scope: 'all' });
      expect(outcome.state).toBe('revoked');
      expect(outcome.detail).toBe(OKTA_REVOKED_DETAIL);
      expect(outcome.detail).toMatch(/^revoked, not verifiable by listing/);
      expect(outcome.requestId).toMatch(/^fake-okta-req-/);
      const [call] = fake.requestsTo('clear_sessions');
      expect(call?.method).toBe('DELETE');
      expect(call?.path).toBe('/api/v1/users/00ualice/sessions');
      expect(call?.query.oauthTokens).toBe('true');
      expect(fake.cleared).toEqual([{ userId: '00ualice', oauthTokens: true }]);
      const [a, b] = fake.users;
      expect([a?.sessions, a?.oauthTokens]).toEqual([[], []]);
      expect([b?.sessions, b?.oauthTokens]).toEqual([['00ubob-s1'], ['00ubob-t1']]);
    });

    it.each([
      ['SUSPENDED', 'the Okta account is suspended'],
      ['DEPROVISIONED', 'the Okta account is deactivated (deprovisioned)'],
      ['LOCKED_OUT', 'the Okta account is locked out'],
    ] as const)('a %s user is found, cleared all the same, and the outcome says so', async (status, said) => {
      person('00usus', 'sus@example.com', 'sus@example.com', status);
      const found = account(await provider.findAccount({ email: 'sus@example.com' }));
      expect(found.extra).toEqual({ status });
      const outcome = await provider.revokeAll(found, { scope: 'all' });
      expect(outcome.state).toBe('revoked');
      expect(outcome.detail).toBe(`${OKTA_REVOKED_DETAIL}; ${said}`);
      expect(outcome.detail?.length).toBeLessThanOrEqual(300);
    });

    it('lists nothing and ends no single session: both refuse without a call', async () => {
      expect(
        (await rejection(() => listSessionsOf(provider, { system: 'okta', id: 'x', login: 'x' }))).code,
      ).toBe(ErrorCode.NotAllowed);
      expect(
        (await rejection(() => revokeChosenOf(provider, { system: 'okta', id: 'x', login: 'x' }, ['s'])))
          .code,
      ).toBe(ErrorCode.NotAllowed);
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('errors in Okta’s own bodies', () => {
    it('a 403 E0000006 on clearing names the missing permission; the error id is kept for Okta Support', async () => {
      person('00ualice', 'alice@example.com');
      const alice = account(await provider.findAccount({ email: 'alice@example.com' }));
      const body = oktaError('E0000006', 'You do not have permission to perform the requested action');
      fake.failNext('clear_sessions', { status: 403, body });
      const error = await rejection(() => provider.revokeAll(alice, { scope: 'all' }));
      expect(error.code).toBe(ErrorCode.VendorAuth);
      expect(error.vendorCode).toBe('E0000006');
      expect(error.requestId).toBe(body.errorId);
      expect(error.message).toContain('You do not have permission to perform the requested action');
      expect(error.message).toContain('okta.users.lifecycle.clearSessions');
      expect(error.hint).toContain('okta.users.manage');
      expect(fake.cleared).toHaveLength(0);
    });

    it('a 403 on the search names okta.users.read', async () => {
      fake.failNext('users', { status: 403 });
      const error = await rejection(() => provider.findAccount({ email: 'alice@example.com' }));
      expect(error.message).toContain('okta.users.read');
    });

    it('a 401 E0000011 says the token was not accepted, never showing it', async () => {
      const wrong = createOktaProvider(
        { orgUrl: fake.url, token: 'wrong-okta-token-value-123' },
        { logger: new RedactingLogger(new Redactor([]), 'debug', captureLogs(logs)), retryPolicy: POLICY },
      );
      const error = await rejection(() => wrong.findAccount({ email: 'alice@example.com' }));
      expect(error.code).toBe(ErrorCode.VendorAuth);
      expect(error.vendorCode).toBe('E0000011');
      expect(error.message).toContain('Invalid token provided');
      expect(error.hint).toContain('OKTA_API_TOKEN');
      for (const text of [error.message, error.hint, ...logs])
        expect(text).not.toContain('wrong-okta-token-value-123');
    });

    it('the causes of an error are part of its sentence', async () => {
      fake.failNext('users', {
        status: 400,
        body: oktaError('E0000031', 'Invalid search criteria.', ['search: unsupported operator']),
      });
      const error = await rejection(() => provider.findAccount({ email: 'alice@example.com' }));
      expect(error.code).toBe(ErrorCode.VendorRejected);
      expect(error.message).toContain('Invalid search criteria.; search: unsupported operator');
    });

    it('a 429 waits until X-Rate-Limit-Reset, counted from the answer’s Date header', async () => {
      person('00ualice', 'alice@example.com');
      const now = Math.floor(Date.now() / 1000);
      fake.failNext('users', {
        status: 429,
        headers: {
          // An Okta clock 10 minutes ahead of ours: only the difference of its two headers counts.
          date: new Date((now + 600) * 1000).toUTCString(),
          'x-rate-limit-limit': '600',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(now + 603),
        },
      });
      expect(account(await provider.findAccount({ email: 'alice@example.com' })).id).toBe('00ualice');
      expect(waits).toEqual([3_000]);
    });

    it('a DELETE that might have taken effect and timed out is outcome_unknown when sent as non-idempotent', async () => {
      person('00ualice', 'alice@example.com');
      fake.failNext('clear_sessions', { delayMs: 900 });
      const http = new VendorHttp({
        system: 'okta',
        baseUrl: `${fake.url}/api/v1`,
        logger: new RedactingLogger(new Redactor([]), 'debug', captureLogs(logs)),
        secrets: [OKTA_TOKEN],
        quirks: OKTA_QUIRKS,
        authorize: () => ({ authorization: `SSWS ${OKTA_TOKEN}` }),
        retryPolicy: POLICY,
        sleep: async () => {},
        timeoutMs: 300,
      });
      const error = await rejection(() =>
        http.request({
          operation: 'clear user sessions',
          method: 'DELETE',
          path: '/users/00ualice/sessions',
          query: { oauthTokens: 'true' },
          idempotent: false,
          schema: z.unknown(),
        }),
      );
      expect(error.code).toBe(ErrorCode.OutcomeUnknown);
      expect(fake.requestsTo('clear_sessions')).toHaveLength(1);
    });
  });

  describe('doctor', () => {
    it('proves the token and the permission to view users, and says what it cannot check', async () => {
      const said = await okta.doctor(provider);
      expect(said).toContain('acting as revoke-bot@example.com');
      expect(said).toContain('probe: not_found');
      expect(said).toContain('okta.users.lifecycle.clearSessions');
      expect(fake.requestsTo('me')).toHaveLength(1);
      expect(fake.requestsTo('clear_sessions')).toHaveLength(0);
    });

    it('a token without the permission to view users fails, naming it', async () => {
      fake.failNext('users', { status: 403 });
      const error = await rejection(() => okta.doctor(provider));
      expect(error.message).toContain('okta.users.read');
    });
  });

  it('through the engine: the step is revoked and the thread’s sentence says it is not verifiable by listing', async () => {
    person('00ualice', 'alice@example.com');
    // The engine's test world takes any SessionProvider; it only reads its id.
    const w = world([provider as never]);
    await w.ready();
    w.directory.add('UREQ', 'req@example.com').add('UALICE', 'alice@example.com');
    const asked = await w.engine.ask({
      source: 'slash_command',
      requester: { kind: 'slack', id: 'UREQ' },
      people: [{ kind: 'user', userId: 'UALICE' }],
      systems: ['okta'],
      slackScope: 'all',
      reason: 'INC-7: phished',
    });
    if (!asked.ok) throw new Error(asked.message);
    const final = await w.engine.run(asked.request.id);
    expect(final?.status).toBe('done');
    const [step] = await w.store.listSteps(asked.request.id);
    expect(step?.state).toBe('revoked');
    expect(step?.result?.remaining).toBeUndefined();
    const sentence = describeStep(asked.request, step ?? (undefined as never), 'Okta')
      .phrases.map((p) => p.text)
      .join('');
    // The time Okta accepted it follows (Okta has no listing: accepted, never confirmed).
    expect(sentence.startsWith(`sessions revoked (${OKTA_REVOKED_DETAIL}).`)).toBe(true);
    expect(sentence).toMatch(/ \(accepted \+\d+ s after approval\)$/);
    expect(fake.cleared).toEqual([{ userId: '00ualice', oauthTokens: true }]);
  });
});

describe('Okta rate-limit wait', () => {
  const at = Date.parse('2026-12-01T10:00:00Z');
  it('is the reset minus the Date header, else minus the local clock, at least a second', () => {
    const reset = String(at / 1000 + 5);
    expect(oktaRateLimitWaitMs({ 'x-rate-limit-reset': reset, date: new Date(at).toUTCString() })).toBe(
      5_000,
    );
    expect(oktaRateLimitWaitMs({ 'x-rate-limit-reset': reset }, () => at + 1_500)).toBe(3_500);
    expect(oktaRateLimitWaitMs({ 'x-rate-limit-reset': String(at / 1000 - 30) }, () => at)).toBe(1_000);
  });
  it('falls back on a standard Retry-After, else says nothing', () => {
    expect(oktaRateLimitWaitMs({ 'retry-after': '7' })).toBe(7_000);
    expect(oktaRateLimitWaitMs({})).toBeUndefined();
    expect(oktaRateLimitWaitMs({ 'x-rate-limit-reset': 'soon' })).toBeUndefined();
  });
});

describe('Okta configuration', () => {
  const problems = (env: Record<string, string>): string[] => configProblems(env, { requireSlack: false });

  it('both variables turn it on; the trailing slash of the org URL is dropped', () => {
    const config = loadConfig(
      { OKTA_ORG_URL: 'https://acme.okta.com/', OKTA_API_TOKEN: OKTA_TOKEN },
      { requireSlack: false },
    );
    expect(config.systems.okta).toEqual({ orgUrl: 'https://acme.okta.com', token: OKTA_TOKEN });
  });

  it('half a configuration names the missing variable', () => {
    expect(problems({ OKTA_ORG_URL: 'https://acme.okta.com' }).join('\n')).toContain(
      'OKTA_API_TOKEN is missing',
    );
  });

  it('a token pasted with its SSWS prefix is refused without showing it', () => {
    const said = problems({ OKTA_ORG_URL: 'https://acme.okta.com', OKTA_API_TOKEN: `SSWS ${OKTA_TOKEN}` });
    expect(said.join('\n')).toContain('OKTA_API_TOKEN is malformed');
    expect(said.join('\n')).not.toContain(OKTA_TOKEN);
  });

  it('the Admin Console URL is refused with what to use instead', () => {
    const said = problems({ OKTA_ORG_URL: 'https://acme-admin.okta.com', OKTA_API_TOKEN: OKTA_TOKEN });
    expect(said.join('\n')).toContain('drop "-admin"');
  });

  it('its .env.example section names each of its variables', () => {
    const section = okta.envExample ?? '';
    expect(section.split('\n')[0]).toMatch(/^# --- Okta .* ---$/);
    for (const name of Object.keys(okta.env)) expect(section).toMatch(new RegExp(`^${name}=$`, 'm'));
  });
});
