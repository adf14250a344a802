import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { FakeSlackAudit } from '../fakes/slack-audit.js';
import { blockText, replyText } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

const session = (userId: string, id: number) => ({
  user_id: userId,
  session_id: id,
  team_id: 'T1',
  created: { os: 'Mac', ip: '198.51.100.9' },
  kind: 'desktop' as const,
});

describe("Slack resets confirmed from Slack's Audit Logs API (real app, fake Slack and Audit Logs)", () => {
  let h: Harness | undefined;
  let audit: FakeSlackAudit | undefined;
  afterEach(async () => {
    await h?.close();
    await audit?.close();
    h = undefined;
  });

  async function start(offset: () => number, env: Record<string, string> = {}) {
    audit = new FakeSlackAudit();
    await audit.start();
    h = await startHarness(
      { ...audit.env(), REVOKE_APPROVAL_CHANNEL: 'C0APPROVE', REVOKE_WATCH: 'off', ...env },
      { clockOffsetMs: offset, confirmTiming: { firstCheckMs: 100, everyMs: 300 } },
    );
    return { h, audit };
  }

  it('shows a bulk confirmed per person: succeeded (users as an encoded string), failed_users, and one that never comes', async () => {
    let offset = 0;
    const { h, audit } = await start(() => offset);
    h.slack.addUser(user('UBOB', 'bob.b@example.com')).addUser(user('UCAROL', 'carol@example.com'));
    h.slack.sessions = [session('UALICE', 1), session('UBOB', 2), session('UCAROL', 3), session('UREQ', 9)];
    // resetBulk is queued at Slack: Carol's reset never happens (her session stays listed).
    h.slack.afterApply = (method) => {
      if (method === 'admin.users.session.resetBulk') h?.slack.sessions.push(session('UCAROL', 3));
      return false;
    };
    const at = Math.floor(Date.now() / 1000);
    // Slack's own entry for the bulk job: Alice done, Carol failed; nothing at all about Bob.
    audit.entries.push(FakeSlackAudit.bulk(['UALICE'], ['UCAROL'], at, true));
    audit.entries.push(FakeSlackAudit.reset('USOMEONE', at)); // someone else's reset, never taken for ours
    // The first look meets Slack's Tier 3 limit: 429 + Retry-After, honoured.
    audit.failNext('logs', { status: 429, retryAfter: 1, body: { ok: false, error: 'ratelimited' } });

    const values = formValues({ target: 'UALICE' });
    values.more_targets = {
      more_targets_selected: { type: 'multi_users_select', selected_users: ['UBOB', 'UCAROL'] },
    };
    await h.interact(submission(values));
    const request = await h.slack.waitFor(
      async () => (await h.app.store.listRequestsForTarget('UALICE', 1))[0],
    );
    const id = request?.id ?? '';
    const note = await h.slack.waitFor(
      () => h.slack.messages.find((m) => m.thread_ts && m.text === 'Slack: audit-log confirmation'),
      15_000,
    );
    expect(replyText(note)).toMatch(/<@UALICE>.*confirmed by Slack's audit log at \+\d+ s/);
    expect(replyText(note)).toMatch(/<@UCAROL>.*reset failed for this person/);
    expect(replyText(note)).not.toContain('UBOB');
    // The 429's Retry-After (1 s) was waited for before the next look.
    const looks = audit.requestsTo('logs');
    expect((looks[1]?.at ?? 0) - (looks[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    for (const look of looks) {
      expect(look.query.action?.split(',').sort()).toEqual([
        'bulk_session_reset_by_admin',
        'user_session_reset_by_admin',
      ]);
      expect(Number(look.query.oldest)).toBeLessThanOrEqual(at);
      expect(Number(look.query.latest)).toBeGreaterThanOrEqual(at);
    }

    // Bob's confirmation never comes: after the window (15 min on the app's clock) it says so.
    offset = 16 * 60_000;
    const late = await h.slack.waitFor(
      () =>
        h.slack.messages.find(
          (m) =>
            m.text === 'Slack: audit-log confirmation' &&
            replyText(m).includes('not confirmed by Slack within 15 min'),
        ),
      15_000,
    );
    expect(replyText(late)).toContain('<@UBOB>');
    await h.delivered();
    const steps = await h.app.store.listSteps(id);
    const of = (i: number) => steps.find((s) => s.targetIndex === i);
    expect(of(0)?.state).toBe('revoked');
    expect(of(0)?.result?.confirmedBy).toBe('slack_audit_log');
    expect(of(0)?.result?.confirmedAt).toBe(new Date(at * 1000).toISOString());
    expect(of(1)?.state).toBe('revoked'); // the listing showed nothing left; Slack never confirmed it
    expect(of(1)?.result?.confirmation).toBe('not_confirmed');
    expect(of(2)?.state).toBe('failed'); // queued (still listed), then Slack said it failed
    expect(of(2)?.result?.confirmation).toBe('failed');
    const revised = await h.app.store.getRequest(id);
    expect(revised?.status).toBe('partially_failed');
    const records = await h.app.store.listAudit({ requestId: id });
    const confirmations = records.filter((r) => r.action === 'slack_reset_confirmation');
    expect(confirmations.map((r) => (r.data as { steps: unknown[] }).steps.length)).toEqual([2, 1]);
    expect(records.find((r) => r.action === 'status_revised')?.data).toMatchObject({
      from: 'done',
      status: 'partially_failed',
    });
    expect(verifyChain(await h.app.store.listAudit()).ok).toBe(true);
    // The window closed: no further look is scheduled.
    const after = audit.requestsTo('logs').length;
    await new Promise((r) => setTimeout(r, 800));
    expect(audit.requestsTo('logs')).toHaveLength(after);
    const parent = h.slack.callsTo('chat.update').at(-1);
    expect(blockText(parent?.args, 'contain')).toContain('Slack: not confirmed');
  }, 40_000);

  it('says at once when Slack refuses the token, instead of waiting out the window', async () => {
    const { h, audit } = await start(() => 0, {
      SLACK_AUDIT_TOKEN: 'xoxp-test-not-an-owner-token-made-up',
    });
    h.slack.sessions = [session('UALICE', 1)];
    await h.interact(submission(formValues({ systems: ['slack'] })));
    const note = await h.slack.waitFor(
      () => h.slack.messages.find((m) => m.text === 'Slack: audit-log confirmation'),
      15_000,
    );
    expect(replyText(note)).toContain("Slack's Audit Logs API refused SLACK_AUDIT_TOKEN (invalid_auth)");
    await h.delivered();
    const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
    const [step] = await h.app.store.listSteps(request?.id ?? '');
    expect(step?.result?.confirmation).toBe('unavailable');
    expect(audit.requestsTo('logs')).toHaveLength(1); // not asked again with a token it refused
  }, 30_000);

  it('confirms a one-person reset with user_session_reset_by_admin, at the time Slack did it', async () => {
    const { h, audit } = await start(() => 0);
    h.slack.sessions = [session('UALICE', 1)];
    const at = Math.floor(Date.now() / 1000) + 2;
    // Slack's audit log lags: the entry shows up a moment after the reset.
    audit.later.push({ entry: FakeSlackAudit.reset('UALICE', at), visibleAfter: Date.now() + 1_000 });
    await h.interact(submission(formValues({ systems: ['slack'] })));
    const request = await h.slack.waitFor(
      async () => (await h.app.store.listRequestsForTarget('UALICE', 1))[0],
    );
    const step = await h.slack.waitFor(async () => {
      const [s] = await h.app.store.listSteps(request?.id ?? '');
      return s?.result?.confirmedBy === 'slack_audit_log' ? s : undefined;
    }, 15_000);
    expect(step.result?.confirmedAt).toBe(new Date(at * 1000).toISOString());
    expect(step.result?.confirmation).toBeUndefined();
    expect(audit.requestsTo('logs').length).toBeGreaterThanOrEqual(2); // looked again until it came
    expect(audit.requestsTo('logs')[0]?.headers.authorization).toBe(
      `Bearer ${audit.env().SLACK_AUDIT_TOKEN}`,
    );
    await h.delivered();
    const parent = h.slack.callsTo('chat.update').at(-1);
    expect(blockText(parent?.args, 'contain')).toMatch(/Slack confirmed at \+\d+ s/);
  }, 30_000);
});
