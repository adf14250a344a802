import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ErrorCode, RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { createBoxProvider } from '../../src/providers/box/index.js';
import type { BoxProvider } from '../../src/providers/box/provider.js';
import type { SessionProvider } from '../../src/providers/types.js';
import { BOX_CREDENTIALS, FakeBox } from '../fakes/box.js';
import { captureLogs } from '../helpers/capture.js';

describe('Box provider against a fake Box API', () => {
  const fake = new FakeBox();
  const logs: string[] = [];
  const delays: number[] = [];
  let box: SessionProvider;

  const make = (timeoutMs?: number) => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      REVOKE_REQUESTERS: 'U0001',
      ...fake.env(),
    });
    if (!config.systems.box) throw new Error('box not configured');
    return createBoxProvider(config.systems.box, {
      logger: new RedactingLogger(new Redactor([BOX_CREDENTIALS.clientSecret]), 'debug', captureLogs(logs)),
      retryPolicy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxTotalMs: 30_000 },
      sleep: async (ms) => {
        delays.push(ms);
      },
      timeoutMs,
    });
  };

  beforeAll(async () => {
    await fake.start();
    fake.users.push(
      { id: '11', login: 'alice@example.com', name: 'Alice' },
      { id: '12', login: 'alice@example.com.evil.test', name: 'Alice Evil' },
      { id: '13', login: 'al@example.com', name: 'Al' },
      { id: '21', login: 'twin@example.com', name: 'Twin A' },
      { id: '22', login: 'TWIN@example.com', name: 'Twin B' },
    );
  });
  beforeEach(() => {
    box = make();
    delays.length = 0;
  });
  afterAll(() => fake.close());

  it('gets a CCG token once and reuses it', async () => {
    const before = fake.tokensIssued;
    await box.findAccount({ email: 'alice@example.com' });
    await box.findAccount({ email: 'al@example.com' });
    expect(fake.tokensIssued - before).toBe(1);
    const tokenCall = fake.requestsTo('token').at(-1);
    expect(tokenCall?.body).toMatchObject({
      grant_type: 'client_credentials',
      box_subject_type: 'enterprise',
      box_subject_id: '424242',
    });
  });

  it('matches the login exactly, never by prefix', async () => {
    const found = await box.findAccount({ email: 'Alice@Example.com' });
    expect(found).toMatchObject({ status: 'found', account: { id: '11', login: 'alice@example.com' } });
    expect((await box.findAccount({ email: 'al@example.com' })).status).toBe('found');
    expect((await box.findAccount({ email: 'alic@example.com' })).status).toBe('not_found');
  });

  it('reports two exact matches as ambiguous', async () => {
    expect(await box.findAccount({ email: 'twin@example.com' })).toMatchObject({
      status: 'ambiguous',
      candidates: 2,
    });
  });

  it('pages through a long prefix match', async () => {
    for (let i = 0; i < 1500; i++)
      fake.users.push({ id: `p${i}`, login: `page@example.com.old${i}`, name: `P${i}` });
    fake.users.push({ id: 'last', login: 'page@example.com', name: 'last' });
    const found = await box.findAccount({ email: 'page@example.com' });
    expect(found).toMatchObject({ status: 'found', account: { id: 'last' } });
    expect(fake.requestsTo('users').filter((r) => r.query.filter_term === 'page@example.com')).toHaveLength(
      2,
    );
  });

  it('queues termination with both user_ids and user_logins, and never says done', async () => {
    const out = await box.revokeAll(
      { system: 'box', id: '11', login: 'alice@example.com' },
      { scope: 'all' },
    );
    expect(out.state).toBe('queued');
    expect(fake.requestsTo('terminate_sessions').at(-1)?.body).toEqual({
      user_ids: ['11'],
      user_logins: ['alice@example.com'],
    });
    expect(fake.terminated).toContain('11');
  });

  it('terminates many people in chunks', async () => {
    const provider = box as BoxProvider;
    const accounts = Array.from({ length: 450 }, (_, i) => ({
      system: 'box' as const,
      id: `b${i}`,
      login: `b${i}@example.com`,
    }));
    const before = fake.requestsTo('terminate_sessions').length;
    const out = await provider.revokeAllBulk(accounts);
    expect([...out.values()].every((o) => !(o instanceof Error) && o.state === 'queued')).toBe(true);
    expect(fake.requestsTo('terminate_sessions').length - before).toBe(3);
  });

  it('refreshes the token once on a 401', async () => {
    await box.findAccount({ email: 'alice@example.com' });
    fake.validTokens.clear();
    const before = fake.tokensIssued;
    expect((await box.findAccount({ email: 'alice@example.com' })).status).toBe('found');
    expect(fake.tokensIssued - before).toBe(1);
  });

  it('honours 429 Retry-After and retries 5xx', async () => {
    fake.failNext('terminate_sessions', { status: 429, retryAfter: 7 }, { status: 500 });
    const out = await box.revokeAll(
      { system: 'box', id: '11', login: 'alice@example.com' },
      { scope: 'all' },
    );
    expect(out.state).toBe('queued');
    expect(delays[0]).toBe(7000);
  });

  it('surfaces 403 with the vendor code, message and request id', async () => {
    fake.failNext('users', {
      status: 403,
      body: {
        type: 'error',
        status: 403,
        code: 'access_denied_insufficient_permissions',
        message: 'Access denied',
        request_id: 'rq-403',
      },
    });
    const err = (await box.findAccount({ email: 'alice@example.com' }).catch((e) => e)) as RevokeError;
    expect(err).toBeInstanceOf(RevokeError);
    expect(err.code).toBe(ErrorCode.VendorAuth);
    expect(err).toMatchObject({
      status: 403,
      vendorCode: 'access_denied_insufficient_permissions',
      requestId: 'rq-403',
    });
    expect(err.message).toContain('Access denied');
  });

  it('gives up on persistent 503 within the bound, and on malformed JSON at once', async () => {
    fake.failNext('users', { status: 503 }, { status: 503 }, { status: 503 });
    expect(
      ((await box.findAccount({ email: 'alice@example.com' }).catch((e) => e)) as RevokeError).code,
    ).toBe(ErrorCode.VendorUnavailable);
    fake.failNext('users', { malformed: true });
    expect(
      ((await box.findAccount({ email: 'alice@example.com' }).catch((e) => e)) as RevokeError).code,
    ).toBe(ErrorCode.MalformedResponse);
  });

  it('times out a slow answer', async () => {
    const slow = make(100);
    fake.failNext('users', { delayMs: 400 }, { delayMs: 400 }, { delayMs: 400 });
    const err = (await slow.findAccount({ email: 'alice@example.com' }).catch((e) => e)) as RevokeError;
    expect(err.code).toBe(ErrorCode.VendorUnavailable);
  });

  it('refuses bad client credentials with a clear error', async () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      REVOKE_REQUESTERS: 'U0001',
      ...fake.env(),
      BOX_CLIENT_SECRET: 'wrong-secret-value',
    });
    const bad = createBoxProvider(config.systems.box ?? (BOX_CREDENTIALS as never), {
      logger: new RedactingLogger(new Redactor([]), 'error', captureLogs()),
    });
    const err = (await bad.findAccount({ email: 'alice@example.com' }).catch((e) => e)) as RevokeError;
    expect(err.message).toContain('not valid');
    expect(err.message).not.toContain('wrong-secret-value');
  });

  it('sends only requests the Box spec allows, and never leaks a secret', () => {
    expect(fake.violations).toEqual([]);
    const all = logs.join('\n');
    expect(all).not.toContain(BOX_CREDENTIALS.clientSecret);
    expect(all).not.toMatch(/box-access-token-\d/);
  });
});
