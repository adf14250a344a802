import { afterEach, describe, expect, it } from 'vitest';
import type { RequestStatus } from '../../src/engine/types.js';
import { buttonClick } from '../helpers/actions.js';
import { isApprovalCard } from '../helpers/blocks.js';
import { formValues, submission } from '../helpers/forms.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';

/**
 * Urgent work always has run capacity of its own, through the real app: one requester submits
 * eight bulk forms — as many as there are run slots — and Slack holds each bulk's calls until the
 * test lets them go, so every bulk stays in its slot. A one-person request made meanwhile must
 * still run to the end while every bulk is still held; then the bulks finish too.
 */
describe('run capacity: a one-person request never waits for bulks', () => {
  let h: Harness;
  let release: () => void = () => {};
  afterEach(async () => {
    release();
    await h.close();
  });

  /** Eight bulks of two people each (the default run slots: 8). */
  const bulks = Array.from({ length: 8 }, (_, i) => [`UB${i}A`, `UB${i}B`] as const);
  const bulkPeople = new Set<string>(bulks.flat());
  const FINAL: RequestStatus[] = ['done', 'partially_failed', 'failed'];

  async function start(env: Record<string, string> = {}) {
    // A held call must not time out while the test looks elsewhere.
    h = await startHarness(env, { vendorTimeoutMs: 60_000 });
    for (const id of [...bulkPeople, 'UURGENT', 'UAPP1'])
      h.slack.addUser(user(id, `${id.toLowerCase()}@example.com`));
    h.slack.sessions = [...bulkPeople, 'UURGENT'].map((id, i) => ({
      user_id: id,
      session_id: 500 + i,
      team_id: 'T1',
      created: { os: 'Mac' },
      kind: 'desktop' as const,
    }));
  }

  /** Holds every call of `method` that names a bulk's person (in `field`) until `release()`. */
  function holdBulkCalls(method: string, field: string) {
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    h.slack.beforeAnswer = async (called, args) => {
      const named = args[field];
      const people = Array.isArray(named) ? named.map(String) : [String(named)];
      if (called === method && people.some((p) => bulkPeople.has(p))) await released;
      return false;
    };
  }

  async function submitBulks() {
    for (const [i, [first, second]] of bulks.entries()) {
      const values = formValues({ target: first });
      values.more_targets = {
        more_targets_selected: { type: 'multi_users_select', selected_users: [second] },
      };
      expect((await h.interact(submission(values, undefined, 'UREQ', `VBULK${i}`))).status).toBe(200);
    }
  }

  const latest = async (target: string) => (await h.app.store.listRequestsForTarget(target, 1))[0];
  const finished = (target: string, timeoutMs = 10_000) =>
    h.slack.waitFor(async () => {
      const r = await latest(target);
      return r && FINAL.includes(r.status) ? r : undefined;
    }, timeoutMs);
  /** The bulks that reached `method` (held there), by their first person. */
  const bulksAt = (method: string, field: string) =>
    new Set(
      h.slack
        .callsTo(method)
        .flatMap((c) => (Array.isArray(c.args[field]) ? c.args[field] : [c.args[field]]).map(String))
        .flatMap((p) => bulks.filter((b) => b.includes(p as never)).map((b) => b[0])),
    );

  async function bulksFinishAfterRelease() {
    release();
    for (const [first, second] of bulks) {
      const request = await finished(first, 20_000);
      expect(request.status).toBe('done');
      expect(request.additionalTargets?.map((p) => p.slackUserId)).toEqual([second]);
    }
    expect(h.slack.sessions).toEqual([]);
  }

  it('an immediate one-person request runs to the end while eight bulks are recording', async () => {
    await start();
    holdBulkCalls('users.info', 'user');
    await submitBulks();
    // Every run slot a bulk may take is held by a bulk recording its people.
    await h.slack.waitFor(() => bulksAt('users.info', 'user').size >= 7);

    expect(
      (await h.interact(submission(formValues({ target: 'UURGENT' }), undefined, 'UREQ', 'VURGENT'))).status,
    ).toBe(200);
    const urgent = await finished('UURGENT');
    expect(urgent.status).toBe('done');
    expect(urgent.additionalTargets ?? []).toEqual([]);
    expect(h.slack.callsTo('admin.users.session.reset').map((c) => c.args.user_id)).toEqual(['UURGENT']);
    // …while no bulk has even been recorded: each still holds its run slot (none of its held
    // lookups gave up: Slack's directory client stops waiting after 10 s), the eighth waits for one.
    for (const [first] of bulks) expect(await latest(first)).toBeUndefined();
    expect(h.logs.filter((l) => l.includes('aborted due to timeout'))).toEqual([]);
    expect(h.app.deps.background.counts()).toMatchObject({ bulk: 7, waiting: { bulk: 1 } });
    expect(h.slack.callsTo('admin.users.session.resetBulk')).toEqual([]);

    await bulksFinishAfterRelease();
  }, 60_000);

  it('an approved one-person request runs to the end while eight bulks are revoking', async () => {
    await start({
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_APPROVERS: 'UAPP1',
      REVOKE_PROTECTED_USERS: 'UURGENT',
    });
    holdBulkCalls('admin.users.session.resetBulk', 'user_ids');
    await submitBulks();
    // The bulks are recorded and their runs hold every run slot a bulk may take, at the revocation.
    await h.slack.waitFor(() => bulksAt('admin.users.session.resetBulk', 'user_ids').size >= 7);

    await h.interact(submission(formValues({ target: 'UURGENT' }), undefined, 'UREQ', 'VURGENT'));
    const card = await h.slack.waitFor(() => h.slack.messages.find((m) => isApprovalCard(m.blocks)));
    const pending = await latest('UURGENT');
    expect(pending?.status).toBe('pending_approval');
    const click = buttonClick({
      userId: 'UAPP1',
      actionId: 'approve_request',
      value: pending?.id ?? '',
      channel: 'C0APPROVE',
      messageTs: card.ts,
    });
    expect((await h.interact(click)).status).toBe(200);

    const urgent = await finished('UURGENT');
    expect(urgent.status).toBe('done');
    expect(urgent.decidedBy).toBe('slack:UAPP1');
    expect(h.slack.callsTo('admin.users.session.reset').map((c) => c.args.user_id)).toEqual(['UURGENT']);
    // …while every bulk is still running: none has finished, and none has revoked anything.
    for (const [first] of bulks) {
      const bulk = await latest(first);
      expect(bulk && FINAL.includes(bulk.status)).toBe(false);
    }
    expect(h.slack.sessions.map((s) => s.user_id).sort()).toEqual([...bulkPeople].sort());
    expect(h.app.deps.background.counts()).toMatchObject({ bulk: 7, waiting: { bulk: 1 } });

    await bulksFinishAfterRelease();
  }, 60_000);
});
