import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeSlack } from '../fakes/slack.js';
import { buttonClick } from '../helpers/actions.js';
import { cardStatus, isApprovalCard } from '../helpers/blocks.js';
import { type ChildApp, childEnv, kill9, startChildApp } from '../helpers/child-app.js';
import { formValues, submission } from '../helpers/forms.js';
import { SECRETS, user } from '../helpers/harness.js';
import { API_TOKENS } from '../helpers/known-secrets.js';
import { interactionBody, signedPost } from '../helpers/slack-signing.js';
import { functionExecuted } from '../helpers/workflow.js';

/**
 * Every effect of a state change is an outbox row written with it: a crash between the change
 * and its effect, or in the middle of delivering it, loses nothing and repeats nothing. After a
 * restart each effect has happened once: one approval card, one note to the requester, one redraw.
 */
describe('SIGKILL between a state change and what the world is told', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function world() {
    const slack = new FakeSlack({
      botToken: SECRETS.bot,
      adminToken: SECRETS.admin,
      memberChannels: ['C0SEC', 'C0APPROVE'],
    });
    await slack.start();
    cleanups.push(() => slack.close());
    slack.addUser(user('UREQ', 'bob@example.com')).addUser(user('UALICE', 'alice@example.com'));
    slack.addUser(user('UAPP1', 'app1@example.com'));
    slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'revoke-crash-outbox-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = childEnv(slack.url, join(dir, 'revoke.db'), {
      REVOKE_APPROVERS: 'UAPP1',
      REVOKE_REQUIRE_APPROVAL: 'true',
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      REVOKE_API_TOKEN: API_TOKENS.alert,
    });
    const first = await startChildApp(env);
    cleanups.push(() => {
      first.proc.kill('SIGKILL');
    });
    let fired = false;
    /**
     * Kills the app the `nth` time it makes `method`: before Slack applies it, or (`after`) once
     * Slack applied it and before the app hears the answer.
     */
    const killAt = (method: string, nth = 1, when: 'before' | 'after' = 'before') => {
      let seen = 0;
      const hook = async (m: string) => {
        if (fired || m !== method || ++seen !== nth) return false;
        fired = true;
        await kill9(first);
        return true;
      };
      if (when === 'before') slack.beforeAnswer = hook;
      else slack.afterApply = hook;
    };
    const restart = async (): Promise<ChildApp> => {
      await Promise.race([first.exited, new Promise((r) => setTimeout(r, 30_000))]);
      expect(fired, `kill point never reached: ${first.output.join('')}`).toBe(true);
      slack.beforeAnswer = undefined;
      slack.afterApply = undefined;
      const second = await startChildApp(env);
      cleanups.push(async () => {
        second.proc.kill('SIGKILL');
        await second.exited;
      });
      return second;
    };
    const store = () => {
      const s = new SqliteStore(join(dir, 'revoke.db'));
      cleanups.push(() => s.close());
      return s;
    };
    const submit = (app: ChildApp) =>
      signedPost(
        `${app.url}/slack/events`,
        interactionBody(submission(formValues({}))),
        'application/x-www-form-urlencoded',
        {
          secret: SECRETS.signing,
        },
      );
    // Approval cards Slack accepted (a redraw later takes their buttons away; the post stays counted).
    const cards = () => slack.messages.filter((m) => !m.thread_ts && posted.has(m.ts));
    const posted = new Set<string>();
    const track = setInterval(() => {
      for (const m of slack.messages) if (!m.thread_ts && isApprovalCard(m.blocks)) posted.add(m.ts);
    }, 5);
    cleanups.push(() => clearInterval(track));
    const notes = (pattern: RegExp) =>
      slack.messages.filter((m) => m.ephemeralFor === 'UREQ' && pattern.test(m.text ?? ''));
    /** Waits for the approval card, arms the kill at `method`, then UAPP1 clicks `actionId` on it. */
    const decideWhenKilledAt = async (
      actionId: string,
      method: string,
      when: 'before' | 'after' = 'before',
    ) => {
      const card = await slack.waitFor(() => cards()[0], 20_000);
      const [request] = await store().listRequestsForTarget('UALICE', 1);
      killAt(method, 1, when);
      const click = buttonClick({
        userId: 'UAPP1',
        actionId,
        value: request?.id ?? '',
        channel: 'C0APPROVE',
        messageTs: card.ts,
      });
      await signedPost(
        `${first.url}/slack/events`,
        interactionBody(click),
        'application/x-www-form-urlencoded',
        {
          secret: SECRETS.signing,
        },
      );
      return { card, request };
    };
    return { slack, first, killAt, restart, store, submit, cards, notes, decideWhenKilledAt };
  }

  it(
    'killed after a form is recorded, before its card is posted: one card and one note after the restart',
    { timeout: 90_000 },
    async () => {
      const w = await world();
      w.killAt('chat.postMessage');
      expect((await w.submit(w.first)).status).toBe(200);
      await w.restart();
      await w.slack.waitFor(() => w.notes(/needs approval/).length === 1 || undefined, 20_000);
      await new Promise((r) => setTimeout(r, 1_500)); // a second delivery would have happened by now
      expect(w.cards()).toHaveLength(1);
      expect(w.notes(/needs approval/)).toHaveLength(1);
      const [request] = await w.store().listRequestsForTarget('UALICE', 1);
      expect(request?.approvalCard?.ts).toBe(w.cards()[0]?.ts);
      expect((await w.store().listEffects(request?.id)).map((e) => [e.kind, e.state])).toEqual([
        ['approval_card', 'done'],
        ['home_publish', 'done'],
        ['requester_note', 'done'],
      ]);
    },
  );

  it(
    'killed after the card is posted and recorded, before the requester is told: one card, one note',
    { timeout: 90_000 },
    async () => {
      const w = await world();
      w.killAt('chat.postEphemeral');
      await w.submit(w.first);
      await w.restart();
      await w.slack.waitFor(() => w.notes(/needs approval/).length === 1 || undefined, 20_000);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(w.cards()).toHaveLength(1);
      expect(w.notes(/needs approval/)).toHaveLength(1);
    },
  );

  it(
    'the alert API: killed before the card; the SIEM’s retry is a replay, and the card is posted once',
    { timeout: 90_000 },
    async () => {
      const w = await world();
      w.killAt('chat.postMessage');
      const body = JSON.stringify({
        email: 'alice@example.com',
        reason: 'EDR: token theft',
        source: 'edr',
        idempotency_key: 'k-1',
      });
      const post = (app: ChildApp) =>
        fetch(`${app.url}/api/revocation-requests`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_TOKENS.alert}`, 'content-type': 'application/json' },
          body,
        });
      const created = await post(w.first);
      expect(created.status).toBe(202);
      const second = await w.restart();
      const retried = await post(second);
      expect(retried.status).toBe(200);
      expect(await retried.json()).toMatchObject({ status: 'pending_approval', replayed: true });
      await w.slack.waitFor(() => w.cards().length === 1 || undefined, 20_000);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(w.cards()).toHaveLength(1);
    },
  );

  it(
    'killed after a denial is recorded, before the card is redrawn: redrawn once, the requester told once',
    { timeout: 90_000 },
    async () => {
      const w = await world();
      await w.submit(w.first);
      const { card } = await w.decideWhenKilledAt('deny_request', 'chat.update');
      await w.restart();
      await w.slack.waitFor(() => w.notes(/was denied/).length === 1 || undefined, 20_000);
      await new Promise((r) => setTimeout(r, 1_500));
      const redraws = w.slack.callsTo('chat.update').filter((c) => c.args.ts === card.ts);
      expect(redraws).toHaveLength(2); // the one the kill dropped, and the one after the restart
      expect(cardStatus(w.slack.messages.find((m) => m.ts === card.ts)?.blocks)).toMatch(/Denied/);
      expect(w.notes(/was denied/)).toHaveLength(1);
      expect(w.cards()).toHaveLength(1);
      expect(verifyChain(await w.store().listAudit()).ok).toBe(true);
    },
  );

  it(
    'killed after Slack took the card, before it answered: the retry finds it, and posts no second card',
    { timeout: 90_000 },
    async () => {
      const w = await world();
      w.killAt('chat.postMessage', 1, 'after');
      await w.submit(w.first);
      await w.restart();
      await w.slack.waitFor(() => w.notes(/needs approval/).length === 1 || undefined, 20_000);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(w.slack.callsTo('chat.postMessage')).toHaveLength(1);
      expect(w.cards()).toHaveLength(1);
      const [request] = await w.store().listRequestsForTarget('UALICE', 1);
      expect(request?.approvalCard?.ts).toBe(w.cards()[0]?.ts);
      // The retry looked in the approval channel for the card its key marks.
      const looked = w.slack.callsTo('conversations.history');
      expect(looked.map((c) => [c.args.channel, String(c.args.include_all_metadata)])).toEqual([
        ['C0APPROVE', 'true'],
      ]);
    },
  );

  it(
    'a run killed after Slack took its thread reply, before it answered: one reply, the card redrawn as finished',
    { timeout: 90_000 },
    async () => {
      const w = await world();
      await w.submit(w.first);
      // Approved: the card becomes the results parent (redrawn), so the run's first post is its reply.
      const { card, request } = await w.decideWhenKilledAt('approve_request', 'chat.postMessage', 'after');
      await w.restart();
      const store = w.store();
      await w.slack.waitFor(async () => {
        const r = await store.getRequest(request?.id ?? '');
        return r?.status === 'done' && (await store.outboxHealth()).pending === 0 ? r : undefined;
      }, 20_000);
      const replies = w.slack.messages.filter((m) => m.thread_ts === card.ts);
      expect(replies.map((m) => m.text)).toEqual(['Slack: revoked']);
      expect(w.slack.callsTo('conversations.replies').length).toBeGreaterThan(0);
      expect(cardStatus(w.slack.messages.find((m) => m.ts === card.ts)?.blocks)).toMatch(/Finished/);
      expect(w.cards()).toHaveLength(1);
    },
  );

  it(
    'a workflow step: killed after the run finished, before the step is completed: completed once after the restart',
    { timeout: 90_000 },
    async () => {
      const w = await world();
      await signedPost(
        `${w.first.url}/slack/events`,
        functionExecuted({ user_id: 'UALICE', reason: 'Offboarding', requested_by: 'UREQ' }, 'FxCRASH'),
        'application/json',
        { secret: SECRETS.signing },
      );
      const { request } = await w.decideWhenKilledAt('approve_request', 'functions.completeSuccess');
      await w.restart();
      const store = w.store();
      const done = await w.slack.waitFor(async () => {
        const r = await store.getRequest(request?.id ?? '');
        return r?.workflow?.completedAt ? r : undefined;
      }, 20_000);
      expect(done.status).toBe('done');
      await new Promise((r) => setTimeout(r, 1_500));
      // The call the kill dropped (never applied) and the one after the restart; never a completeError.
      const completions = w.slack.callsTo('functions.completeSuccess');
      expect(completions).toHaveLength(2);
      expect(completions.every((c) => c.args.function_execution_id === 'FxCRASH')).toBe(true);
      expect(w.slack.callsTo('functions.completeError')).toHaveLength(0);
      expect(w.slack.callsTo('admin.users.session.reset')).toHaveLength(1);
    },
  );

  it(
    'a workflow step: killed after Slack ended it, before the answer: ended once, recorded as already ended',
    { timeout: 90_000 },
    async () => {
      const w = await world();
      await signedPost(
        `${w.first.url}/slack/events`,
        functionExecuted({ user_id: 'UALICE', reason: 'Offboarding', requested_by: 'UREQ' }, 'FxAFTER'),
        'application/json',
        { secret: SECRETS.signing },
      );
      const { request } = await w.decideWhenKilledAt('approve_request', 'functions.completeSuccess', 'after');
      await w.restart();
      const store = w.store();
      await w.slack.waitFor(async () => {
        const r = await store.getRequest(request?.id ?? '');
        return r?.workflow?.completedAt ? r : undefined;
      }, 20_000);
      // Slack ended the execution once (the retry was answered that it is gone), and no error was sent.
      expect([...w.slack.endedExecutions]).toEqual(['FxAFTER']);
      expect(w.slack.callsTo('functions.completeError')).toHaveLength(0);
      const completed = (await store.listAudit({ requestId: request?.id })).filter(
        (a) => a.action === 'workflow_completed',
      );
      expect(completed.map((a) => a.data.outcome)).toEqual([
        'completed (already ended: Slack answered function_execution_not_found)',
      ]);
    },
  );
});
