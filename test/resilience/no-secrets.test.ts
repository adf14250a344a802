import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBox } from '../fakes/box.js';
import { FakeHuawei } from '../fakes/huawei.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { buttonClick } from '../helpers/actions.js';
import { cardStatus, findButton } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, SECRETS, startHarness, user } from '../helpers/harness.js';
import { API_TOKENS, KNOWN_SECRETS } from '../helpers/known-secrets.js';
import { findSecrets } from '../helpers/secret-scan.js';
import { signedPost } from '../helpers/slack-signing.js';

const API_TOKEN = API_TOKENS.flows;
const FUNCTION_TOKEN = 'xwfp-5555-6666-functiontokenvaluevalue';

describe('secrets scan over logs, Slack messages, audit rows and HTTP answers', () => {
  let h: Harness;
  const box = new FakeBox();
  const mm = new FakeMattermost();
  const hw = new FakeHuawei();
  const answers: string[] = [];
  const secrets = [...KNOWN_SECRETS, FUNCTION_TOKEN, 'box-access-token-1'];

  beforeAll(async () => {
    await Promise.all([box.start(), mm.start(), hw.start()]);
    box.users.push({ id: 'b1', login: 'alice@example.com', name: 'Alice' });
    mm.users.push({ id: 'm1', email: 'alice@example.com', username: 'alice' });
    mm.sessions = [
      { id: 'ms1', user_id: 'm1', token: 'mm-session-token-abcdef', create_at: 1, last_activity_at: 2 },
    ];
    hw.users.push({ user_id: 'h1', user_name: 'alice', emails: [{ value: 'alice@example.com' }] });
    hw.sessions = [{ session_id: 'hs1', user_id: 'h1', creation_time: 1753858567 }];
    h = await startHarness({
      ...box.env(),
      ...mm.env(),
      ...hw.env(),
      REVOKE_API_TOKEN: API_TOKEN,
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
      LOG_LEVEL: 'debug',
    });
    h.slack.addUser(user('UAPP1', 'app1@example.com'));
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    const keep = async (r: Response) => {
      answers.push(`${r.status} ${JSON.stringify([...r.headers])} ${await r.text()}`);
    };

    // The flows: command + preview, a direct revocation with vendor errors, an alert approved, one denied, a workflow step, bad tokens.
    await keep(await h.command({ text: '<@UALICE|alice>' }));
    await h.slack.waitFor(() => h.slack.callsTo('views.update').length > 0);
    mm.failNext('revoke_all', { status: 403 });
    box.validTokens.clear();
    await keep(
      await h.interact(submission(formValues({ systems: ['slack', 'box', 'mattermost', 'huawei'] }))),
    );
    await h.slack.waitFor(() =>
      h.slack.messages.find((m) => !m.thread_ts && /Finished/.test(cardStatus(m.blocks) ?? '')),
    );
    for (const [i, action] of ['approve_request', 'deny_request'].entries()) {
      const res = await fetch(`${h.url}/api/revocation-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'alice@example.com',
          reason: `alert ${i}`,
          source: 'siem',
          idempotency_key: `k${i}`,
        }),
      });
      const body = (await res.clone().json()) as { id: string };
      await keep(res);
      const card = await h.slack.waitFor(() =>
        h.slack.messages.find((m) => findButton(m.blocks, 'approve_request')?.value === body.id),
      );
      await keep(
        await h.interact(
          buttonClick({
            userId: 'UAPP1',
            actionId: action,
            value: body.id,
            channel: card.channel,
            messageTs: card.ts,
          }),
        ),
      );
      await h.slack.waitFor(async () =>
        ['done', 'partially_failed', 'denied'].includes(
          (await h.app.store.getRequest(body.id))?.status ?? '',
        ),
      );
    }
    const event = JSON.stringify({
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      event_id: 'Ev1',
      event_time: 1,
      authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
      event: {
        type: 'function_executed',
        function: { callback_id: 'revoke_user_sessions' },
        inputs: { user_id: 'UALICE', reason: 'offboarding', requested_by: 'UREQ' },
        function_execution_id: 'FxS',
        bot_access_token: FUNCTION_TOKEN,
        event_ts: '1',
      },
    });
    await keep(
      await signedPost(`${h.url}/slack/events`, event, 'application/json', { secret: SECRETS.signing }),
    );
    await h.slack.waitFor(async () =>
      (await h.app.store.listRequestsForTarget('UALICE', 10)).some((r) => r.source === 'workflow'),
    );
    await keep(
      await fetch(`${h.url}/api/revocation-requests`, {
        method: 'POST',
        headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    await h.app.deps.background.idle();
  }, 60_000);

  afterAll(async () => {
    await h.close();
    await Promise.all([box.close(), mm.close(), hw.close()]);
  });

  it('finds no credential in any log line', () => {
    expect(h.logs.length).toBeGreaterThan(15);
    expect(findSecrets(h.logs.join('\n'), secrets)).toEqual([]);
  });

  it('finds no credential in anything sent to Slack (messages, views, step outputs)', () => {
    const sent = h.slack.calls.map((c) => `${c.method} ${JSON.stringify(c.args)}`).join('\n');
    expect(sent).toContain('chat.postMessage');
    expect(findSecrets(sent, secrets)).toEqual([]);
  });

  it('finds no credential in the audit log or in any HTTP answer', async () => {
    const audit = JSON.stringify(await h.app.store.listAudit());
    expect(audit).toContain('step_finished');
    expect(findSecrets(audit, secrets)).toEqual([]);
    expect(findSecrets(answers.join('\n'), secrets)).toEqual([]);
    expect(audit).not.toContain('mm-session-token');
  });
});
