import { SlackApi } from '../../providers/slack-admin/client.js';
import { SlackDirectory } from '../../providers/slack-admin/directory.js';
import { type ContractFault, defineFakeSystem } from '../fake-system.js';
import { FAKE_SLACK_TOKENS, FakeSlack, fakeUser } from '../slack.js';

/** Slack answers HTTP 200 `ok:false` with its own codes; only server errors are HTTP statuses. */
function fail(fake: FakeSlack, method: string, fault: ContractFault): void {
  if (fault.kind === 'rate_limited') fake.failNext(method, { status: 429, retryAfter: fault.seconds });
  else if (fault.kind === 'timeout') fake.failNext(method, { delayMs: fault.delayMs });
  else if (fault.status >= 500) fake.failNext(method, { status: fault.status });
  else {
    const codes = { 401: 'invalid_auth', 403: 'not_an_admin', 404: 'user_not_found' } as const;
    fake.failNext(method, { error: codes[fault.status as 401 | 403 | 404] });
  }
}

/** FakeSlack as a FakeSystem: the admin token's session methods, the bot token's directory. */
export const slackSystem = defineFakeSystem<FakeSlack>({
  id: 'slack',
  routes: {
    lookup: 'users.lookupByEmail',
    revokeAll: 'admin.users.session.reset',
    revokeChosen: 'admin.users.session.invalidate',
  },
  create: () => new FakeSlack({ botToken: FAKE_SLACK_TOKENS.bot, adminToken: FAKE_SLACK_TOKENS.admin }),
  env: (fake) => ({ SLACK_ADMIN_TOKEN: FAKE_SLACK_TOKENS.admin, SLACK_API_URL: fake.url }),
  secrets: () => [FAKE_SLACK_TOKENS.admin, FAKE_SLACK_TOKENS.bot],
  deps: (fake, base) => ({
    ...base,
    directory: new SlackDirectory(
      new SlackApi(FAKE_SLACK_TOKENS.bot, {
        apiUrl: fake.url,
        logger: base.logger,
        tokenVar: 'SLACK_BOT_TOKEN',
        retryPolicy: base.retryPolicy,
        sleep: base.sleep,
      }),
    ),
  }),
  addPerson(fake, p, next) {
    const id = `U${p.name.toUpperCase()}`;
    fake.addUser(fakeUser(id, p.email, p.deactivated ? { deleted: true } : {}));
    for (let i = 0; i < p.sessions; i++) {
      fake.sessions.push({
        user_id: id,
        session_id: 99 + next(),
        team_id: 'T1',
        created: { os: 'Mac', ...(p.seen ? { ip: p.seen.ip, device_hardware: 'MacBook Pro' } : {}) },
        kind: 'desktop',
      });
    }
    return id;
  },
  makeAmbiguous(fake, email, name) {
    // Slack emails are unique: ambiguity is a Slack user ID whose email is someone else's.
    const id = `U${name.toUpperCase()}`;
    fake.addUser(fakeUser(id, `other-${email}`));
    return { person: { email, slackUserId: id } };
  },
  liveSessions: (fake, id) =>
    fake.sessions.filter((s) => s.user_id === id).map((s) => `${s.session_id}@${s.team_id}`),
  revokedAll: (fake, id) =>
    fake.callsTo('admin.users.session.reset').some((c) => c.args.user_id === id) &&
    !fake.sessions.some((s) => s.user_id === id),
  faults: { fail, callTimes: (fake, method) => fake.callsTo(method).map((c) => c.at) },
});
