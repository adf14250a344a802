import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import type { FakeSession } from '../fakes/slack.js';
import {
  blockById,
  blockText,
  cardStatus,
  findBlock,
  replyText,
  sectionStartingWith,
  sectionTexts,
  showsAnywhere,
} from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, SECRETS, startHarness, user } from '../helpers/harness.js';

function session(id: number, userId: string, kind: FakeSession['kind'], ip: string): FakeSession {
  const os = kind === 'mobile' ? 'iOS' : kind === 'web' ? 'Chrome' : 'Mac';
  return {
    user_id: userId,
    session_id: id,
    team_id: 'T1',
    created: { device_hardware: `${os} device`, os, ip },
    kind,
  };
}

describe('/revoke-sessions end to end (real Bolt over HTTP, fake Slack Web API)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    h.slack.sessions = [
      session(101, 'UALICE', 'desktop', '10.0.0.1'),
      session(102, 'UALICE', 'mobile', '10.0.0.2'),
      session(103, 'UALICE', 'web', '10.0.0.3'),
      session(201, 'UREQ', 'desktop', '10.9.9.9'),
    ];
  });
  afterEach(async () => {
    // Every Slack call of every flow keeps to the documented contract.
    expect(h.slack.violations).toEqual([]);
    await h.close();
  });

  it('opens the modal for a mention, then fills in the preview with views.update', async () => {
    const res = await h.command({ text: '<@UALICE|alice>' });
    expect(res.status).toBe(200);
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);
    const view = open.args.view as { blocks: { block_id?: string; element?: { initial_user?: string } }[] };
    expect(view.blocks.find((b) => b.block_id === 'target')?.element?.initial_user).toBe('UALICE');
    // The modal opens before any lookup happens.
    const firstLookup = h.slack.calls.findIndex(
      (c) => c.method === 'users.info' || c.method.startsWith('admin.'),
    );
    expect(h.slack.calls.indexOf(open)).toBeLessThan(
      firstLookup === -1 ? Number.POSITIVE_INFINITY : firstLookup,
    );
    const update = await h.slack.waitFor(() =>
      h.slack
        .callsTo('views.update')
        .find((c) => findBlock(c.args.view, 'preview_slack')?.text?.text?.includes('3 active sessions')),
    );
    expect(blockText(update.args.view, 'preview_slack')).toContain('10.0.0.2');
    expect(showsAnywhere(update.args.view, '10.9.9.9')).toBe(false); // someone else's session never shows
    expect(blockById(update.args.view, 'session_mode').type).toBe('input');
    const list = h.slack.callsTo('admin.users.session.list')[0];
    expect(list?.token).toBe(SECRETS.admin);
    expect(list?.args).toMatchObject({ user_id: 'UALICE', team_id: 'T1' });
  });

  it('looks a person up by email after opening the modal and puts them in the picker', async () => {
    await h.command({ text: '<mailto:Alice@Example.com|Alice@Example.com>' });
    const update = await h.slack.waitFor(() =>
      h.slack.callsTo('views.update').find((c) => findBlock(c.args.view, 'target:UALICE')),
    );
    expect(blockById(update.args.view, 'target:UALICE').element?.initial_user).toBe('UALICE');
    expect(h.slack.callsTo('users.lookupByEmail')[0]?.args.email).toBe('alice@example.com');
  });

  it('revokes all of the person’s Slack sessions on submit and posts the results thread', async () => {
    const res = await h.interact(submission(formValues({ reason: 'INC-42 <!here> *stolen* laptop' })));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const parent = await h.slack.waitFor(() =>
      h.slack.messages.find(
        (m) => m.channel === 'C0SEC' && !m.thread_ts && /Finished/.test(cardStatus(m.blocks) ?? ''),
      ),
    );
    const reset = h.slack.callsTo('admin.users.session.reset');
    expect(reset).toHaveLength(1);
    expect(reset[0]?.token).toBe(SECRETS.admin);
    expect(reset[0]?.args).toEqual({ user_id: 'UALICE' });
    expect(h.slack.sessions.map((s) => s.session_id)).toEqual([201]); // Bob's session untouched
    expect(sectionTexts(parent.blocks)[0]).toBe(
      ':rotating_light: Revoking sessions for <@UALICE> (alice@example.com) — requested by <@UREQ>',
    );
    expect(sectionStartingWith(parent.blocks, '*Reason*')).toBe(
      '*Reason*\n>INC-42 &lt;!here&gt; *stolen* laptop',
    );
    expect(showsAnywhere(parent.blocks, '<!here>')).toBe(false);
    const replies = h.slack.messages.filter((m) => m.thread_ts === parent.ts);
    expect(replies).toHaveLength(1);
    expect(replyText(replies[0])).toContain(
      "Verified: no sessions in the person's workspaces listed afterwards",
    );

    const request = await h.slack.waitFor(async () => {
      const [r] = await h.app.store.listRequestsForTarget('UALICE', 5);
      return r?.status === 'done' ? r : undefined;
    });
    expect(request.status).toBe('done');
    expect(request?.thread).toEqual({ channel: 'C0SEC', ts: parent.ts });
    const steps = await h.app.store.listSteps(request?.id ?? '');
    expect(steps.map((s) => [s.system, s.state, s.result?.remaining])).toEqual([['slack', 'revoked', 0]]);
    const audit = await h.app.store.listAudit();
    expect(verifyChain(audit).ok).toBe(true);
    expect(audit.map((a) => a.action)).toEqual([
      'request_created',
      'run_started',
      'step_started',
      'step_finished',
      'run_finished',
    ]);
  });

  it('honours web-only scope and reports the sessions outside it', async () => {
    await h.interact(submission(formValues({ scope: 'web' })));
    await h.slack.waitFor(() => h.slack.messages.find((m) => /Finished/.test(cardStatus(m.blocks) ?? '')));
    expect(h.slack.callsTo('admin.users.session.reset')[0]?.args).toEqual({
      user_id: 'UALICE',
      web_only: 'true',
    });
    expect(h.slack.sessions.filter((s) => s.user_id === 'UALICE').map((s) => s.kind)).toEqual([
      'desktop',
      'mobile',
    ]);
    const reply = h.slack.messages.find((m) => m.thread_ts);
    expect(replyText(reply)).toContain('2 sessions outside the chosen scope remain');
  });

  it('invalidates only the chosen sessions with session_id and team_id', async () => {
    await h.interact(submission(formValues({ mode: 'selected', sessions: ['102@T1'] })));
    await h.slack.waitFor(() => h.slack.messages.find((m) => /Finished/.test(cardStatus(m.blocks) ?? '')));
    const calls = h.slack.callsTo('admin.users.session.invalidate');
    expect(calls.map((c) => c.args)).toEqual([{ session_id: '102', team_id: 'T1' }]);
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
    expect(h.slack.sessions.map((s) => s.session_id).sort()).toEqual([101, 103, 201]);
  });

  it('refuses an empty reason or no system inside the modal', async () => {
    const res = await h.interact(submission(formValues({ reason: '   ', systems: [] })));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors).sort()).toEqual(['reason', 'systems']);
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
  });

  it('refuses "only selected sessions" with nothing selected', async () => {
    const res = await h.interact(submission(formValues({ mode: 'selected', sessions: [] })));
    const body = (await res.json()) as { errors: Record<string, string> };
    expect(body.errors.session_mode).toMatch(/selected none/);
  });

  it('turns a Slack error into a sentence in the thread and a failed request', async () => {
    h.slack.failNext('admin.users.session.reset', { error: 'feature_not_enabled' });
    await h.interact(submission(formValues({})));
    const parent = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => !m.thread_ts && /Failed/.test(cardStatus(m.blocks) ?? '')),
    );
    const reply = h.slack.messages.find((m) => m.thread_ts === parent.ts);
    expect(replyText(reply)).toContain('not on Enterprise Grid');
    expect(replyText(reply)).toContain('code feature_not_enabled');
    const request = await h.slack.waitFor(async () => {
      const [r] = await h.app.store.listRequestsForTarget('UALICE', 1);
      return r?.status === 'failed' ? r : undefined;
    });
    expect(request.status).toBe('failed');
  });

  it('refuses a bot, a deactivated user and the primary owner with a clear reason', async () => {
    h.slack.addUser(user('UBOTTY', 'bot@example.com', { is_bot: true }));
    h.slack.addUser(user('UGONE', 'gone@example.com', { deleted: true }));
    h.slack.addUser(user('UOWNER', 'owner@example.com', { is_primary_owner: true }));
    for (const [id, words] of [
      ['UBOTTY', 'bot'],
      ['UGONE', 'deactivated'],
      ['UOWNER', 'Primary Owner'],
    ] as const) {
      await h.interact(submission(formValues({ target: id })));
      const told = await h.slack.waitFor(() =>
        h.slack.messages.find((m) => m.ephemeralFor === 'UREQ' && m.text?.includes(words)),
      );
      expect(told.text).toMatch(/^Nothing was revoked/);
    }
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
  });

  it('posts to the requester’s DM when the bot is not in the channel', async () => {
    await h.interact(submission(formValues({}), '{"c":"C0OTHER"}'));
    const parent = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.channel === 'DUREQ' && !m.thread_ts),
    );
    expect(parent).toBeDefined();
  });
});
