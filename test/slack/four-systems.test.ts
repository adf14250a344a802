import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBox } from '../fakes/box.js';
import { FakeHuawei } from '../fakes/huawei.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { buttonClick } from '../helpers/actions.js';
import {
  blockText,
  cardStatus,
  findBlock,
  inputElement,
  isApprovalCard,
  replyText,
  statusLine,
} from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

describe('one /revoke-sessions through all four systems', () => {
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
    await h.interact(
      buttonClick({
        userId: 'UAPP1',
        actionId: 'approve_request',
        value: request?.id ?? '',
        channel: 'C0APPROVE',
        messageTs: card.ts,
      }),
    );
    // The store records the outcome; the outbox then shows it: wait for both.
    const final = await h.slack.waitFor(async () => {
      const r = await h.app.store.getRequest(request?.id ?? '');
      return r && ['done', 'failed', 'partially_failed'].includes(r.status) ? r : undefined;
    }, 20_000);
    await h.delivered();
    expect(cardStatus(h.slack.messages.find((m) => m.ts === card.ts)?.blocks)).toMatch(/Finished/);
    const replies = h.slack.messages.filter((m) => m.thread_ts === card.ts);
    return {
      card,
      request: final,
      replies,
      cardNow: h.slack.messages.find((m) => m.ts === card.ts),
    };
  }

  it('previews every configured system in the modal', async () => {
    await h.command({ text: '<@UALICE|alice>' });
    const update = await h.slack.waitFor(() =>
      h.slack.callsTo('views.update').find((c) => findBlock(c.args.view, 'preview_huawei')),
    );
    const view = update.args.view;
    expect(blockText(view, 'preview_box')).toContain('cannot list sessions');
    expect(blockText(view, 'preview_huawei')).toContain('198.51.100.7');
    expect(blockText(view, 'preview_mattermost')).toContain('Chrome');
    expect(inputElement(view, 'systems').options?.map((o) => o.value)).toEqual(
      expect.arrayContaining(['slack', 'box', 'mattermost', 'huawei']),
    );
  });

  it(
    'revokes Alice everywhere after approval, survives a 429 and a 500, and leaves Bob alone',
    {
      timeout: 30_000,
    },
    async () => {
      box.failNext('terminate_sessions', { status: 429, retryAfter: 1 });
      mm.failNext('revoke_all', { status: 500 });
      const { request, replies, cardNow } = await approveAndFinish();
      expect(request?.status).toBe('done');
      expect(request?.summary).toBe('3 revoked, 1 queued');
      expect(h.slack.sessions.map((s) => s.user_id)).toEqual(['UBOB']);
      expect(box.terminated).toEqual(['box-alice']);
      expect(mm.sessions.map((s) => s.user_id)).toEqual(['mm-bob']);
      expect(hw.sessions.map((s) => s.user_id)).toEqual(['hw-bob']);
      expect(replies).toHaveLength(4);
      const texts = replies.map(replyText);
      expect(texts).toEqual(
        expect.arrayContaining([expect.stringContaining('*Box* — requested — Box gives no confirmation')]),
      );
      expect(texts).toEqual(
        expect.arrayContaining([expect.stringContaining('console sessions from a permission set')]),
      );
      expect(statusLine(cardNow?.blocks)).toContain('3 revoked, 1 queued');
      for (const fake of [box, mm, hw]) expect(fake.violations).toEqual([]);
      expect(h.slack.violations).toEqual([]);
    },
  );

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
      const { request, replies } = await approveAndFinish(() =>
        mm.failNext('user_by_email', down, down, down),
      );
      expect(request?.status).toBe('partially_failed');
      expect(request?.summary).toBe('2 revoked, 1 queued, 1 failed');
      const failed = replies.map(replyText).find((t) => t.includes('*Mattermost* — failed'));
      expect(failed).toBeDefined();
      expect(failed).toContain('request id mm-rq-503');
      expect(hw.sessions.map((s) => s.user_id)).toEqual(['hw-bob']);
    },
  );
});
