import { afterEach, describe, expect, it } from 'vitest';
import { buttonClick } from '../helpers/actions.js';
import { isApprovalCard, statusLine } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

/** users.info calls for one person: Slack's Tier-4 budget is shared by everyone, so none is wasted. */
describe('one Slack lookup per person per run', () => {
  let h: Harness;
  afterEach(() => h.close());
  const lookupsOf = (id: string) => h.slack.callsTo('users.info').filter((c) => c.args.user === id).length;
  const people = ['UP1', 'UP2', 'UP3'];

  async function start(env: Record<string, string> = {}) {
    h = await startHarness(env);
    for (const id of people) h.slack.addUser(user(id, `${id.toLowerCase()}@example.com`));
    h.slack.addUser(user('UAPP1', 'app1@example.com'));
    h.slack.sessions = people.map((id, i) => ({
      user_id: id,
      session_id: 10 + i,
      team_id: 'T1',
      created: { os: 'Mac' },
      kind: 'desktop' as const,
    }));
  }
  const finished = () =>
    h.slack.waitFor(async () => {
      const [r] = await h.app.store.listRequestsForTarget('UP1', 1);
      return r && ['done', 'partially_failed', 'failed'].includes(r.status) ? r : undefined;
    });

  it('the form’s preview looks the person up once (not again to find their Slack account)', async () => {
    await start();
    await h.command({ text: '<@UP1|p1>' });
    await h.slack.waitFor(() =>
      h.slack.callsTo('views.update').find((c) => /active session/.test(JSON.stringify(c.args.view))),
    );
    expect(lookupsOf('UP1')).toBe(1);
  });

  it('a request that runs at once reuses the lookups made when it was recorded', async () => {
    await start();
    const values = formValues({ target: 'UP1' });
    values.more_targets = {
      more_targets_selected: { type: 'multi_users_select', selected_users: ['UP2', 'UP3'] },
    };
    await h.interact(submission(values));
    const request = await finished();
    expect(request.status).toBe('done');
    for (const id of people) expect(lookupsOf(id), id).toBe(1);
    expect(h.slack.sessions).toEqual([]);
  });

  it('after an approval wait, the run looks the person up afresh (who the approver approved, now)', async () => {
    await start({
      REVOKE_REQUIRE_APPROVAL: 'true',
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
    });
    await h.interact(submission(formValues({ target: 'UP1' })));
    const card = await h.slack.waitFor(() => h.slack.messages.find(isApprovalCard));
    expect(lookupsOf('UP1')).toBe(1);
    const [pending] = await h.app.store.listRequestsForTarget('UP1', 1);
    await h.interact(
      buttonClick({
        userId: 'UAPP1',
        actionId: 'approve_request',
        value: pending?.id ?? '',
        channel: 'C0APPROVE',
        messageTs: card.ts,
      }),
    );
    const request = await finished();
    expect(request.status).toBe('done');
    expect(lookupsOf('UP1')).toBe(2);
    await h.delivered();
    expect(statusLine(h.slack.messages.find((m) => m.ts === card.ts)?.blocks)).toMatch(/Finished/);
  });
});
