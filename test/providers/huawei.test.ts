import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, type RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { createHuaweiProvider } from '../../src/providers/huawei-cloud/index.js';
import type { SessionProvider } from '../../src/providers/types.js';
import { FakeHuawei, HUAWEI_KEYS } from '../fakes/huawei.js';

describe('Huawei Cloud provider against a signature-checking fake', () => {
  const fake = new FakeHuawei();
  const logs: string[] = [];
  const delays: number[] = [];
  let hw: SessionProvider;
  const make = (secretKey = HUAWEI_KEYS.secretKey, timeoutMs?: number) =>
    createHuaweiProvider(
      {
        accessKey: HUAWEI_KEYS.accessKey,
        secretKey,
        securityToken: undefined,
        identityStoreId: HUAWEI_KEYS.store,
        region: undefined,
        endpoint: fake.url,
      },
      {
        logger: new RedactingLogger(new Redactor([HUAWEI_KEYS.secretKey]), 'debug', (l) => logs.push(l)),
        retryPolicy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxTotalMs: 30_000 },
        sleep: async (ms) => {
          delays.push(ms);
        },
        timeoutMs,
      },
    );
  const alice = { system: 'huawei' as const, id: 'hw-alice', login: 'alice' };

  beforeAll(async () => {
    await fake.start();
    for (let i = 0; i < 250; i++)
      fake.users.push({
        user_id: `hw-${i}`,
        user_name: `user${i}`,
        emails: [{ value: `user${i}@example.com` }],
      });
    fake.users.push(
      { user_id: 'hw-alice', user_name: 'alice', emails: [{ value: 'Alice@Example.com', primary: true }] },
      { user_id: 'hw-alice2', user_name: 'alice.other', emails: [{ value: 'alice@example.com.evil' }] },
      { user_id: 'hw-byname', user_name: 'carol@example.com', emails: [] },
      { user_id: 'hw-dup1', user_name: 'dup1', emails: [{ value: 'dup@example.com' }] },
      { user_id: 'hw-dup2', user_name: 'dup2', emails: [{ value: 'dup@example.com' }] },
    );
  });
  beforeEach(() => {
    hw = make();
    delays.length = 0;
    fake.sessions = [
      ...Array.from({ length: 120 }, (_, i) => ({
        session_id: `s-${i}`,
        user_id: 'hw-alice',
        ip_address: '10.0.0.1',
        user_agent: 'Firefox',
        creation_time: 1753858567,
      })),
      { session_id: 'other', user_id: 'hw-0', creation_time: 1753858567 },
    ];
  });
  afterAll(() => fake.close());

  it('finds people by exact email or user name across pages; never by prefix; ambiguity refused', async () => {
    expect(await hw.findAccount({ email: 'alice@example.com' })).toMatchObject({
      status: 'found',
      account: { id: 'hw-alice' },
    });
    expect(await hw.findAccount({ email: 'carol@example.com' })).toMatchObject({
      status: 'found',
      account: { id: 'hw-byname' },
    });
    expect((await hw.findAccount({ email: 'alice@example' })).status).toBe('not_found');
    expect(await hw.findAccount({ email: 'dup@example.com' })).toMatchObject({
      status: 'ambiguous',
      candidates: 2,
    });
    expect(fake.requestsTo('users').filter((r) => r.query.marker).length).toBeGreaterThanOrEqual(2);
    expect(fake.badSignatures).toBe(0);
  });

  it('lists sessions (epoch seconds → ISO) and never another person’s', async () => {
    const sessions = await hw.listSessions(alice);
    expect(sessions).toHaveLength(120);
    expect(sessions[0]).toMatchObject({
      id: 's-0',
      ip: '10.0.0.1',
      createdAt: new Date(1753858567000).toISOString(),
    });
  });

  it('revokes all by listing then batch-deleting in chunks', async () => {
    const out = await hw.revokeAll(alice, { scope: 'all' });
    expect(out).toMatchObject({ state: 'revoked', count: 120 });
    const deletes = fake.requestsTo('batch_delete').slice(-3);
    expect(deletes.map((d) => (d.body as { session_ids: string[] }).session_ids.length)).toEqual([
      50, 50, 20,
    ]);
    expect(fake.sessions.map((s) => s.session_id)).toEqual(['other']);
  });

  it('refuses a wrong secret key with 401 (signature checked), without leaking it', async () => {
    const bad = make('not-the-secret-key');
    const err = (await bad.listSessions(alice).catch((e) => e)) as RevokeError;
    expect(err.code).toBe(ErrorCode.VendorAuth);
    expect(err.vendorCode).toBe('APIGW.0301');
    expect(err.message).not.toContain('not-the-secret-key');
  });

  it('surfaces a 403 with its code and request id', async () => {
    fake.failNext('sessions', {
      status: 403,
      body: {
        error_code: 'IIC.1000',
        error_msg: 'No permission for action ListSessions.',
        request_id: 'hw-rq-403',
        encoded_authorization_message: 'xyz',
      },
    });
    const err = (await hw.listSessions(alice).catch((e) => e)) as RevokeError;
    expect(err).toMatchObject({ code: ErrorCode.VendorAuth, vendorCode: 'IIC.1000', requestId: 'hw-rq-403' });
  });

  it('honours 429 Retry-After, retries 5xx, and gives typed errors for timeouts and malformed JSON', async () => {
    fake.failNext('sessions', { status: 429, retryAfter: 4 }, { status: 500 });
    expect(await hw.listSessions(alice)).toHaveLength(120);
    expect(delays[0]).toBe(4000);
    fake.failNext('sessions', { malformed: true });
    expect(((await hw.listSessions(alice).catch((e) => e)) as RevokeError).code).toBe(
      ErrorCode.MalformedResponse,
    );
    const slow = make(HUAWEI_KEYS.secretKey, 80);
    fake.failNext('sessions', { delayMs: 300 }, { delayMs: 300 }, { delayMs: 300 });
    expect(((await slow.listSessions(alice).catch((e) => e)) as RevokeError).code).toBe(
      ErrorCode.VendorUnavailable,
    );
  });

  it('sends only requests the spec allows; no secret in any log line', () => {
    expect(fake.violations).toEqual([]);
    expect(logs.join('\n')).not.toContain(HUAWEI_KEYS.secretKey);
  });
});
