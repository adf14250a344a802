import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { cardStatus, inputElement, sectionStartingWith } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

const PEOPLE = Array.from({ length: 60 }, (_, i) => `UP${String(i + 1).padStart(4, '0')}`);

describe('bulk revocation', () => {
  let h: Harness;
  afterEach(() => h.close());

  async function start() {
    h = await startHarness({ REVOKE_APPROVAL_CHANNEL: 'C0APPROVE' });
    for (const id of PEOPLE) h.slack.addUser(user(id, `${id.toLowerCase()}@example.com`));
    h.slack.sessions = PEOPLE.flatMap((id, i) => [
      { user_id: id, session_id: 1000 + i, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' as const },
      { user_id: id, session_id: 2000 + i, team_id: 'T1', created: { os: 'iOS' }, kind: 'mobile' as const },
    ]);
    h.slack.sessions.push({
      user_id: 'UREQ',
      session_id: 9,
      team_id: 'T1',
      created: { os: 'Mac' },
      kind: 'desktop',
    });
    // Slack's Tier 2 (20+/min), scaled to a second so the test stays short.
    h.slack.rateLimits.set('admin.users.session.list', { max: 20, windowMs: 1_000 });
    h.slack.rateLimits.set('admin.users.session.resetBulk', { max: 20, windowMs: 1_000 });
    // A lookup limit the 120 lookups (each person when recorded, then when run) surely exceed.
    h.slack.rateLimits.set('users.info', { max: 50, windowMs: 1_000 });
  }

  it('prefills the form with everyone named in the command', async () => {
    await start();
    await h.command({
      text: PEOPLE.slice(0, 3)
        .map((id) => `<@${id}|x>`)
        .join(' '),
    });
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);
    expect(inputElement(open.args.view, 'target').initial_user).toBe(PEOPLE[0]);
    expect(inputElement(open.args.view, 'more_targets').initial_users).toEqual([PEOPLE[1], PEOPLE[2]]);
  });

  it(
    'revokes 60 people in one request: one resetBulk, per-person results, nobody lost, others untouched',
    {
      timeout: 60_000,
    },
    async () => {
      await start();
      const values = formValues({ target: PEOPLE[0] });
      values.more_targets = {
        more_targets_selected: { type: 'multi_users_select', selected_users: PEOPLE.slice(1) },
      };
      expect((await h.interact(submission(values))).status).toBe(200);
      const parent = await h.slack.waitFor(
        () => h.slack.messages.find((m) => !m.thread_ts && /Finished/.test(cardStatus(m.blocks) ?? '')),
        45_000,
      );
      const bulk = h.slack
        .callsTo('admin.users.session.resetBulk')
        .filter((c) => Array.isArray(c.args.user_ids));
      expect(new Set(bulk.flatMap((c) => c.args.user_ids as string[]))).toEqual(new Set(PEOPLE));
      expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
      // Verified by one walk of the organisation's sessions, not a Tier-2 call per person.
      const lists = h.slack.callsTo('admin.users.session.list');
      expect(lists.filter((c) => c.args.user_id !== undefined)).toHaveLength(0);
      expect(lists.length).toBeGreaterThanOrEqual(1);
      expect(h.slack.rateLimited).toBeGreaterThan(0); // the limits were hit and honoured
      expect(h.slack.sessions.map((s) => s.user_id)).toEqual(['UREQ']);

      // The outcome is shown before it is recorded (by design): wait for the recorded state.
      const request = await h.slack.waitFor(async () => {
        const [r] = await h.app.store.listRequestsForTarget(PEOPLE[0] ?? '', 1);
        return r && r.status !== 'running' ? r : undefined;
      });
      expect(request?.additionalTargets).toHaveLength(59);
      expect(request?.status).toBe('done');
      const steps = await h.app.store.listSteps(request?.id ?? '');
      expect(steps).toHaveLength(60);
      expect(steps.every((s) => s.state === 'revoked' && s.result?.remaining === 0)).toBe(true);
      // History finds the request by any of its people.
      expect((await h.app.store.listRequestsForTarget(PEOPLE[42] ?? '', 1))[0]?.id).toBe(request?.id);

      const replies = h.slack.messages.filter((m) => m.thread_ts === parent.ts);
      expect(replies).toHaveLength(1);
      expect(replies[0]?.text).toBe('Slack: 60 revoked');
      const people = sectionStartingWith(parent.blocks, '*People*').split('\n');
      expect(people[1]).toMatch(new RegExp(`^• <@${PEOPLE[0]}> `));
      expect(people.at(-1)).toContain('and 30 more');
      const audit = await h.app.store.listAudit({ requestId: request?.id });
      expect(audit.filter((a) => a.action === 'step_finished')).toHaveLength(60);
      expect(verifyChain(await h.app.store.listAudit()).ok).toBe(true);
      expect(h.slack.violations).toEqual([]);
    },
  );

  it('refuses choosing single sessions for several people', async () => {
    await start();
    const values = formValues({ target: PEOPLE[0], mode: 'selected', sessions: ['1000@T1'] });
    values.more_targets = {
      more_targets_selected: { type: 'multi_users_select', selected_users: [PEOPLE[1]] },
    };
    const body = (await (await h.interact(submission(values))).json()) as { errors: Record<string, string> };
    expect(body.errors.session_mode).toMatch(/one person/);
  });
});
