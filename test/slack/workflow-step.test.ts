import { afterEach, describe, expect, it } from 'vitest';
import { buttonClick } from '../helpers/actions.js';
import { type Harness, SECRETS, startHarness, user } from '../helpers/harness.js';
import { signedPost } from '../helpers/slack-signing.js';

const FUNCTION_TOKEN = 'xwfp-1111-2222-functiontokenfunctiontoken';

function functionExecuted(inputs: Record<string, unknown>, executionId = 'Fx0123ABC') {
  return JSON.stringify({
    token: 'legacy',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `Ev-${executionId}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event: {
      type: 'function_executed',
      function: {
        id: 'Fn1',
        callback_id: 'revoke_user_sessions',
        title: 'Revoke user sessions',
        type: 'app',
        app_id: 'A1',
      },
      inputs,
      function_execution_id: executionId,
      workflow_execution_id: 'Wx1',
      event_ts: String(Date.now() / 1000),
      bot_access_token: FUNCTION_TOKEN,
    },
  });
}

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
  const card = () =>
    h.slack.waitFor(() =>
      h.slack.messages.find((m) => JSON.stringify(m.blocks ?? []).includes('approve_request')),
    );

  it('goes through approval, then completes the step with outputs, once (Slack retries ignored)', async () => {
    await start();
    const event = functionExecuted({
      user_id: 'UALICE',
      reason: 'Offboarding: last day',
      systems: ['slack'],
    });
    expect((await send(event)).status).toBe(200);
    const posted = await card();
    expect(
      (await send(event, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 150));
    expect(
      h.slack.messages.filter((m) => JSON.stringify(m.blocks ?? []).includes('approve_request')),
    ).toHaveLength(1);
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
    const audit = JSON.stringify(await h.app.store.listAudit());
    expect(audit).not.toContain(FUNCTION_TOKEN);
  });

  it('fails the step when the request is denied', async () => {
    await start();
    await send(functionExecuted({ user_id: 'UALICE', reason: 'Offboarding' }, 'FxDENY'));
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
    await send(functionExecuted({ user_id: 'UALICE', reason: '   ' }, 'Fx1'));
    await send(functionExecuted({ user_id: 'UALICE', reason: 'x', systems: ['gitlab'] }, 'Fx2'));
    await send(functionExecuted({ user_id: 'UBOTTY', reason: 'x' }, 'Fx3'));
    await h.slack.waitFor(() => h.slack.callsTo('functions.completeError').length === 3);
    const errors = h.slack.callsTo('functions.completeError').map((c) => String(c.args.error));
    expect(errors.find((e) => e.includes('reason'))).toBeDefined();
    expect(errors.find((e) => e.includes('gitlab'))).toBeDefined();
    expect(errors.find((e) => e.includes('bot'))).toBeDefined();
    expect(await h.app.store.listRequestsForTarget('UALICE', 5)).toHaveLength(0);
  });
});
