import { afterEach, describe, expect, it } from 'vitest';
import { breakGlassSubmission, buttonClick } from '../helpers/actions.js';
import { blockText, isApprovalCard } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

/**
 * "A second person approves" against correctly signed payloads: every membership decision fails
 * closed (protected when unknown; not a requester / not an approver when unknown, and the person
 * is told the check failed); nobody named in a request decides it; a decision reads membership
 * afresh, so someone just removed from the approvers' group cannot decide.
 */
describe('decisions fail closed and nobody named in a request decides it', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  const resets = () => h.slack.callsTo('admin.users.session.reset').length;
  const settle = () => new Promise((r) => setTimeout(r, 200));
  const statusOf = async (id: string) => (await h.app.store.getRequest(id))?.status;
  const cardUpdates = (ts: string) => h.slack.callsTo('chat.update').filter((c) => c.args.ts === ts);

  async function start(env: Record<string, string>, vendorTimeoutMs?: number) {
    h = await startHarness(
      { REVOKE_APPROVAL_CHANNEL: 'C0APPROVE', ...env },
      vendorTimeoutMs ? { vendorTimeoutMs } : {},
    );
    for (const id of ['UAPP1', 'UAPP2']) h.slack.addUser(user(id, `${id.toLowerCase()}@example.com`));
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 7, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
      { user_id: 'UAPP1', session_id: 8, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
  }

  /** Submits the form for `target` (and `more`), then waits for the approval card. */
  async function pending(target = 'UALICE', more: string[] = []) {
    const values = formValues({ target });
    if (more.length > 0)
      values.more_targets = { more_targets_selected: { type: 'multi_users_select', selected_users: more } };
    await h.interact(submission(values));
    const card = await h.slack.waitFor(() => h.slack.messages.find((m) => isApprovalCard(m.blocks)), 20_000);
    const [request] = await h.app.store.listRequestsForTarget(target, 1);
    if (!request) throw new Error('no request recorded');
    const click = (userId: string, actionId = 'approve_request') =>
      h.interact(
        buttonClick({ userId, actionId, value: request.id, channel: 'C0APPROVE', messageTs: card.ts }),
      );
    return { card, request, click };
  }

  const told = (userId: string, pattern: RegExp) =>
    h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ephemeralFor === userId && pattern.test(m.text ?? '')),
    );

  describe('a protected person stays protected when Slack cannot list the user group', () => {
    it.each([
      { name: 'HTTP 503', failure: { status: 503 } },
      { name: 'internal_error', failure: { error: 'internal_error' } },
      { name: 'a timeout', failure: { delayMs: 4_000 } },
    ])(
      '$name: approval required, the card says why, nothing revoked',
      { timeout: 60_000 },
      async ({ failure }) => {
        await start({ REVOKE_PROTECTED_USERS: 'S0VIP', REVOKE_APPROVERS: 'UAPP1' }, 300);
        h.slack.failNext('usergroups.users.list', ...Array.from({ length: 40 }, () => failure));
        h.slack.groups.set('S0VIP', ['UALICE']);
        const { card, request } = await pending();
        expect(request.status).toBe('pending_approval');
        expect(request.plan?.approvalReason).toBe(
          'could not check whether the person is protected (user group S0VIP could not be read from Slack), so treated as protected',
        );
        expect(request.plan?.protectedTarget).toBe(true);
        expect(blockText(card.blocks, 'protected')).toBe(
          ':shield: *Treated as protected:* could not check whether this person is in REVOKE_PROTECTED_USERS (user group S0VIP could not be read from Slack), so an approver must approve.',
        );
        expect(blockText(card.blocks, 'decision')).toMatch(
          /^:lock: Needs approval \(could not check whether the person is protected \(user group S0VIP could not be read from Slack\), so treated as protected\)/,
        );
        await settle();
        expect(resets()).toBe(0);
      },
    );
  });

  it('an approver whose group cannot be read is told the check failed; the card stays open', async () => {
    await start({ REVOKE_REQUIRE_APPROVAL: 'true', REVOKE_APPROVERS: 'S0APPROVERS' });
    h.slack.groups.set('S0APPROVERS', ['UAPP1']);
    const { card, request, click } = await pending();
    h.slack.failNext(
      'usergroups.users.list',
      ...Array.from({ length: 40 }, () => ({ error: 'internal_error' })),
    );
    await click('UAPP1');
    const reply = await told('UAPP1', /Could not check/);
    expect(reply.text).toMatch(
      /^Could not check that you are in REVOKE_APPROVERS \(user group S0APPROVERS could not be read/,
    );
    await settle();
    expect(await statusOf(request.id)).toBe('pending_approval');
    expect(cardUpdates(card.ts)).toHaveLength(0);
    expect(resets()).toBe(0);
    const audit = await h.app.store.listAudit({ requestId: request.id });
    expect(audit.at(-1)).toMatchObject({ actor: 'slack:UAPP1', action: 'decision_refused' });
  });

  it('an approver removed from the approvers’ group a moment ago cannot approve', async () => {
    await start({ REVOKE_REQUIRE_APPROVAL: 'true', REVOKE_APPROVERS: 'S0APPROVERS' });
    h.slack.groups.set('S0APPROVERS', ['UAPP1']);
    const { card, request, click } = await pending();
    // Someone else's refused click reads the group: UAPP1 is in it (and it is cached for displays).
    await click('UAPP2');
    await told('UAPP2', /not an approver/);
    h.slack.groups.set('S0APPROVERS', []);
    await click('UAPP1');
    await told('UAPP1', /not an approver/);
    await settle();
    expect(await statusOf(request.id)).toBe('pending_approval');
    expect(cardUpdates(card.ts)).toHaveLength(0);
    expect(resets()).toBe(0);
  });

  describe('nobody named in a request decides it', () => {
    it.each(['approve_request', 'deny_request'])('the person to be revoked cannot %s', async (actionId) => {
      await start({ REVOKE_REQUIRE_APPROVAL: 'true', REVOKE_APPROVERS: 'UAPP1,UAPP2' });
      const { card, request, click } = await pending('UAPP1');
      await click('UAPP1', actionId);
      const reply = await told('UAPP1', /names/);
      expect(reply.text).toBe(
        'You are one of the people this request names, so you cannot decide it; the request is unchanged.',
      );
      await settle();
      expect(await statusOf(request.id)).toBe('pending_approval');
      expect(cardUpdates(card.ts)).toHaveLength(0);
      const audit = await h.app.store.listAudit({ requestId: request.id });
      expect(audit.at(-1)).toMatchObject({
        actor: 'slack:UAPP1',
        action: 'decision_refused',
        data: { kind: actionId === 'deny_request' ? 'deny' : 'approve' },
      });
      // Another approver still can.
      await click('UAPP2');
      await h.slack.waitFor(async () => ((await statusOf(request.id)) === 'done' ? true : undefined));
      expect(h.slack.sessions.map((s) => s.user_id)).toEqual(['UALICE']);
    });

    it('nor can any of a bulk request’s people, nor a break-glass requester who is one of them', async () => {
      await start({
        REVOKE_REQUIRE_APPROVAL: 'true',
        REVOKE_APPROVERS: 'UAPP1,UAPP2',
        REVOKE_BREAK_GLASS_USERS: 'UREQ',
      });
      const { card, request, click } = await pending('UALICE', ['UAPP2', 'UREQ']);
      await click('UAPP2', 'deny_request');
      await told('UAPP2', /names/);
      await h.interact(breakGlassSubmission('UREQ', request.id, 'INC-42: I must act on this at once'));
      await settle();
      expect(await statusOf(request.id)).toBe('pending_approval');
      expect(cardUpdates(card.ts)).toHaveLength(0);
      const refused = (await h.app.store.listAudit({ requestId: request.id })).filter(
        (a) => a.action === 'decision_refused',
      );
      expect(refused.map((a) => [a.actor, a.data.kind])).toEqual([
        ['slack:UAPP2', 'deny'],
        ['slack:UREQ', 'break_glass'],
      ]);
      expect(resets()).toBe(0);
      void click;
    });
  });
});
