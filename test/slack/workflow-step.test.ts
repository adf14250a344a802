import { afterEach, describe, expect, it } from 'vitest';
import { buttonClick } from '../helpers/actions.js';
import { isApprovalCard, showsAnywhere } from '../helpers/blocks.js';
import { type Harness, SECRETS, startHarness, user } from '../helpers/harness.js';
import { signedPost } from '../helpers/slack-signing.js';
import { FUNCTION_TOKEN, functionExecuted } from '../helpers/workflow.js';

describe('Workflow Builder step revoke_user_sessions', () => {
  let h: Harness;
  afterEach(() => h.close());

  async function start() {
    h = await startHarness({ REVOKE_APPROVAL_CHANNEL: 'C0APPROVE', REVOKE_APPROVERS: 'UAPP1' });
    h.slack.addUser(user('UAPP1', 'app1@example.com'));
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 4, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
  }
  const send = (body: string, headers: Record<string, string> = {}) =>
    signedPost(`${h.url}/slack/events`, body, 'application/json', { secret: SECRETS.signing, headers });
  const card = () => h.slack.waitFor(() => h.slack.messages.find((m) => isApprovalCard(m.blocks)));

  it('goes through approval, then completes the step with outputs, once (Slack retries ignored)', async () => {
    await start();
    const event = functionExecuted({
      user_id: 'UALICE',
      reason: 'Offboarding: last day',
      systems: ['slack'],
      requested_by: 'UREQ',
    });
    expect((await send(event)).status).toBe(200);
    const posted = await card();
    expect(
      (await send(event, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 150));
    expect(h.slack.messages.filter((m) => showsAnywhere(m.blocks, 'approve_request'))).toHaveLength(1);
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
    const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
    await h.interact(
      buttonClick({
        userId: 'UAPP1',
        actionId: 'approve_request',
        value: request?.id ?? '',
        channel: 'C0APPROVE',
        messageTs: posted.ts,
      }),
    );
    const done = await h.slack.waitFor(() => h.slack.callsTo('functions.completeSuccess')[0]);
    expect(done.token).toBe(FUNCTION_TOKEN);
    expect(done.args).toMatchObject({
      function_execution_id: 'Fx0123ABC',
      outputs: {
        request_id: request?.id,
        succeeded: true,
        revoked_systems: ['slack'],
        failed_systems: [],
        summary: '1 revoked',
      },
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(h.slack.callsTo('functions.completeSuccess')).toHaveLength(1);
    expect(h.slack.callsTo('functions.completeError')).toHaveLength(0);
    const stored = await h.app.store.getRequest(request?.id ?? '');
    expect(stored?.workflow?.completedAt).toBeDefined();
    expect(stored?.workflow?.botAccessToken).toBeUndefined();
    const records = await h.app.store.listAudit({ requestId: request?.id ?? '' });
    // The step's end is recorded by the engine, with its audit record (once).
    expect(records.filter((a) => a.action === 'workflow_completed').map((a) => [a.actor, a.data])).toEqual([
      ['system', { functionExecutionId: 'Fx0123ABC', outcome: 'completed' }],
    ]);
    const audit = JSON.stringify(await h.app.store.listAudit());
    expect(audit).not.toContain(FUNCTION_TOKEN);
  });

  it('fails the step when the request is denied', async () => {
    await start();
    await send(
      functionExecuted({ user_id: 'UALICE', reason: 'Offboarding', requested_by: 'UREQ' }, 'FxDENY'),
    );
    const posted = await card();
    const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
    await h.interact(
      buttonClick({
        userId: 'UAPP1',
        actionId: 'deny_request',
        value: request?.id ?? '',
        channel: 'C0APPROVE',
        messageTs: posted.ts,
      }),
    );
    const failed = await h.slack.waitFor(() => h.slack.callsTo('functions.completeError')[0]);
    expect(failed.args.function_execution_id).toBe('FxDENY');
    expect(String(failed.args.error)).toMatch(/denied by slack:UAPP1/);
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
  });

  it('fails the step at once for bad inputs, unknown systems and bots', async () => {
    await start();
    h.slack.addUser(user('UBOTTY', 'bot@example.com', { is_bot: true }));
    await send(functionExecuted({ user_id: 'UALICE', reason: '   ', requested_by: 'UREQ' }, 'Fx1'));
    await send(
      functionExecuted({ user_id: 'UALICE', reason: 'x', systems: ['gitlab'], requested_by: 'UREQ' }, 'Fx2'),
    );
    await send(functionExecuted({ user_id: 'UBOTTY', reason: 'x', requested_by: 'UREQ' }, 'Fx3'));
    await h.slack.waitFor(() => h.slack.callsTo('functions.completeError').length === 3);
    const errors = h.slack.callsTo('functions.completeError').map((c) => String(c.args.error));
    expect(errors.find((e) => e.includes('reason'))).toBeDefined();
    expect(errors.find((e) => e.includes('gitlab'))).toBeDefined();
    expect(errors.find((e) => e.includes('bot'))).toBeDefined();
    expect(await h.app.store.listRequestsForTarget('UALICE', 5)).toHaveLength(0);
  });

  describe('who ran the workflow (requested_by): the requester list and four eyes hold', () => {
    async function startWith(env: Record<string, string>) {
      h = await startHarness({ REVOKE_APPROVAL_CHANNEL: 'C0APPROVE', ...env });
      h.slack.addUser(user('UAPP1', 'app1@example.com'));
      h.slack.addUser(user('UMAL', 'mallory@example.com'));
      h.slack.sessions = [
        { user_id: 'UALICE', session_id: 4, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
      ];
    }
    const errorsOf = () => h.slack.callsTo('functions.completeError').map((c) => String(c.args.error));

    it('fails at once, records nothing, when requested_by is missing or not a requester', async () => {
      await startWith({ REVOKE_APPROVERS: 'UAPP1' });
      await send(functionExecuted({ user_id: 'UALICE', reason: 'Offboarding' }, 'FxNOBODY'));
      await send(
        functionExecuted({ user_id: 'UALICE', reason: 'Offboarding', requested_by: 'UMAL' }, 'FxMAL'),
      );
      await h.slack.waitFor(() => h.slack.callsTo('functions.completeError').length === 2);
      const byExecution = new Map(
        h.slack
          .callsTo('functions.completeError')
          .map((c) => [c.args.function_execution_id, String(c.args.error)]),
      );
      expect(byExecution.get('FxNOBODY')).toMatch(/requested_by is required/);
      expect(byExecution.get('FxMAL')).toMatch(/not allowed to request.*REVOKE_REQUESTERS/);
      expect(await h.app.store.listRequestsForTarget('UALICE', 5)).toHaveLength(0);
      expect(h.slack.messages.filter((m) => showsAnywhere(m.blocks, 'approve_request'))).toEqual([]);
      const refused = (await h.app.store.listAudit()).filter((a) => a.action === 'request_refused');
      expect(refused.map((a) => a.actor)).toEqual(['slack:UMAL']);
      expect(refused[0]?.data).toMatchObject({ via: 'workflow', functionExecutionId: 'FxMAL' });
      expect(h.slack.callsTo('functions.completeSuccess')).toHaveLength(0);
    });

    it('records the person who ran it as the requester, who may not approve — even as an approver', async () => {
      // UREQ is both a requester and an approver; Alice is protected.
      await startWith({ REVOKE_APPROVERS: 'UREQ,UAPP1', REVOKE_PROTECTED_USERS: 'UALICE' });
      await send(
        functionExecuted({ user_id: 'UALICE', reason: 'Offboarding', requested_by: 'UREQ' }, 'FxSELF'),
      );
      const posted = await card();
      const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
      expect(request?.requester).toEqual({ kind: 'slack', id: 'UREQ' });
      expect(request?.status).toBe('pending_approval');
      // The card names the person and says the target is protected.
      const blocks = posted.blocks as { block_id?: string; text?: { text?: string } }[];
      expect(blocks[0]?.text?.text).toMatch(/requested by <@UREQ> via a Workflow Builder step/);
      expect(blocks.find((b) => b.block_id === 'protected')?.text?.text).toMatch(/REVOKE_PROTECTED_USERS/);
      await h.interact(
        buttonClick({
          userId: 'UREQ',
          actionId: 'approve_request',
          value: request?.id ?? '',
          channel: 'C0APPROVE',
          messageTs: posted.ts,
        }),
      );
      const refusal = await h.slack.waitFor(() =>
        (async () => (await h.app.store.listAudit()).find((a) => a.action === 'decision_refused'))(),
      );
      expect(refusal.actor).toBe('slack:UREQ');
      expect(String(refusal.data.why)).toMatch(/four eyes/);
      await new Promise((r) => setTimeout(r, 150));
      expect((await h.app.store.getRequest(request?.id ?? ''))?.status).toBe('pending_approval');
      expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
      expect(h.slack.sessions).toHaveLength(1);
      // Another approver may.
      await h.interact(
        buttonClick({
          userId: 'UAPP1',
          actionId: 'approve_request',
          value: request?.id ?? '',
          channel: 'C0APPROVE',
          messageTs: posted.ts,
        }),
      );
      await h.slack.waitFor(() => h.slack.callsTo('functions.completeSuccess')[0]);
      expect(h.slack.sessions).toHaveLength(0);
    });

    it('fails exactly once, and closes the request, when the card cannot be posted anywhere', async () => {
      await startWith({ REVOKE_APPROVERS: 'UAPP1' });
      // The approval channel and the requester's DM both refuse the card.
      h.slack.failNext('chat.postMessage', { error: 'channel_not_found' }, { error: 'channel_not_found' });
      await send(
        functionExecuted({ user_id: 'UALICE', reason: 'Offboarding', requested_by: 'UREQ' }, 'FxNOCARD'),
      );
      const failed = await h.slack.waitFor(() => h.slack.callsTo('functions.completeError')[0]);
      expect(failed.args.function_execution_id).toBe('FxNOCARD');
      expect(String(failed.args.error)).toMatch(/approval card could not be posted/);
      // The step's end is an outbox effect of the withdrawal: recorded right after Slack answers.
      const request = await h.slack.waitFor(async () => {
        const [r] = await h.app.store.listRequestsForTarget('UALICE', 1);
        return r?.workflow?.completedAt ? r : undefined;
      });
      expect(request?.status).toBe('expired');
      // Every effect of the request delivered (the Homes' publish last, with the withdrawal).
      const effects = await h.slack.waitFor(async () => {
        const all = await h.app.store.listEffects(request.id);
        return all.every((e) => e.state === 'done') ? all : undefined;
      });
      expect(effects.map((e) => e.kind)).toEqual([
        'approval_card',
        'home_publish',
        'requester_note',
        'workflow_end',
        'home_publish',
      ]);
      expect(request?.workflow?.completedAt).toBeDefined();
      expect(request?.workflow?.botAccessToken).toBeUndefined();
      expect((await h.app.store.listAudit()).map((a) => a.action)).toContain('request_withdrawn');
      // A crafted Approve for it changes nothing, and the step is never ended a second time.
      await h.interact(
        buttonClick({
          userId: 'UAPP1',
          actionId: 'approve_request',
          value: request?.id ?? '',
          channel: 'C0APPROVE',
          messageTs: '1.1',
        }),
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(h.slack.callsTo('functions.completeError')).toHaveLength(1);
      expect(h.slack.callsTo('functions.completeSuccess')).toHaveLength(0);
      expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
      expect(JSON.stringify(await h.app.store.listAudit())).not.toContain(FUNCTION_TOKEN);
    });

    it('fails exactly once when recording the request throws', async () => {
      await startWith({ REVOKE_APPROVERS: 'UAPP1' });
      await h.app.store.close(); // every write now throws
      await send(
        functionExecuted({ user_id: 'UALICE', reason: 'Offboarding', requested_by: 'UREQ' }, 'FxBROKEN'),
      );
      const failed = await h.slack.waitFor(() => h.slack.callsTo('functions.completeError')[0]);
      expect(failed.args.function_execution_id).toBe('FxBROKEN');
      expect(String(failed.args.error)).toMatch(/could not be recorded/);
      await new Promise((r) => setTimeout(r, 150));
      expect(errorsOf()).toHaveLength(1);
    });
  });
});
