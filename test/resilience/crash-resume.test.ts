import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeSlack } from '../fakes/slack.js';
import { cardStatus } from '../helpers/blocks.js';
import { type ChildApp, childEnv, kill9, startChildApp, waitForDone } from '../helpers/child-app.js';
import { formValues, submission } from '../helpers/forms.js';
import { SECRETS, user } from '../helpers/harness.js';
import { interactionBody, signedPost } from '../helpers/slack-signing.js';

interface KillPoint {
  name: string;
  method: string;
  nth: number;
  /** Drop the call before the fake applies it, or after (outcome unknown to the app). */
  when: 'before' | 'after';
}

const KILL_POINTS: KillPoint[] = [
  { name: 'while posting the parent message', method: 'chat.postMessage', nth: 1, when: 'before' },
  // (No point "while finding the person" at run time: the run reuses the lookup made when the
  // request was recorded, so its first Slack call is the reset.)
  { name: 'before Slack applied the reset', method: 'admin.users.session.reset', nth: 1, when: 'before' },
  {
    name: 'after Slack applied the reset, before it answered',
    method: 'admin.users.session.reset',
    nth: 1,
    when: 'after',
  },
  { name: 'while verifying by listing again', method: 'admin.users.session.list', nth: 1, when: 'before' },
  {
    name: 'after Slack took the parent message, before it answered',
    method: 'chat.postMessage',
    nth: 1,
    when: 'after',
  },
  { name: 'while posting the thread reply', method: 'chat.postMessage', nth: 2, when: 'before' },
  {
    name: 'after Slack took the thread reply, before it answered',
    method: 'chat.postMessage',
    nth: 2,
    when: 'after',
  },
  { name: 'while updating the parent at the end', method: 'chat.update', nth: 2, when: 'before' },
];

describe('kill -9 at any point loses nothing and repeats no finished step', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it.each(KILL_POINTS)('SIGKILL $name', { timeout: 60_000 }, async (point) => {
    const fake = new FakeSlack({
      botToken: SECRETS.bot,
      adminToken: SECRETS.admin,
      memberChannels: ['C0SEC'],
    });
    await fake.start();
    cleanups.push(() => fake.close());
    fake.addUser(user('UREQ', 'bob@example.com')).addUser(user('UALICE', 'alice@example.com'));
    fake.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
      { user_id: 'UALICE', session_id: 2, team_id: 'T1', created: { os: 'iOS' }, kind: 'mobile' },
      { user_id: 'UREQ', session_id: 3, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'revoke-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = childEnv(fake.url, '', {
      DATABASE_URL: `sqlite:${join(dir, 'revoke.db')}`,
      LOG_LEVEL: 'warn',
    });

    const first: ChildApp = await startChildApp(env);
    cleanups.push(() => {
      first.proc.kill('SIGKILL');
    });
    let seen = 0;
    const hook = async (method: string) => {
      if (method !== point.method || ++seen !== point.nth) return false;
      await kill9(first);
      return true;
    };
    if (point.when === 'before') fake.beforeAnswer = hook;
    else fake.afterApply = hook;

    const res = await signedPost(
      `${first.url}/slack/events`,
      interactionBody(submission(formValues({}))),
      'application/x-www-form-urlencoded',
      {
        secret: SECRETS.signing,
      },
    );
    expect(res.status).toBe(200);
    await first.exited;
    fake.beforeAnswer = undefined;
    fake.afterApply = undefined;
    const resetsBefore = fake.callsTo('admin.users.session.reset').length;

    const second = await startChildApp(env);
    cleanups.push(async () => {
      second.proc.kill('SIGKILL');
      await second.exited;
    });
    const store = new SqliteStore(join(dir, 'revoke.db'));
    cleanups.push(() => store.close());
    const final = await waitForDone(store, 'UALICE');
    expect(final?.status, second.output.join('')).toBe('done');
    // The thread is the outbox's: wait until it delivered everything due (a check scheduled for
    // later does not count), then look at what Slack shows.
    await fake.waitFor(async () => (await store.outboxHealth()).pending === 0, 15_000);
    expect(
      fake.messages.filter((m) => !m.thread_ts && /Finished/.test(cardStatus(m.blocks) ?? '')),
    ).toHaveLength(1);

    // Nothing lost: Alice's sessions are gone, Bob's are untouched.
    expect(fake.sessions.map((s) => s.session_id)).toEqual([3]);
    // No finished step repeated. A reset interrupted while its step ran is sent again (it is
    // idempotent): Slack's listing shows the person's workspaces only, so an empty listing cannot
    // confirm it. A step that had finished is never sent again: one reset per start of the step.
    // (The results thread is posted beside the run, so a kill while posting it may find the step
    // running, or not started yet.)
    const audit = await store.listAudit({ requestId: final?.id });
    expect(audit.filter((a) => a.action === 'step_finished')).toHaveLength(1);
    const starts = audit.filter((a) => a.action === 'step_started');
    const resets = fake.callsTo('admin.users.session.reset').length;
    expect(resets).toBe(starts.length);
    expect(resets).toBeGreaterThanOrEqual(resetsBefore);
    if (point.method.startsWith('admin.users.session.')) expect(starts).toHaveLength(2);
    if (/reply|at the end/.test(point.name)) expect(resets).toBe(1);
    expect(verifyChain(await store.listAudit()).ok).toBe(true);
    // One parent message and one reply per system in Slack.
    const parents = fake.messages.filter((m) => !m.thread_ts && !m.ephemeralFor && m.channel === 'C0SEC');
    expect(parents).toHaveLength(1);
    expect(fake.messages.filter((m) => m.thread_ts === parents[0]?.ts)).toHaveLength(1);
  });
});
