import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeOkta } from '../fakes/okta.js';
import { approveClick } from '../helpers/actions.js';
import { isApprovalCard, replyText, statusLine } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

/**
 * Okta's own cases through the real app: a suspended account, a token without the permission.
 * What every system does (preview, approval, no account, faults) is in systems.app.test.ts.
 */
describe('/revoke-sessions with Okta connected', () => {
  let h: Harness;
  let okta: FakeOkta;

  beforeEach(async () => {
    okta = new FakeOkta();
    await okta.start();
    okta.users.push(
      {
        id: '00ualice',
        status: 'SUSPENDED',
        login: 'alice@example.com',
        email: 'alice@example.com',
        firstName: 'Alice',
        sessions: ['102a1', '102a2'],
        oauthTokens: ['at-a1'],
      },
      {
        id: '00ubob',
        status: 'ACTIVE',
        login: 'bob@example.com',
        email: 'bob@example.com',
        sessions: ['102b1'],
        oauthTokens: ['at-b1'],
      },
    );
    h = await startHarness({
      ...okta.env(),
      REVOKE_REQUIRE_APPROVAL: 'true',
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
    });
    h.slack.addUser(user('UAPP1', 'app1@example.com')).addUser(user('UBOB', 'bob@example.com'));
  });
  afterEach(async () => {
    expect(okta.violations).toEqual([]);
    await h.close();
    await okta.close();
  });

  async function approveAndFinish() {
    await h.interact(submission(formValues({ systems: ['okta'] })));
    const card = await h.slack.waitFor(() => h.slack.messages.find((m) => isApprovalCard(m.blocks)));
    const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
    // Nothing is cleared before a second person approves.
    expect(okta.cleared).toEqual([]);
    await h.interact(approveClick(request?.id ?? '', card.ts));
    const final = await h.slack.waitFor(async () => {
      const r = await h.app.store.getRequest(request?.id ?? '');
      return r && ['done', 'failed', 'partially_failed'].includes(r.status) ? r : undefined;
    }, 20_000);
    // The thread is the outbox's to show: wait until it has delivered it.
    await h.delivered();
    const replies = h.slack.messages.filter((m) => m.thread_ts === card.ts);
    return { request: final, replies, cardNow: h.slack.messages.find((m) => m.ts === card.ts) };
  }

  it(
    'a suspended account is still cleared, and the thread says it is suspended',
    { timeout: 30_000 },
    async () => {
      const { request, replies, cardNow } = await approveAndFinish();
      expect(request?.status).toBe('done');
      expect(okta.cleared).toEqual([{ userId: '00ualice', oauthTokens: true }]);
      expect(okta.users.find((u) => u.id === '00ubob')?.sessions).toEqual(['102b1']);
      const reply = replies.map(replyText).find((t) => t.includes('*Okta*'));
      expect(reply).toContain('revoked, not verifiable by listing');
      expect(reply).toContain('the Okta account is suspended');
      expect(reply).not.toContain('Verified');
      expect(statusLine(cardNow?.blocks)).toContain('1 revoked');
    },
  );

  it(
    'a token without the clear-sessions permission is a failure naming it, never "revoked"',
    { timeout: 30_000 },
    async () => {
      okta.failNext('clear_sessions', { status: 403 });
      const { request, replies } = await approveAndFinish();
      expect(request?.status).toBe('failed');
      const reply = replies.map(replyText).find((t) => t.includes('*Okta*')) ?? '';
      expect(reply).toContain('*Okta* — failed');
      expect(reply).toContain('okta.users.lifecycle.clearSessions');
      expect(reply).not.toContain('revoked, not verifiable');
      expect(okta.cleared).toEqual([]);
    },
  );
});
