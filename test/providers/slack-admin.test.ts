import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, RevokeError } from '../../src/errors.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { SlackApi } from '../../src/providers/slack-admin/client.js';
import { SlackDirectory } from '../../src/providers/slack-admin/directory.js';
import { describeSlackError, KNOWN_SLACK_ERROR_CODES } from '../../src/providers/slack-admin/errors.js';
import { SlackAdminProvider } from '../../src/providers/slack-admin/provider.js';
import { FakeSlack } from '../fakes/slack.js';
import { captureLogs } from '../helpers/capture.js';
import { user } from '../helpers/harness.js';

const BOT = 'xoxb-9999-8888-botsecretbotsecret';
const ADMIN = 'xoxp-7777-6666-adminsecretadminsecret';

/** The error codes of every method we call, from test/contracts/slack/slack_contract_supplement.json. */
const SEED_CODES = [
  'user_not_found',
  'session_not_found',
  'cannot_reset_primary_owner',
  'session_reset_not_allowed',
  'cannot_reset_bot',
  'not_an_admin',
  'missing_scope',
  'not_allowed_token_type',
  'feature_not_enabled',
  'ratelimited',
  'session_expired',
  'admin_unauthorized',
  'session_invalidation_failed',
  'cannot_invalidate_primary_owner',
  'invalid_auth',
  'not_authed',
  'failed_for_some_users',
  'internal_error',
  'restricted_action',
  'unknown_method',
  'users_not_found',
  'enterprise_is_restricted',
];

describe('Slack error mapping', () => {
  it('knows every error code in the vendor seed tables', () => {
    expect(SEED_CODES.filter((c) => !KNOWN_SLACK_ERROR_CODES.includes(c))).toEqual([]);
  });

  it.each([
    ['not_allowed_token_type', /not a user token.*xoxp/],
    ['feature_not_enabled', /Enterprise Grid/],
    ['not_an_admin', /not an Org Admin/],
    ['cannot_reset_primary_owner', /Primary Owner/],
    ['cannot_reset_bot', /bot/],
  ])('%s → a sentence that says what to fix', (code, sentence) => {
    expect(describeSlackError(code).sentence).toMatch(sentence);
  });

  it('names the missing scope, and handles unknown codes', () => {
    expect(describeSlackError('missing_scope', 'admin.users:write').sentence).toContain('admin.users:write');
    expect(describeSlackError('brand_new_error').sentence).toContain('brand_new_error');
  });
});

describe('SlackAdminProvider against the fake Slack API', () => {
  const fake = new FakeSlack({ botToken: BOT, adminToken: ADMIN });
  const logs: string[] = [];
  let provider: SlackAdminProvider;
  let botAsAdmin: SlackAdminProvider;
  beforeAll(async () => {
    await fake.start();
    fake.addUser(user('UALICE', 'alice@example.com', { enterprise_user: { teams: ['T1', 'T2'] } }));
    fake.addUser(user('UOWNER', 'owner@example.com', { is_primary_owner: true }));
    const logger = new RedactingLogger(new Redactor([BOT, ADMIN]), 'debug', captureLogs(logs));
    const options = {
      apiUrl: fake.url,
      logger,
      retryPolicy: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, maxTotalMs: 5000 },
    };
    const directory = new SlackDirectory(new SlackApi(BOT, { ...options, tokenVar: 'SLACK_BOT_TOKEN' }));
    provider = new SlackAdminProvider(
      new SlackApi(ADMIN, { ...options, tokenVar: 'SLACK_ADMIN_TOKEN' }),
      directory,
    );
    botAsAdmin = new SlackAdminProvider(
      new SlackApi(BOT, { ...options, tokenVar: 'SLACK_ADMIN_TOKEN' }),
      directory,
    );
  });
  afterAll(() => fake.close());

  it('finds by ID and by exact email, and lists sessions across the person’s teams', async () => {
    fake.sessions = [
      {
        user_id: 'UALICE',
        session_id: 1,
        team_id: 'T1',
        created: { os: 'iOS', ip: '1.1.1.1' },
        kind: 'mobile',
      },
      {
        user_id: 'UALICE',
        session_id: 2,
        team_id: 'T2',
        created: { os: 'Mac', ip: '2.2.2.2' },
        kind: 'desktop',
      },
    ];
    const byId = await provider.findAccount({ slackUserId: 'UALICE' });
    const byEmail = await provider.findAccount({ email: 'ALICE@example.com' });
    expect(byId.status).toBe('found');
    expect(byEmail).toEqual(byId);
    if (byId.status !== 'found') return;
    const sessions = await provider.listSessions(byId.account);
    expect(sessions.map((s) => [s.id, s.ip, s.kind])).toEqual([
      ['1@T1', '1.1.1.1', 'mobile'],
      ['2@T2', '2.2.2.2', 'desktop'],
    ]);
  });

  it('verifies a bulk in one paged walk of the organisation’s sessions, keeping only the people asked for', async () => {
    const people = Array.from({ length: 1500 }, (_, i) => `UB${i}`);
    fake.sessions = [...people, 'UOTHER'].flatMap((id, i) => [
      {
        user_id: id,
        session_id: 10_000 + i,
        team_id: 'T1',
        created: { os: 'Mac' },
        kind: 'desktop' as const,
      },
    ]);
    const accounts = people.slice(0, 1200).map((id) => ({
      system: 'slack' as const,
      id,
      login: `${id}@example.com`,
      extra: { teamIds: ['T1'] },
    }));
    const before = fake.callsTo('admin.users.session.list').length;
    const listed = await provider.listSessionsBulk(accounts);
    const calls = fake.callsTo('admin.users.session.list').slice(before);
    expect(calls).toHaveLength(2); // 1,501 sessions, 1,000 a page
    expect(calls.every((c) => c.args.user_id === undefined && c.args.team_id === undefined)).toBe(true);
    expect(listed?.size).toBe(1200);
    expect(listed?.get('UB7')?.map((x) => x.id)).toEqual(['10007@T1']);
    expect(listed?.has('UOTHER')).toBe(false);
    expect(listed?.has('UB1300')).toBe(false);
    // Two people cost at most two per-person calls: a walk of two pages is not worth it.
    expect(await provider.listSessionsBulk(accounts.slice(0, 2))).toBeUndefined();
  });

  it('refuses a Slack ID whose email differs from the given one (never acts on another person)', async () => {
    const r = await provider.findAccount({ slackUserId: 'UALICE', email: 'someone-else@example.com' });
    expect(r.status).toBe('ambiguous');
  });

  it('refuses the primary owner before calling Slack', async () => {
    const r = await provider.findAccount({ slackUserId: 'UOWNER' });
    expect(r.status).toBe('not_allowed');
  });

  it('reports a bot token in SLACK_ADMIN_TOKEN as not_allowed_token_type with a fix', async () => {
    const err = await botAsAdmin
      .revokeAll({ system: 'slack', id: 'UALICE', login: 'a' }, { scope: 'all' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(RevokeError);
    expect(err.code).toBe(ErrorCode.VendorAuth);
    expect(err.vendorCode).toBe('not_allowed_token_type');
    expect(err.message).toMatch(/SLACK_ADMIN_TOKEN/);
  });

  it('retries 5xx, then surfaces a typed error; secrets never in messages or logs', async () => {
    fake.failNext('admin.users.session.reset', { status: 500 }, { status: 500 }, { status: 500 });
    const err = await provider
      .revokeAll({ system: 'slack', id: 'UALICE', login: 'a' }, { scope: 'all' })
      .catch((e) => e);
    expect(err.code).toBe(ErrorCode.VendorUnavailable);
    expect(fake.callsTo('admin.users.session.reset').filter((c) => c.token === ADMIN).length).toBe(3);
    const everything = `${err.message} ${JSON.stringify(err)} ${logs.join('\n')}`;
    expect(everything).not.toContain(ADMIN);
    expect(everything).not.toContain(BOT);
  });

  it('counts chosen sessions that had already ended as not failed', async () => {
    fake.sessions = [{ user_id: 'UALICE', session_id: 5, team_id: 'T1', created: {}, kind: 'web' }];
    const out = await provider.revokeSessions({ system: 'slack', id: 'UALICE', login: 'a' }, [
      '5@T1',
      '6@T1',
    ]);
    expect(out).toMatchObject({ state: 'revoked', count: 1, detail: '1 had already ended' });
  });
});

describe('SlackAdminProvider session paging', () => {
  const fake = new FakeSlack({ botToken: BOT, adminToken: ADMIN });
  const make = (maxSessionPages?: number) => {
    const options = {
      apiUrl: fake.url,
      logger: new RedactingLogger(new Redactor([BOT, ADMIN]), 'debug', captureLogs([])),
      retryPolicy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxTotalMs: 5000 },
    };
    return new SlackAdminProvider(
      new SlackApi(ADMIN, { ...options, tokenVar: 'SLACK_ADMIN_TOKEN' }),
      new SlackDirectory(new SlackApi(BOT, { ...options, tokenVar: 'SLACK_BOT_TOKEN' })),
      { maxSessionPages },
    );
  };
  const alice = {
    system: 'slack' as const,
    id: 'UALICE',
    login: 'alice@example.com',
    extra: { teamIds: ['T1'] },
  };
  beforeAll(async () => {
    await fake.start();
    fake.sessions = Array.from({ length: 7 }, (_, i) => ({
      user_id: 'UALICE',
      session_id: 100 + i,
      team_id: 'T1',
      created: { os: 'Mac' },
      kind: 'desktop' as const,
    }));
  });
  afterAll(() => fake.close());
  const listCalls = () => fake.callsTo('admin.users.session.list').length;

  it('reads every page up to the cap', async () => {
    fake.sessionPageSize = 2;
    fake.loopSessionCursor = false;
    const before = listCalls();
    expect((await make(4).listSessions(alice)).map((s) => s.id)).toHaveLength(7);
    expect(listCalls() - before).toBe(4);
  });

  it('stops at a repeated cursor and says the listing is incomplete, never "no sessions"', async () => {
    fake.sessionPageSize = 2;
    fake.loopSessionCursor = true;
    const before = listCalls();
    const error = await make(50)
      .listSessions(alice)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RevokeError);
    expect((error as RevokeError).message).toMatch(/repeated a page cursor.*incomplete/);
    expect((error as RevokeError).code).toBe(ErrorCode.MalformedResponse);
    expect(listCalls() - before).toBe(2);
  });

  it('stops at the page cap with an error rather than a partial list', async () => {
    fake.sessionPageSize = 1;
    fake.loopSessionCursor = false;
    const before = listCalls();
    const error = await make(3)
      .listSessions(alice)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RevokeError);
    expect((error as RevokeError).message).toMatch(/did not end within 3 pages/);
    expect(listCalls() - before).toBe(3);
  });

  it('gives up the organisation walk on a repeated cursor, so each person is listed alone', async () => {
    fake.sessionPageSize = 2;
    fake.loopSessionCursor = true;
    const accounts = Array.from({ length: 10 }, (_, i) => ({ ...alice, id: `U${i}` }));
    const before = listCalls();
    expect(await make().listSessionsBulk(accounts)).toBeUndefined();
    expect(listCalls() - before).toBe(2);
    fake.loopSessionCursor = false;
    fake.sessionPageSize = undefined;
  });
});
