import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import {
  createHuaweiProvider,
  HUAWEI_PORTAL_NOTICE,
  type HuaweiDeps,
  parseHuaweiError,
} from '../../src/providers/huawei-cloud/index.js';
import type { SessionProvider } from '../../src/providers/types.js';
import { listSessionsOf, revokeChosenOf } from '../../src/providers/types.js';
import { type FakeHuawei, HUAWEI_KEYS, startFakeHuawei } from '../fakes/huawei.js';
import { captureLogs } from '../helpers/capture.js';

const TOKEN = 'temporary-security-token-0123456789';
const alice = { system: 'huawei' as const, id: 'hw-alice', login: 'alice' };
const ids = (fake: FakeHuawei, route: string) =>
  fake.requestsTo(route).map((r) => (r.body as { session_ids: string[] }).session_ids);

describe('Huawei Cloud provider against a signature-checking fake', () => {
  let fake: FakeHuawei;
  let tokenFake: FakeHuawei;
  const logs: string[] = [];
  const delays: number[] = [];
  const errors: RevokeError[] = [];
  const make = (
    over: Partial<{ secretKey: string; securityToken: string; endpoint: string }> = {},
    deps: Partial<HuaweiDeps> = {},
  ) =>
    createHuaweiProvider(
      {
        accessKey: HUAWEI_KEYS.accessKey,
        secretKey: over.secretKey ?? HUAWEI_KEYS.secretKey,
        securityToken: over.securityToken,
        identityStoreId: HUAWEI_KEYS.store,
        region: undefined,
        endpoint: over.endpoint ?? fake.url,
      },
      {
        logger: new RedactingLogger(new Redactor(), 'debug', captureLogs(logs)),
        retryPolicy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxTotalMs: 30_000 },
        sleep: async (ms) => {
          delays.push(ms);
        },
        ...deps,
      },
    );
  /** Awaits a failure and keeps it for the no-secret check at the end. */
  const failure = async (p: Promise<unknown>): Promise<RevokeError> => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    if (!(e instanceof RevokeError)) throw new Error(`expected a RevokeError, got ${String(e)}`);
    errors.push(e);
    return e;
  };
  let hw: SessionProvider;

  beforeAll(async () => {
    fake = await startFakeHuawei();
    tokenFake = await startFakeHuawei({ securityToken: TOKEN });
    for (let i = 0; i < 250; i++)
      fake.users.push({
        user_id: `hw-${i}`,
        user_name: `user${i}`,
        emails: [{ value: `user${i}@example.com` }],
      });
    fake.users.push(
      { user_id: 'hw-alice', user_name: 'alice', emails: [{ value: 'Alice@Example.com', primary: true }] },
      { user_id: 'hw-evil', user_name: 'alice.other', emails: [{ value: 'alice@example.com.evil' }] },
      { user_id: 'hw-byname', user_name: 'Carol@Example.com', emails: [] },
      { user_id: 'hw-dup1', user_name: 'dup1', emails: [{ value: 'dup@example.com' }] },
      {
        user_id: 'hw-dup2',
        user_name: 'dup2',
        emails: [{ value: 'x@example.com' }, { value: 'DUP@example.com' }],
      },
      { user_id: 'hw-twice', user_name: 'twice', emails: [{ value: 'twice@example.com' }] },
    );
    // The same user listed again on a later page is still one person.
    fake.users.splice(120, 0, {
      user_id: 'hw-twice',
      user_name: 'twice',
      emails: [{ value: 'twice@example.com' }],
    });
    tokenFake.users.push({
      user_id: 'hw-alice',
      user_name: 'alice',
      emails: [{ value: 'alice@example.com' }],
    });
  });
  beforeEach(() => {
    hw = make();
    delays.length = 0;
    fake.repeatMarker = false;
    fake.sessions = [
      ...Array.from({ length: 120 }, (_, i) => ({
        session_id: `s-${i}`,
        user_id: 'hw-alice',
        ip_address: '10.0.0.1',
        user_agent: 'Mozilla/5.0 Firefox/140.0',
        creation_time: 1753858567,
      })),
      { session_id: 'other', user_id: 'hw-0', creation_time: 1753858567 },
    ];
  });
  afterAll(async () => {
    await Promise.all([fake.close(), tokenFake.close()]);
  });

  it('matches the email attribute exactly (ASCII case aside); never a prefix, a longer address or a user name', async () => {
    expect(await hw.findAccount({ email: 'alice@example.com' })).toEqual({
      status: 'found',
      account: { system: 'huawei', id: 'hw-alice', login: 'alice', displayName: 'alice' },
    });
    expect(await hw.findAccount({ email: 'ALICE@example.COM' })).toMatchObject({
      account: { id: 'hw-alice' },
    });
    // Other users in this store have emails, so a user name that looks like an address is not one.
    expect((await hw.findAccount({ email: 'carol@example.com' })).status).toBe('not_found');
    expect((await hw.findAccount({ email: 'alice@example' })).status).toBe('not_found');
    expect((await hw.findAccount({ email: 'lice@example.com' })).status).toBe('not_found');
    expect((await hw.findAccount({})).status).toBe('not_found');
  });

  it('refuses to pick when several users match; one user listed twice is not ambiguous', async () => {
    expect(await hw.findAccount({ email: 'dup@example.com' })).toMatchObject({
      status: 'ambiguous',
      candidates: 2,
    });
    expect(await hw.findAccount({ email: 'twice@example.com' })).toMatchObject({
      status: 'found',
      account: { id: 'hw-twice' },
    });
  });

  it('pages with limit=100 and each next_marker until there is none', async () => {
    const before = fake.requestsTo('users').length;
    await hw.findAccount({ email: 'user7@example.com' });
    const calls = fake.requestsTo('users').slice(before);
    expect(calls.map((r) => r.query)).toEqual([
      { limit: '100' },
      { limit: '100', marker: `m${'100'.padStart(23, '0')}` },
      { limit: '100', marker: `m${'200'.padStart(23, '0')}` },
    ]);
  });

  it('reads the user list once for many lookups (a bulk), again a second later, and never reuses a failed walk', async () => {
    let clock = Date.now();
    const p = make({}, { now: () => clock });
    const pages = () => fake.requestsTo('users').length;
    const before = pages();
    const found = await Promise.all(
      Array.from({ length: 40 }, (_, i) => p.findAccount({ email: `user${i}@example.com` })),
    );
    expect(found.every((f) => f.status === 'found')).toBe(true);
    expect(pages() - before).toBe(3); // 255 users, 100 a page: one walk for all 40 people
    await p.findAccount({ email: 'alice@example.com' });
    expect(pages() - before).toBe(3);
    clock += 1_001;
    await p.findAccount({ email: 'alice@example.com' });
    expect(pages() - before).toBe(6);
    fake.failNext('users', { status: 500 }, { status: 500 }, { status: 500 });
    clock += 1_001;
    await failure(p.findAccount({ email: 'alice@example.com' }));
    expect((await p.findAccount({ email: 'alice@example.com' })).status).toBe('found');
  });

  it('bounds paging: a repeating marker or a directory past the page cap ends in a clear error', async () => {
    fake.repeatMarker = true;
    const loop = await failure(hw.findAccount({ email: 'alice@example.com' }));
    expect(loop).toMatchObject({ code: ErrorCode.MalformedResponse, system: 'huawei' });
    expect(loop.message).toMatch(/repeated a page marker/);
    fake.repeatMarker = false;
    const capped = await failure(make({}, { maxUserPages: 2 }).findAccount({ email: 'alice@example.com' }));
    expect(capped).toMatchObject({ code: ErrorCode.IdentityMismatch });
    expect(capped.message).toMatch(/did not end within 2 pages/);
  });

  it('lists sessions (epoch seconds → ISO) and drops any session of another user', async () => {
    const sessions = await listSessionsOf(hw, alice);
    expect(sessions).toHaveLength(120);
    expect(sessions[0]).toEqual({
      id: 's-0',
      device: 'Mozilla/5.0 Firefox/140.0',
      ip: '10.0.0.1',
      createdAt: '2025-07-30T06:56:07.000Z',
      kind: 'web',
    });
    fake.failNext('sessions', {
      status: 200,
      body: {
        session_list: [
          {
            session_id: 'mine',
            user_id: 'hw-alice',
            creation_time: 1753858567,
            session_not_valid_after: 1753887367,
          },
          {
            session_id: 'theirs',
            user_id: 'hw-bob',
            creation_time: 1753858567,
            session_not_valid_after: 1753887367,
          },
        ],
      },
    });
    expect((await listSessionsOf(hw, alice)).map((s) => s.id)).toEqual(['mine']);
  });

  it('revokes chosen sessions in chunks of 50, each ID once', async () => {
    const before = fake.requestsTo('batch_delete').length;
    const chosen = fake.sessions.slice(0, 120).map((s) => s.session_id);
    const out = await revokeChosenOf(hw, alice, [...chosen, 's-0']);
    expect(out).toMatchObject({ state: 'revoked', count: 120, requestId: expect.stringMatching(/^hw-req-/) });
    expect(
      ids(fake, 'batch_delete')
        .slice(before)
        .map((c) => c.length),
    ).toEqual([50, 50, 20]);
    expect(fake.sessions.map((s) => s.session_id)).toEqual(['other']);
  });

  it('revoke all = list, then batch-delete what was listed; says what it does not end', async () => {
    const before = fake.requests.length;
    const out = await hw.revokeAll(alice, { scope: 'all' });
    expect(out).toMatchObject({ state: 'revoked', count: 120 });
    expect(out.detail).toContain(HUAWEI_PORTAL_NOTICE);
    expect(out.detail).toMatch(/console sessions .* permission set .* until they expire/);
    const routes = fake.requests
      .slice(before)
      .map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`);
    expect(routes).toEqual([
      'GET hw-alice/sessions',
      'POST sessions/batch-delete',
      'POST sessions/batch-delete',
      'POST sessions/batch-delete',
    ]);
    const none = await hw.revokeAll(alice, { scope: 'all' });
    expect(none).toMatchObject({ state: 'revoked', count: 0 });
    expect(none.detail).toContain(HUAWEI_PORTAL_NOTICE);
    expect(fake.requests.length - before).toBe(5);
  });

  it('a failing chunk says how many sessions had already ended', async () => {
    fake.failNext('batch_delete', { status: 200, body: '' }, { status: 400 });
    const e = await failure(hw.revokeAll(alice, { scope: 'all' }));
    expect(e.message).toMatch(
      /^50 of 120 session\(s\) were ended; then: Huawei Cloud refused batch-delete sessions \(HTTP 400\)/,
    );
    expect(e).toMatchObject({ code: ErrorCode.VendorRejected, vendorCode: 'IIC.400' });
  });

  it('a wrong secret key is refused by the signature check (401 APIGW.0301), once, and never shown', async () => {
    const before = fake.requests.length;
    const rejected = fake.badSignatures;
    const e = await failure(listSessionsOf(make({ secretKey: 'not-the-secret-key-42' }), alice));
    expect(e).toMatchObject({ code: ErrorCode.VendorAuth, status: 401, vendorCode: 'APIGW.0301' });
    expect(e.message).toMatch(/verify aksk signature fail/);
    // Not retried: the gateway locks an AK for 5 minutes after 5 failed signatures in a row.
    expect(fake.requests.length - before).toBe(1);
    expect(fake.badSignatures - rejected).toBe(1);
  });

  it('a clock more than 15 minutes off is refused; X-Sdk-Date follows the injected clock', async () => {
    const skewed = make({}, { now: () => Date.now() - 20 * 60_000 });
    const e = await failure(listSessionsOf(skewed, alice));
    expect(e.message).toMatch(/15 minutes/);
    await listSessionsOf(make({}, { now: () => Date.parse('2030-01-01T00:00:00Z') }), alice).catch(
      () => undefined,
    );
    expect(fake.requests.at(-1)?.headers['x-sdk-date']).toBe('20300101T000000Z');
  });

  it('temporary credentials: X-Security-Token is sent and signed; without it the store refuses', async () => {
    const withToken = make({ securityToken: TOKEN, endpoint: tokenFake.url });
    expect(await withToken.findAccount({ email: 'alice@example.com' })).toMatchObject({ status: 'found' });
    const sent = tokenFake.requests.at(-1);
    expect(sent?.headers['x-security-token']).toBe(TOKEN);
    expect(String(sent?.headers.authorization)).toContain('x-sdk-date;x-security-token,');
    const e = await failure(make({ endpoint: tokenFake.url }).findAccount({ email: 'alice@example.com' }));
    expect(e).toMatchObject({ code: ErrorCode.VendorAuth, status: 401 });
    const bad = await failure(
      listSessionsOf(make({ securityToken: 'wrong-token-value-123', endpoint: tokenFake.url }), alice),
    );
    expect(bad.code).toBe(ErrorCode.VendorAuth);
  });

  it('a 403 keeps its code and request id (body, or the X-Request-Id header)', async () => {
    fake.failNext('sessions', { status: 403 });
    const e = await failure(listSessionsOf(hw, alice));
    expect(e).toMatchObject({ code: ErrorCode.VendorAuth, status: 403, vendorCode: 'IIC.1000' });
    expect(e.requestId).toMatch(/^hw-req-/);
    expect(e.message).toMatch(/No permission for action .* encoded authorization message/);
    fake.failNext('batch_delete', {
      status: 403,
      body: { error_code: 'IIC.1001', error_msg: 'Dependent API access denied.' },
      headers: { 'x-request-id': 'from-the-header' },
    });
    expect(await failure(revokeChosenOf(hw, alice, ['s-1']))).toMatchObject({
      vendorCode: 'IIC.1001',
      requestId: 'from-the-header',
    });
  });

  it('404 and 400 bodies are surfaced as refused, not retried', async () => {
    const before = fake.requests.length;
    fake.failNext('sessions', { status: 404 });
    expect(await failure(listSessionsOf(hw, alice))).toMatchObject({
      code: ErrorCode.VendorRejected,
      vendorCode: 'IIC.404',
    });
    expect(fake.requests.length - before).toBe(1);
  });

  it('honours 429 Retry-After, then succeeds', async () => {
    fake.failNext('sessions', { status: 429, retryAfter: 4 });
    expect(await listSessionsOf(hw, alice)).toHaveLength(120);
    expect(delays).toEqual([4000]);
    fake.failNext('users', ...Array.from({ length: 3 }, () => ({ status: 429, retryAfter: 1 })));
    expect(await failure(hw.findAccount({ email: 'alice@example.com' }))).toMatchObject({
      code: ErrorCode.RateLimited,
      vendorCode: 'APIGW.0308',
    });
  });

  it('retries 5xx and connection resets; surfaces them when they persist', async () => {
    fake.failNext('batch_delete', { status: 500 }, { reset: true });
    expect(await revokeChosenOf(hw, alice, ['s-1'])).toMatchObject({ count: 1 });
    const before = fake.requestsTo('sessions').length;
    fake.failNext('sessions', { status: 502 }, { status: 503 }, { status: 500 });
    const e = await failure(listSessionsOf(hw, alice));
    expect(e).toMatchObject({ code: ErrorCode.VendorUnavailable, status: 500, retryable: true });
    expect(e.message).toMatch(/after 3 attempts/);
    expect(fake.requestsTo('sessions').length - before).toBe(3);
    fake.failNext('sessions', { reset: true }, { reset: true }, { reset: true });
    expect((await failure(listSessionsOf(hw, alice))).code).toBe(ErrorCode.VendorUnavailable);
  });

  it('times out a slow answer and reports the vendor unavailable', async () => {
    const slow = make({}, { timeoutMs: 80 });
    fake.failNext('sessions', { delayMs: 300 }, { delayMs: 300 }, { delayMs: 300 });
    const e = await failure(listSessionsOf(slow, alice));
    expect(e.code).toBe(ErrorCode.VendorUnavailable);
    expect(e.message).toMatch(/timeout/);
  });

  it('malformed JSON is a MalformedResponse, not retried', async () => {
    const before = fake.requestsTo('sessions').length;
    fake.failNext('sessions', { malformed: true });
    expect((await failure(listSessionsOf(hw, alice))).code).toBe(ErrorCode.MalformedResponse);
    expect(fake.requestsTo('sessions').length - before).toBe(1);
    fake.failNext('users', { status: 200, body: { users: [{ user_name: 'no id' }] } });
    expect((await failure(hw.findAccount({ email: 'x@example.com' }))).code).toBe(
      ErrorCode.MalformedResponse,
    );
  });

  it('the fake itself refuses and records an unsigned request that breaks the spec', async () => {
    const strict = await startFakeHuawei();
    try {
      const res = await fetch(`${strict.url}/v1/identity-stores/${HUAWEI_KEYS.store}/users?limit=500`, {
        headers: { 'X-Sdk-Date': '2026-01-01' },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-request-id')).toMatch(/^hw-req-/);
      expect(await res.json()).toMatchObject({ error_code: 'APIGW.0301' });
      expect(strict.violations.join('\n')).toMatch(/limit/);
      expect(strict.violations.join('\n')).toMatch(/header Authorization is required/);
      expect(strict.violations.join('\n')).toMatch(/header X-Sdk-Date does not match/);
    } finally {
      await strict.close();
    }
  });

  it('reads error bodies as the SDKs do', () => {
    expect(parseHuaweiError(400, { errorCode: 'X.1', errorMsg: 'camel' })).toMatchObject({
      vendorCode: 'X.1',
      message: 'camel',
    });
    expect(
      parseHuaweiError(400, { error: { code: 'IAM.1', message: 'nested' } }, { 'x-request-id': 'h' }),
    ).toEqual({
      vendorCode: 'IAM.1',
      message: 'nested',
      requestId: 'h',
    });
    expect(parseHuaweiError(502, '<html>Bad Gateway</html>', { 'x-request-id': 'g' })).toEqual({
      message: '<html>Bad Gateway</html>',
      requestId: 'g',
    });
  });

  it('sent only what the spec allows, answered only what it documents, and leaked no secret', () => {
    expect(fake.violations).toEqual([]);
    expect(tokenFake.violations).toEqual([]);
    expect(fake.responseViolations).toEqual([]);
    expect(tokenFake.responseViolations).toEqual([]);
    expect(errors.length).toBeGreaterThan(15);
    const said = [
      ...errors.map((e) => `${e.message} ${e.hint ?? ''} ${JSON.stringify(e.toJSON())}`),
      ...logs,
    ].join('\n');
    for (const secret of [HUAWEI_KEYS.secretKey, TOKEN, 'not-the-secret-key-42', 'wrong-token-value-123'])
      expect(said).not.toContain(secret);
  });
});
