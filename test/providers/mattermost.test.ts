import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, type RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { createMattermostProvider } from '../../src/providers/mattermost/index.js';
import type { SessionProvider } from '../../src/providers/types.js';
import { listSessionsOf, revokeChosenOf } from '../../src/providers/types.js';
import { FakeMattermost, MATTERMOST_TOKEN } from '../fakes/mattermost.js';
import { captureLogs } from '../helpers/capture.js';

describe('Mattermost provider against a fake Mattermost server', () => {
  const fake = new FakeMattermost();
  const logs: string[] = [];
  const delays: number[] = [];
  let mm: SessionProvider;
  const alice = { system: 'mattermost' as const, id: 'mm-alice', login: 'alice@example.com' };

  beforeAll(async () => {
    await fake.start();
    fake.users.push(
      { id: 'mm-alice', email: 'alice@example.com', username: 'alice' },
      { id: 'mm-gone', email: 'gone@example.com', username: 'gone', delete_at: 1700000000000 },
      { id: 'mm-plus', email: 'al+x@example.com', username: 'alx' },
    );
  });
  beforeEach(() => {
    delays.length = 0;
    fake.sessions = [
      {
        id: 's1',
        user_id: 'mm-alice',
        token: 'SESSION-TOKEN-1',
        create_at: 1700000000000,
        last_activity_at: 1700000500000,
        props: { browser: 'Chrome/120', os: 'Windows 11', platform: 'Windows' },
      },
      {
        id: 's2',
        user_id: 'mm-alice',
        token: 'SESSION-TOKEN-2',
        create_at: 1700000000000,
        last_activity_at: 1700000600000,
        device_id: 'apple:abc',
        props: { os: 'iOS' },
      },
      {
        id: 's3',
        user_id: 'mm-bob',
        token: 'SESSION-TOKEN-3',
        create_at: 1700000000000,
        last_activity_at: 1700000000000,
      },
    ];
    mm = createMattermostProvider(
      { url: fake.url, token: MATTERMOST_TOKEN },
      {
        logger: new RedactingLogger(new Redactor([MATTERMOST_TOKEN]), 'debug', captureLogs(logs)),
        retryPolicy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxTotalMs: 30_000 },
        sleep: async (ms) => {
          delays.push(ms);
        },
      },
    );
  });
  afterAll(() => fake.close());

  it('finds a user by exact email (URL-encoded), and reports unknown and deactivated users', async () => {
    expect(await mm.findAccount({ email: 'Alice@Example.com' })).toMatchObject({
      status: 'found',
      account: { id: 'mm-alice' },
    });
    expect((await mm.findAccount({ email: 'al+x@example.com' })).status).toBe('found');
    expect(
      fake.requests.some(
        (r) => r.path === '/api/v4/users/email/al%2Bx%40example.com' || r.path.includes('%2B'),
      ),
    ).toBe(true);
    expect((await mm.findAccount({ email: 'nobody@example.com' })).status).toBe('not_found');
    expect((await mm.findAccount({ email: 'gone@example.com' })).status).toBe('not_allowed');
  });

  it('lists only the person’s sessions, without their tokens', async () => {
    const sessions = await listSessionsOf(mm, alice);
    expect(sessions.map((s) => [s.id, s.kind])).toEqual([
      ['s1', 'web'],
      ['s2', 'mobile'],
    ]);
    expect(JSON.stringify(sessions)).not.toContain('SESSION-TOKEN');
    expect(sessions[0]?.lastActiveAt).toBe(new Date(1700000500000).toISOString());
  });

  it('revokes all, or the chosen sessions; an already-ended one is not a failure', async () => {
    expect((await revokeChosenOf(mm, alice, ['s1', 'nope'])) as object).toMatchObject({
      state: 'revoked',
      count: 1,
      detail: '1 had already ended',
    });
    expect(fake.requestsTo('revoke').map((r) => r.body)).toEqual([
      { session_id: 's1' },
      { session_id: 'nope' },
    ]);
    expect((await mm.revokeAll(alice, { scope: 'all' })).state).toBe('revoked');
    expect(fake.sessions.map((s) => s.id)).toEqual(['s3']);
  });

  it('surfaces 401/403 with the message and request id', async () => {
    fake.failNext('sessions', {
      status: 403,
      body: {
        id: 'api.context.permissions.app_error',
        message: 'You do not have the appropriate permissions.',
        request_id: 'mm-rq-1',
        status_code: 403,
      },
    });
    const err = (await listSessionsOf(mm, alice).catch((e) => e)) as RevokeError;
    expect(err.code).toBe(ErrorCode.VendorAuth);
    expect(err).toMatchObject({ vendorCode: 'api.context.permissions.app_error', requestId: 'mm-rq-1' });
    expect(err.message).toContain('appropriate permissions');
  });

  it('handles a plain-text 429 with X-Ratelimit-Reset, and retries 5xx', async () => {
    fake.failNext(
      'revoke_all',
      { status: 429, headers: { 'x-ratelimit-reset': '3', 'x-ratelimit-remaining': '0' } },
      { status: 502 },
    );
    expect((await mm.revokeAll(alice, { scope: 'all' })).state).toBe('revoked');
    expect(delays[0]).toBe(3000);
  });

  it('turns malformed JSON and a dropped connection into typed errors', async () => {
    fake.failNext('sessions', { malformed: true });
    expect(((await listSessionsOf(mm, alice).catch((e) => e)) as RevokeError).code).toBe(
      ErrorCode.MalformedResponse,
    );
    fake.failNext('sessions', { reset: true }, { reset: true }, { reset: true });
    expect(((await listSessionsOf(mm, alice).catch((e) => e)) as RevokeError).code).toBe(
      ErrorCode.VendorUnavailable,
    );
  });

  it('sends only requests the Mattermost spec allows, and never leaks the token', () => {
    expect(fake.violations).toEqual([]);
    expect(logs.join('\n')).not.toContain(MATTERMOST_TOKEN);
  });
});
