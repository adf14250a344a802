import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBox } from '../fakes/box.js';
import { FakeHuawei } from '../fakes/huawei.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { approveClick } from '../helpers/actions.js';
import { cardStatus, isApprovalCard, replyText, statusLine } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

/**
 * One request through four systems at once, one of them down: the others finish and the request
 * says which failed. What each system does on its own through the app is in systems.app.test.ts.
 */
describe('one /revoke-sessions through four systems, one of them down', () => {
  let h: Harness;
  let box: FakeBox;
  let mm: FakeMattermost;
  let hw: FakeHuawei;

  beforeEach(async () => {
    box = new FakeBox();
    mm = new FakeMattermost();
    hw = new FakeHuawei();
    await Promise.all([box.start(), mm.start(), hw.start()]);
    box.users.push(
      { id: 'box-alice', login: 'alice@example.com', name: 'Alice' },
      { id: 'box-bob', login: 'bob@example.com', name: 'Bob' },
    );
    mm.users.push(
      { id: 'mm-alice', email: 'alice@example.com', username: 'alice' },
      { id: 'mm-bob', email: 'bob@example.com', username: 'bob' },
    );
    mm.sessions = [
      {
        id: 'mm-s1',
        user_id: 'mm-alice',
        token: 'T1',
        create_at: 1,
        last_activity_at: 2,
        props: { browser: 'Chrome', os: 'macOS' },
      },
      { id: 'mm-s2', user_id: 'mm-bob', token: 'T2', create_at: 1, last_activity_at: 2 },
    ];
    hw.users.push(
      { user_id: 'hw-alice', user_name: 'alice', emails: [{ value: 'alice@example.com' }] },
      { user_id: 'hw-bob', user_name: 'bob', emails: [{ value: 'bob@example.com' }] },
    );
    hw.sessions = [
      {
        session_id: 'hw-s1',
        user_id: 'hw-alice',
        ip_address: '198.51.100.7',
        user_agent: 'Edge',
        creation_time: 1753858567,
      },
      { session_id: 'hw-s2', user_id: 'hw-bob', creation_time: 1753858567 },
    ];
    h = await startHarness({
      ...box.env(),
      ...mm.env(),
      ...hw.env(),
      REVOKE_REQUIRE_APPROVAL: 'true',
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
    });
    h.slack.addUser(user('UAPP1', 'app1@example.com')).addUser(user('UBOB', 'bob@example.com'));
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
      { user_id: 'UBOB', session_id: 2, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
  });
  afterEach(async () => {
    await h.close();
    await Promise.all([box.close(), mm.close(), hw.close()]);
  });

  async function approveAndFinish(beforeApproval?: () => void) {
    await h.interact(submission(formValues({ systems: ['slack', 'box', 'mattermost', 'huawei'] })));
    const card = await h.slack.waitFor(() => h.slack.messages.find((m) => isApprovalCard(m.blocks)));
    const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
    beforeApproval?.();
    await h.interact(approveClick(request?.id ?? '', card.ts));
    // The store records the outcome; the outbox then shows it: wait for both.
    const final = await h.slack.waitFor(async () => {
      const r = await h.app.store.getRequest(request?.id ?? '');
      return r && ['done', 'failed', 'partially_failed'].includes(r.status) ? r : undefined;
    }, 20_000);
    await h.delivered();
    expect(cardStatus(h.slack.messages.find((m) => m.ts === card.ts)?.blocks)).toMatch(
      /Finished with problems/,
    );
    const replies = h.slack.messages.filter((m) => m.thread_ts === card.ts);
    return {
      card,
      request: final,
      replies,
      cardNow: h.slack.messages.find((m) => m.ts === card.ts),
    };
  }

  it(
    'reports one system failing, with its request id, while the others finish',
    {
      timeout: 30_000,
    },
    async () => {
      const down = {
        status: 503,
        body: { id: 'app.down', message: 'Service Unavailable', request_id: 'mm-rq-503', status_code: 503 },
      };
      const { request, replies, cardNow } = await approveAndFinish(() =>
        mm.failNext('user_by_email', down, down, down),
      );
      expect(request?.status).toBe('partially_failed');
      expect(request?.summary).toBe('2 revoked, 1 queued, 1 failed');
      // One reply a system; the card's status line carries the summary.
      expect(replies).toHaveLength(4);
      expect(statusLine(cardNow?.blocks)).toContain('2 revoked, 1 queued, 1 failed');
      const failed = replies.map(replyText).find((t) => t.includes('*Mattermost* — failed'));
      expect(failed).toBeDefined();
      expect(failed).toContain('request id mm-rq-503');
      expect(hw.sessions.map((s) => s.user_id)).toEqual(['hw-bob']);
    },
  );
});
