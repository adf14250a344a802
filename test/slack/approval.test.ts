import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { breakGlassSubmission, buttonClick } from '../helpers/actions.js';
import {
  cardStatus,
  findButton,
  isApprovalCard,
  sectionStartingWith,
  sectionTexts,
  showsAnywhere,
} from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

const APPROVAL_ENV = {
  REVOKE_REQUIRE_APPROVAL: 'true',
  REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
  REVOKE_REQUESTERS: 'UREQ,UAPP1',
  REVOKE_APPROVERS: 'UAPP1,UAPP2,UREQ',
  REVOKE_BREAK_GLASS_USERS: 'UREQ',
};

describe('four-eyes approval', () => {
  let h: Harness;
  let offset = 0;
  afterEach(async () => {
    offset = 0;
    await h.close();
  });

  async function pendingRequest(env: Record<string, string> = APPROVAL_ENV) {
    h = await startHarness(env, { clockOffsetMs: () => offset });
    for (const id of ['UAPP1', 'UAPP2', 'UOUT']) h.slack.addUser(user(id, `${id.toLowerCase()}@example.com`));
    h.slack.sessions = [
      {
        user_id: 'UALICE',
        session_id: 7,
        team_id: 'T1',
        created: { os: 'Mac', ip: '10.1.1.1' },
        kind: 'desktop',
      },
    ];
    await h.interact(submission(formValues({})));
    const card = await h.slack.waitFor(() => h.slack.messages.find((m) => isApprovalCard(m.blocks)));
    const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
    if (!request) throw new Error('no request recorded');
    const click = (userId: string, actionId = 'approve_request') =>
      h.interact(
        buttonClick({ userId, actionId, value: request.id, channel: 'C0APPROVE', messageTs: card.ts }),
      );
    return { card, request, click };
  }

  const resets = () => h.slack.callsTo('admin.users.session.reset').length;
  const status = async (id: string) => (await h.app.store.getRequest(id))?.status;
  const settle = () => new Promise((r) => setTimeout(r, 150));

  it('posts an approval card with the preview instead of revoking, and tells the requester', async () => {
    const { card, request } = await pendingRequest();
    expect(request.status).toBe('pending_approval');
    expect(sectionStartingWith(card.blocks, '*What the systems report now*')).toContain('10.1.1.1');
    expect(findButton(card.blocks, 'deny_request')?.value).toBe(request.id);
    const told = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ephemeralFor === 'UREQ' && m.text?.includes('needs approval')),
    );
    expect(told.text).toContain('<#C0APPROVE>');
    expect(resets()).toBe(0);
  });

  it('refuses the requester, and an outsider, with an ephemeral reason; the card is unchanged', async () => {
    const { request, click } = await pendingRequest();
    await click('UREQ');
    await click('UOUT');
    await h.slack.waitFor(
      () =>
        h.slack.messages.filter((m) => m.ephemeralFor && /four eyes|not an approver/.test(m.text ?? ''))
          .length === 2,
    );
    expect(
      h.slack.messages.find((m) => m.ephemeralFor === 'UREQ' && m.text?.includes('four eyes')),
    ).toBeDefined();
    expect(
      h.slack.messages.find((m) => m.ephemeralFor === 'UOUT' && m.text?.includes('not an approver')),
    ).toBeDefined();
    await settle();
    expect(h.slack.callsTo('chat.update')).toHaveLength(0);
    expect(await status(request.id)).toBe('pending_approval');
    expect(resets()).toBe(0);
  });

  it('runs once when approved by a second person; the thread hangs off the card', async () => {
    const { card, request, click } = await pendingRequest();
    const responses = await Promise.all([click('UAPP1'), click('UAPP2'), click('UAPP1'), click('UAPP2')]);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ts === card.ts && /Finished/.test(cardStatus(m.blocks) ?? '')),
    );
    await h.slack.waitFor(async () => (await status(request.id)) === 'done' || undefined);
    await settle();
    expect(resets()).toBe(1);
    const final = await h.app.store.getRequest(request.id);
    expect(final?.status).toBe('done');
    expect(final?.decidedBy).toMatch(/^slack:UAPP[12]$/);
    expect(final?.thread).toEqual({ channel: 'C0APPROVE', ts: card.ts });
    expect(h.slack.messages.filter((m) => m.thread_ts === card.ts)).toHaveLength(1);
    const updated = h.slack.messages.find((m) => m.ts === card.ts);
    expect(sectionStartingWith(updated?.blocks, ':white_check_mark: Approved by')).toMatch(
      /^:white_check_mark: Approved by <@UAPP[12]> /,
    );
    expect(showsAnywhere(updated?.blocks, 'approve_request')).toBe(false);
    const audit = await h.app.store.listAudit();
    expect(audit.filter((a) => a.action === 'approved')).toHaveLength(1);
    expect(verifyChain(audit).ok).toBe(true);
    expect(
      h.slack.messages.find((m) => m.ephemeralFor === 'UREQ' && m.text?.includes('was approved')),
    ).toBeDefined();
  });

  it('revokes without waiting for Slack messages: the reset goes out while every chat call is held', async () => {
    const { card, request, click } = await pendingRequest();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const held: string[] = [];
    h.slack.beforeAnswer = async (method) => {
      if (method.startsWith('chat.')) {
        held.push(method);
        await gate;
      }
      return false;
    };
    try {
      await click('UAPP1');
      // The revocation reaches Slack's admin API while the card redraw and the requester's note wait.
      // (Whether the outbox has begun a held chat call by then or not, the reset did not wait.)
      await h.slack.waitFor(() => resets() === 1 || undefined, 5_000);
      expect(h.slack.messages.filter((m) => m.thread_ts === card.ts)).toHaveLength(0);
    } finally {
      release();
    }
    // The store records the outcome without waiting for Slack; once Slack answers again, the
    // outbox makes the card the results parent, and the reply lands under it.
    await h.slack.waitFor(async () => (await status(request.id)) === 'done' || undefined);
    await h.delivered();
    expect(cardStatus(h.slack.messages.find((m) => m.ts === card.ts)?.blocks)).toMatch(/Finished/);
    expect(h.slack.messages.filter((m) => m.thread_ts === card.ts)).toHaveLength(1);
    expect(showsAnywhere(h.slack.messages.find((m) => m.ts === card.ts)?.blocks, 'approve_request')).toBe(
      false,
    );
  });

  it('denies: nothing revoked, card and requester told', async () => {
    const { card, request, click } = await pendingRequest();
    await click('UAPP2', 'deny_request');
    await h.slack.waitFor(() =>
      h.slack.messages.find(
        (m) =>
          m.ts === card.ts &&
          sectionTexts(m.blocks).some((t) => t.startsWith(':no_entry_sign: Denied by <@UAPP2>')),
      ),
    );
    await click('UAPP1'); // too late
    await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ephemeralFor === 'UAPP1' && m.text?.includes('already denied')),
    );
    expect(await status(request.id)).toBe('denied');
    expect(resets()).toBe(0);
    expect(
      h.slack.messages.find((m) => m.ephemeralFor === 'UREQ' && m.text?.includes('denied')),
    ).toBeDefined();
  });

  it('expires after REVOKE_APPROVAL_TTL: card says so, requester told, approval refused', async () => {
    const { card, request, click } = await pendingRequest();
    offset = 2 * 3_600_000;
    await settle();
    await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ts === card.ts && /Expired/.test(cardStatus(m.blocks) ?? '')),
    );
    expect(await status(request.id)).toBe('expired');
    await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.ephemeralFor === 'UREQ' && m.text?.includes('expired')),
    );
    await click('UAPP1');
    await settle();
    expect(resets()).toBe(0);
  });

  it('always needs an approver for a protected target, even with approval off', async () => {
    const { request } = await pendingRequest({ REVOKE_PROTECTED_USERS: 'UALICE', REVOKE_APPROVERS: 'UAPP1' });
    expect(request.status).toBe('pending_approval');
    expect(resets()).toBe(0);
  });

  it('break-glass: the requester approves their own request with a justification, announced with @here', async () => {
    const { request } = await pendingRequest();
    const short = await h.interact(breakGlassSubmission('UREQ', request.id, 'too short'));
    expect(((await short.json()) as { response_action: string }).response_action).toBe('errors');
    const res = await h.interact(
      breakGlassSubmission('UREQ', request.id, 'Active account takeover, approvers asleep, INC-9'),
    );
    expect(res.status).toBe(200);
    const loud = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => m.text?.startsWith('<!here> :rotating_light: BREAK-GLASS')),
    );
    expect(loud.channel).toBe('C0APPROVE');
    await h.slack.waitFor(() => resets() === 1);
    const final = await h.app.store.getRequest(request.id);
    expect(final?.breakGlass).toBe(true);
    const audit = await h.app.store.listAudit({ requestId: request.id });
    expect(audit.find((a) => a.action === 'break_glass_approved')?.data).toMatchObject({
      note: expect.stringContaining('INC-9'),
    });
  });

  it('refuses break-glass to someone not in REVOKE_BREAK_GLASS_USERS', async () => {
    const { request } = await pendingRequest({ ...APPROVAL_ENV, REVOKE_BREAK_GLASS_USERS: 'UAPP2' });
    const res = await h.interact(
      breakGlassSubmission('UREQ', request.id, 'Active account takeover right now'),
    );
    const body = (await res.json()) as { errors: Record<string, string> };
    expect(body.errors.justification).toMatch(/not in REVOKE_BREAK_GLASS_USERS/);
    expect(resets()).toBe(0);
  });
});

describe('history and status', () => {
  it('shows a person’s recent revocations and one request in detail (ephemeral)', async () => {
    const h = await startHarness();
    try {
      await h.interact(submission(formValues({ reason: 'INC-7 <b>bold</b>' })));
      await h.slack.waitFor(() => h.slack.messages.find((m) => /Finished/.test(cardStatus(m.blocks) ?? '')));
      const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
      const history = (await (await h.command({ text: 'history <@UALICE|alice>' })).json()) as {
        response_type: string;
        text: string;
      };
      expect(history.response_type).toBe('ephemeral');
      expect(history.text).toContain(request?.id);
      expect(history.text).toContain('&lt;b&gt;');
      const status = (await (await h.command({ text: `status ${request?.id}` })).json()) as { text: string };
      expect(status.text).toContain('*done*');
      expect(status.text).toContain('Slack');
      const none = (await (await h.command({ text: 'status r-zzzzzzzz-zzzzzzzz' })).json()) as {
        text: string;
      };
      expect(none.text).toMatch(/No request/);
      const outsider = (await (
        await h.command({ text: `status ${request?.id}`, user_id: 'UOUT' })
      ).json()) as { text: string };
      expect(outsider.text).toMatch(/not allowed/);
    } finally {
      await h.close();
    }
  });
});
