import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/engine/store-port/index.js';
import type { RevocationStep } from '../../src/engine/types.js';
import { buttonClick } from '../helpers/actions.js';
import { findBlock, isApprovalCard } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

/** One Slack session of the fake, as admin.users.session.list reports it. */
function session(id: number, userId: string, ip: string, device = 'Mac device') {
  return {
    user_id: userId,
    session_id: id,
    team_id: 'T1',
    created: { device_hardware: device, os: 'Mac', ip },
    kind: 'desktop' as const,
  };
}

interface Section {
  type: string;
  block_id?: string;
  text?: { text?: string };
}

/**
 * "Only selected sessions" against a requester who crafts the form: Alice is protected; Bob (the
 * requester, UREQ) names unprotected Carol and pastes Alice's session reference into the selection.
 */
describe('chosen sessions are revoked only when they are the named person’s own', () => {
  let h: Harness;
  afterEach(() => h.close());

  async function start(env: Record<string, string> = {}) {
    h = await startHarness({ REVOKE_PROTECTED_USERS: 'UALICE', REVOKE_APPROVERS: 'UAPP1', ...env });
    h.slack.addUser(user('UCAROL', 'carol@example.com'));
    h.slack.addUser(user('UAPP1', 'approver@example.com'));
    h.slack.sessions = [
      session(101, 'UALICE', '10.0.0.1', 'Alice laptop'),
      session(102, 'UALICE', '10.0.0.2', 'Alice phone'),
      session(301, 'UCAROL', '10.3.3.1', 'Carol laptop'),
      session(302, 'UCAROL', '10.3.3.2', 'Carol tablet'),
    ];
  }
  const carolRequest = async () =>
    h.slack.waitFor(async () => {
      const [r] = await h.app.store.listRequestsForTarget('UCAROL', 1);
      return r && ['done', 'partially_failed', 'failed'].includes(r.status) ? r : undefined;
    });
  const auditOf = async (action: string): Promise<AuditRecord[]> =>
    (await h.app.store.listAudit()).filter((a) => a.action === action);
  /** The threaded reply for the Slack step (its fallback text is `Slack: <state>`). */
  const replyFor = async (step: RevocationStep) => {
    const reply = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.thread_ts && m.text === `Slack: ${step.state}`),
    );
    return (reply.blocks as Section[])[0]?.text?.text ?? '';
  };

  it('refuses a session of someone else pasted into the form: nothing revoked, named in the thread, audited', async () => {
    await start();
    await h.interact(submission(formValues({ target: 'UCAROL', mode: 'selected', sessions: ['101@T1'] })));
    const request = await carolRequest();
    const [step] = await h.app.store.listSteps(request.id);
    expect(step?.state).toBe('not_allowed');
    expect(step?.result?.refusedSessions).toEqual(['101@T1']);
    expect(h.slack.callsTo('admin.users.session.invalidate')).toHaveLength(0);
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
    expect(h.slack.sessions.map((s) => s.session_id).sort()).toEqual([101, 102, 301, 302]);
    // The thread names the refused id; the audit trail says what was tried, at request and at execution.
    if (step) expect(await replyFor(step)).toMatch(/not listed for this person, so not revoked: `101@T1`/);
    const notOwned = await auditOf('session_not_owned');
    expect(notOwned.map((a) => a.data.phase ?? 'execution')).toEqual(['request', 'execution']);
    expect(notOwned.map((a) => a.data.sessionIds)).toEqual([['101@T1'], ['101@T1']]);
    expect(notOwned[1]?.data.account).toEqual({ id: 'UCAROL', login: 'carol@example.com' });
    expect(request.status).toBe('failed');
  });

  it('with own and foreign ids mixed, ends only the own ones and says the rest were refused', async () => {
    await start();
    await h.interact(
      submission(formValues({ target: 'UCAROL', mode: 'selected', sessions: ['301@T1', '102@T1'] })),
    );
    const request = await carolRequest();
    const [step] = await h.app.store.listSteps(request.id);
    expect(h.slack.callsTo('admin.users.session.invalidate').map((c) => c.args)).toEqual([
      { session_id: '301', team_id: 'T1' },
    ]);
    expect(h.slack.sessions.map((s) => s.session_id).sort()).toEqual([101, 102, 302]);
    expect(step?.state).toBe('partial');
    expect(step?.result).toMatchObject({ refusedSessions: ['102@T1'], revokedCount: 1, remaining: 0 });
    expect(request.status).toBe('partially_failed');
  });

  it('refuses, inside the modal, a form naming someone other than the person its preview was for', async () => {
    await start();
    const res = await h.interact(
      submission(
        formValues({ target: 'UALICE', mode: 'selected', sessions: ['101@T1'] }),
        JSON.stringify({ c: 'C0SEC', t: 'UCAROL' }),
      ),
    );
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors.target).toMatch(/listed for someone else/);
    // Chosen sessions with no preview behind them at all: refused the same way.
    const bare = await h.interact(
      submission(formValues({ target: 'UCAROL', mode: 'selected', sessions: ['301@T1'] }), '{"c":"C0SEC"}'),
    );
    expect(((await bare.json()) as { errors: Record<string, string> }).errors.target).toMatch(/someone else/);
    await new Promise((r) => setTimeout(r, 100));
    expect(await h.app.store.listRequestsForTarget('UALICE', 5)).toHaveLength(0);
    expect(await h.app.store.listRequestsForTarget('UCAROL', 5)).toHaveLength(0);
  });

  it('shows the approver exactly the chosen sessions, and checks them again when it runs', async () => {
    await start({ REVOKE_REQUIRE_APPROVAL: 'true', REVOKE_APPROVAL_CHANNEL: 'C0APPROVE' });
    await h.interact(
      submission(formValues({ target: 'UCAROL', mode: 'selected', sessions: ['302@T1', '101@T1'] })),
    );
    const card = await h.slack.waitFor(() => h.slack.messages.find((m) => isApprovalCard(m.blocks)));
    const chosen = (card.blocks as Section[]).find((b) => b.block_id === 'chosen_sessions')?.text?.text ?? '';
    expect(chosen).toMatch(/\*Slack\*: 1 chosen session\(s\)\n• Carol tablet · Mac · IP 10\.3\.3\.2/);
    expect(chosen).toMatch(/1 chosen id\(s\) not listed for this person — never revoked: `101@T1`/);
    expect(chosen).not.toMatch(/10\.0\.0\.1|10\.3\.3\.1|Alice laptop/);
    const [pending] = await h.app.store.listRequestsForTarget('UCAROL', 1);
    expect(pending?.plan?.chosenSessions?.slack?.map((s) => s.id)).toEqual(['302@T1']);
    // Before the approval, Carol's tablet session is gone and a session of Alice's takes its place in
    // the list: execution lists again and revokes nothing that is not Carol's now.
    h.slack.sessions = h.slack.sessions.filter((s) => s.session_id !== 302);
    await h.interact(
      buttonClick({
        userId: 'UAPP1',
        actionId: 'approve_request',
        value: pending?.id ?? '',
        channel: 'C0APPROVE',
        messageTs: card.ts,
      }),
    );
    const request = await carolRequest();
    const [step] = await h.app.store.listSteps(request.id);
    expect(step?.state).toBe('not_allowed');
    expect(step?.result?.refusedSessions).toEqual(['302@T1', '101@T1']);
    expect(h.slack.callsTo('admin.users.session.invalidate')).toHaveLength(0);
    expect(h.slack.sessions.map((s) => s.session_id).sort()).toEqual([101, 102, 301]);
  });

  it('audits every preview; a protected person’s session details reach approvers only', async () => {
    await start({ REVOKE_REQUESTERS: 'UREQ,UAPP1', REVOKE_APPROVERS: 'UAPP1' });
    const previewOf = async (userId: string) => {
      const before = h.slack.callsTo('views.update').length;
      await h.command({ text: '<@UALICE|alice>', user_id: userId, trigger_id: `t-${userId}` });
      const update = await h.slack.waitFor(() =>
        h.slack
          .callsTo('views.update')
          .slice(before)
          .find((c) => findBlock(c.args.view, 'preview_slack')?.text?.text?.includes('active session')),
      );
      return (update.args.view as { blocks: Section[] }).blocks;
    };
    const forRequester = await previewOf('UREQ');
    const line = forRequester.find((b) => b.block_id === 'preview_slack')?.text?.text ?? '';
    expect(line).toMatch(/2 active sessions \(a protected person: only approvers see the details\)/);
    expect(line).not.toMatch(/10\.0\.0|Alice laptop/);
    expect(forRequester.find((b) => b.block_id === 'session_mode')).toBeUndefined();
    expect(forRequester.find((b) => b.block_id === 'sessions_slack')).toBeUndefined();
    const forApprover = await previewOf('UAPP1');
    const full = forApprover.find((b) => b.block_id === 'preview_slack')?.text?.text ?? '';
    expect(full).toMatch(/Alice laptop · Mac · IP 10\.0\.0\.1/);
    const looks = await auditOf('sessions_previewed');
    expect(looks.map((a) => [a.actor, a.data.detail])).toEqual([
      ['slack:UREQ', 'counts'],
      ['slack:UAPP1', 'full'],
    ]);
    expect(looks[0]?.data.target).toEqual({ slackUserId: 'UALICE', email: 'alice@example.com' });
  });
});
