import { afterEach, describe, expect, it } from 'vitest';
import { allStrings, blockText, findBlock, findButton, inputElement } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';
import { globalShortcut, homeClick, homeOpened, messageShortcut } from '../helpers/home.js';

/*
 * The App Home and the shortcuts through the real app: signed events and interactions over HTTP,
 * the fake Slack's views.publish / views.open, a real SQLite file.
 */

const ENV = {
  REVOKE_REQUIRE_APPROVAL: 'true',
  REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
  REVOKE_REQUESTERS: 'UREQ',
  // UALICE is an approver and the person of the request: she may not decide it.
  REVOKE_APPROVERS: 'UAPP1,UALICE',
};

/** A reason that would ping the channel if it were not escaped. */
const REASON = 'INC-42 <!here> phished';

describe('App Home', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  async function start(env: Record<string, string> = ENV) {
    h = await startHarness(env);
    for (const id of ['UAPP1', 'UOUT']) h.slack.addUser(user(id, `${id.toLowerCase()}@example.com`));
  }

  async function pending(env: Record<string, string> = ENV) {
    await start(env);
    await h.interact(submission(formValues({ reason: REASON })));
    await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage').length > 0 || undefined);
    const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
    if (!request) throw new Error('no request recorded');
    await h.delivered();
    h.slack.homes.clear();
    return request;
  }

  /** Opens the Home tab of `userId` and waits for the view the app publishes. */
  async function openHome(userId: string) {
    h.slack.homes.delete(userId);
    expect((await homeOpened(h, userId)).status).toBe(200);
    return h.slack.waitFor(() => h.slack.homes.get(userId));
  }

  /** A view with the request id and Slack dates made stable, for a snapshot (the health checks have their own test). */
  const stable = (view: { blocks?: { block_id?: string }[] }, id: string) =>
    JSON.parse(
      JSON.stringify({ ...view, blocks: view.blocks?.filter((b) => b.block_id !== 'health') })
        .replaceAll(id, '<request>')
        .replace(/<!date\^\d+\^[^|]*\|[^>]*>/g, '<date>'),
    ) as unknown;

  it("a stranger's Home explains the app and names nobody", async () => {
    const request = await pending();
    const view = await openHome('UOUT');
    const strings = allStrings(view);
    for (const secret of [request.id, 'UALICE', 'UREQ', 'UAPP1', 'alice@', 'INC-42', '<@']) {
      expect(strings.filter((s) => s.includes(secret))).toEqual([]);
    }
    expect(findButton(view, 'approve_request')).toBeUndefined();
    expect(findButton(view, 'home_open_form')).toBeUndefined();
    expect(blockText(view, 'access')).toContain('not one of its requesters or approvers');
    expect(view).toMatchSnapshot();
  });

  it("an approver's Home lists the pending request, escaped, with the card's Approve and Deny", async () => {
    const request = await pending();
    const view = await openHome('UAPP1');
    const text = blockText(view, `pending:${request.id}`);
    expect(text).toContain('<@UALICE>');
    expect(text).toContain('requested by <@UREQ>');
    expect(text).toContain('INC-42 &lt;!here&gt; phished');
    expect(text).not.toContain('<!here>');
    const actions = findBlock(view, `home_approval:${request.id}`);
    expect(actions?.elements?.map((e) => [e.action_id, e.value])).toEqual([
      ['approve_request', request.id],
      ['deny_request', request.id],
      ['break_glass_request', request.id],
    ]);
    // An approver who is not a requester has no form button and no "your requests".
    expect(findButton(view, 'home_open_form')).toBeUndefined();
    expect(findBlock(view, 'mine')).toBeUndefined();
    expect(stable(view, request.id)).toMatchSnapshot();
  });

  it('Approve on the Home decides through the guarded path, runs, and re-publishes the Homes', async () => {
    const request = await pending();
    await openHome('UAPP1');
    h.slack.homes.clear();
    const res = await h.interact(homeClick('UAPP1', 'approve_request', request.id));
    expect(res.status).toBe(200);
    await h.slack.waitFor(
      async () => (await h.app.store.getRequest(request.id))?.status === 'done' || undefined,
    );
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(1);
    expect((await h.app.store.getRequest(request.id))?.decidedBy).toBe('slack:UAPP1');
    // Re-published by the outbox, not by a timer: the approver's pending list is empty, the requester sees it finished.
    const approverHome = await h.slack.waitFor(() => {
      const v = h.slack.homes.get('UAPP1');
      return v && findBlock(v, 'pending_none') ? v : undefined;
    });
    expect(findBlock(approverHome, `pending:${request.id}`)).toBeUndefined();
    const requesterHome = await h.slack.waitFor(() => {
      const v = h.slack.homes.get('UREQ');
      return v && blockText(v, 'mine').includes('Finished') ? v : undefined;
    });
    expect(blockText(requesterHome, 'mine')).toContain(request.id);
    const effects = await h.app.store.listEffects(request.id);
    expect(effects.filter((e) => e.kind === 'home_publish').map((e) => e.key)).toEqual([
      `home_publish:${request.id}:created`,
      `home_publish:${request.id}:approved`,
      `home_publish:${request.id}:finished`,
    ]);
  });

  it('nobody named in the request decides it from the Home: the person is refused, nothing runs', async () => {
    const request = await pending();
    const view = await openHome('UALICE');
    expect(findButton(view, 'approve_request')?.value).toBe(request.id);
    await h.interact(homeClick('UALICE', 'approve_request', request.id));
    await h.interact(homeClick('UALICE', 'deny_request', request.id));
    const refused = await h.slack.waitFor(async () => {
      const audit = await h.app.store.listAudit({ requestId: request.id });
      const r = audit.filter((a) => a.action === 'decision_refused' && a.actor === 'slack:UALICE');
      return r.length === 2 ? r : undefined;
    });
    expect(refused.map((r) => (r.data as { kind: string }).kind)).toEqual(['approve', 'deny']);
    // Told privately (a DM: the Home has no channel), and the request waits as before.
    const told = await h.slack.waitFor(() => {
      const m = h.slack.messages.filter((x) => x.channel === 'DUALICE');
      return m.length === 2 ? m : undefined;
    });
    expect(told[0]?.text).toContain('one of the people this request names');
    expect((await h.app.store.getRequest(request.id))?.status).toBe('pending_approval');
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
  });

  it('the requester who is also an approver cannot approve their own request from the Home (four eyes)', async () => {
    const request = await pending({ ...ENV, REVOKE_APPROVERS: 'UAPP1,UREQ' });
    const view = await openHome('UREQ');
    expect(findButton(view, 'approve_request')?.value).toBe(request.id);
    await h.interact(homeClick('UREQ', 'approve_request', request.id));
    const refused = await h.slack.waitFor(async () =>
      (await h.app.store.listAudit({ requestId: request.id })).find(
        (a) => a.action === 'decision_refused' && a.actor === 'slack:UREQ',
      ),
    );
    expect((refused.data as { why: string }).why).toMatch(/four eyes/);
    expect((await h.app.store.getRequest(request.id))?.status).toBe('pending_approval');
    expect(h.slack.callsTo('admin.users.session.reset')).toHaveLength(0);
  });

  it("a requester's Home shows their requests and opens the same form; a protected person is not named to them", async () => {
    const request = await pending({ ...ENV, REVOKE_PROTECTED_USERS: 'UALICE' });
    const view = await openHome('UREQ');
    const mine = blockText(view, 'mine');
    expect(mine).toContain(request.id);
    expect(mine).toContain('Waiting for approval');
    expect(mine).toContain('a protected person');
    expect(allStrings(view).filter((s) => s.includes('UALICE'))).toEqual([]);
    expect(findButton(view, 'approve_request')).toBeUndefined();
    expect(findBlock(view, `pending:${request.id}`)).toBeUndefined();
    // The approver sees whom it is about.
    expect(blockText(await openHome('UAPP1'), `pending:${request.id}`)).toContain('<@UALICE>');

    await h.interact(homeClick('UREQ', 'home_open_form'));
    const opened = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);
    expect(opened.args.trigger_id).toBe('trig-home-UREQ');
    const modal = opened.args.view as { callback_id: string };
    expect(modal.callback_id).toBe('revoke_request');
    expect(inputElement(modal, 'target').initial_user).toBeUndefined();
  });

  it('lists a failed request under "Needs attention" for the approver and the requester', async () => {
    const request = await pending({ ...ENV, REVOKE_REQUESTERS: 'UREQ,UAPP1' });
    h.slack.failNext('admin.users.session.reset', { error: 'not_allowed' }, { error: 'not_allowed' });
    await h.interact(homeClick('UAPP1', 'approve_request', request.id));
    await h.slack.waitFor(async () => {
      const s = (await h.app.store.getRequest(request.id))?.status;
      return s === 'failed' || s === 'partially_failed' || undefined;
    });
    for (const viewer of ['UAPP1', 'UREQ']) {
      const attention = blockText(await openHome(viewer), 'attention');
      expect(attention).toContain(request.id);
      expect(attention).toContain('*failed*');
    }
  });

  it('shows each system’s health from a cached check: never waited for, at most one check a round', async () => {
    await start(); // no request: nothing has read the systems' health yet
    const checks = () =>
      h.slack.callsTo('admin.users.session.list').filter((c) => Number(c.args.limit) === 1).length;
    // Slack's check is held: the Home is published all the same, saying it is checking.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    h.slack.beforeAnswer = async (method) => {
      if (method === 'admin.users.session.list') await held;
      return false;
    };
    const first = await openHome('UAPP1');
    expect(blockText(first, 'health')).toBe('_Checking the systems…_');
    await openHome('UREQ');
    release();
    const later = await h.slack.waitFor(async () => {
      const v = await openHome('UAPP1');
      return blockText(v, 'health').includes(':large_green_circle: Slack') ? v : undefined;
    });
    expect(blockText(later, 'health')).not.toContain('Checking');
    // Several Homes opened, one check: the next round starts only after 5 minutes.
    await openHome('UREQ');
    expect(checks()).toBe(1);
  });

  it('a failing system shows red on the Home, without its error', async () => {
    await start(); // no request: nothing has read the systems' health yet
    h.slack.failNext('admin.users.session.list', { error: 'not_allowed_token_type' });
    const view = await h.slack.waitFor(async () => {
      const v = await openHome('UAPP1');
      return blockText(v, 'health').includes(':red_circle: Slack') ? v : undefined;
    });
    expect(blockText(view, 'health')).not.toContain('not_allowed');
  });
});

describe('shortcuts', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  const viewOpened = () => h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);

  it('the message shortcut opens the form with the message author as the person', async () => {
    h = await startHarness();
    expect((await h.interact(messageShortcut('UREQ', 'UALICE'))).status).toBe(200);
    const opened = await viewOpened();
    expect(opened.args.trigger_id).toBe('trig-message-UREQ');
    const modal = opened.args.view as { callback_id: string; private_metadata: string };
    expect(modal.callback_id).toBe('revoke_request');
    expect(inputElement(modal, 'target').initial_user).toBe('UALICE');
    expect(JSON.parse(modal.private_metadata)).toEqual({ c: 'C0SEC', t: 'UALICE' });
  });

  it("the message shortcut on a bot's message opens the form with nobody named", async () => {
    h = await startHarness();
    await h.interact(messageShortcut('UREQ', undefined));
    const modal = (await viewOpened()).args.view;
    expect(inputElement(modal, 'target').initial_user).toBeUndefined();
  });

  it('the global shortcut opens the same form', async () => {
    h = await startHarness();
    expect((await h.interact(globalShortcut('UREQ'))).status).toBe(200);
    const opened = await viewOpened();
    expect(opened.args.trigger_id).toBe('trig-global-UREQ');
    expect((opened.args.view as { callback_id: string }).callback_id).toBe('revoke_request');
  });

  it('someone who may not request is refused by both shortcuts, told why, and audited', async () => {
    h = await startHarness();
    h.slack.addUser(user('UOUT', 'out@example.com'));
    await h.interact(globalShortcut('UOUT'));
    await h.interact(messageShortcut('UOUT', 'UALICE'));
    const refused = await h.slack.waitFor(async () => {
      const r = (await h.app.store.listAudit()).filter((a) => a.action === 'request_refused');
      return r.length === 2 ? r : undefined;
    });
    expect(refused.map((r) => (r.data as { via: string }).via).sort()).toEqual([
      'global_shortcut',
      'message_shortcut',
    ]);
    await h.slack.waitFor(
      () =>
        h.slack.messages.filter((m) => m.text?.includes('not allowed to use /revoke-sessions')).length ===
          2 || undefined,
    );
    expect(h.slack.callsTo('views.open')).toHaveLength(0);
  });
});
