import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeBox } from '../fakes/box.js';
import { FakeHuawei } from '../fakes/huawei.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { FakeSlack } from '../fakes/slack.js';
import type { FakeVendor } from '../fakes/vendor.js';
import { cardStatus } from '../helpers/blocks.js';
import { type ChildApp, kill9, startChildApp, waitForDone } from '../helpers/child-app.js';
import { formValues, submission } from '../helpers/forms.js';
import { SECRETS, user } from '../helpers/harness.js';
import { interactionBody, signedPost } from '../helpers/slack-signing.js';

type Vendor = 'slack' | 'box' | 'mattermost' | 'huawei';

interface KillPoint {
  vendor: Vendor;
  /** Slack Web API method, or the fake's route name. */
  call: string;
  nth: number;
  when: 'before' | 'after';
}

/** Points across the whole four-system revocation: lookups, revocations (before and after they take effect), verification, messages. */
const POINTS: KillPoint[] = [
  { vendor: 'slack', call: 'chat.postMessage', nth: 1, when: 'before' },
  // (The run reuses the lookup made when the request was recorded: no second users.info to kill in.)
  { vendor: 'slack', call: 'chat.postMessage', nth: 3, when: 'before' },
  { vendor: 'slack', call: 'admin.users.session.reset', nth: 1, when: 'before' },
  { vendor: 'slack', call: 'admin.users.session.reset', nth: 1, when: 'after' },
  { vendor: 'slack', call: 'admin.users.session.list', nth: 1, when: 'before' },
  { vendor: 'slack', call: 'chat.postMessage', nth: 2, when: 'before' },
  { vendor: 'slack', call: 'chat.postMessage', nth: 4, when: 'after' },
  { vendor: 'slack', call: 'chat.update', nth: 1, when: 'before' },
  { vendor: 'box', call: 'token', nth: 1, when: 'before' },
  { vendor: 'box', call: 'users', nth: 1, when: 'before' },
  { vendor: 'box', call: 'terminate_sessions', nth: 1, when: 'before' },
  { vendor: 'box', call: 'terminate_sessions', nth: 1, when: 'after' },
  { vendor: 'mattermost', call: 'user_by_email', nth: 1, when: 'before' },
  { vendor: 'mattermost', call: 'revoke_all', nth: 1, when: 'before' },
  { vendor: 'mattermost', call: 'revoke_all', nth: 1, when: 'after' },
  { vendor: 'mattermost', call: 'sessions', nth: 1, when: 'after' },
  { vendor: 'huawei', call: 'users', nth: 1, when: 'before' },
  { vendor: 'huawei', call: 'sessions', nth: 1, when: 'before' },
  { vendor: 'huawei', call: 'batch_delete', nth: 1, when: 'before' },
  { vendor: 'huawei', call: 'batch_delete', nth: 1, when: 'after' },
  { vendor: 'huawei', call: 'sessions', nth: 2, when: 'before' },
  { vendor: 'slack', call: 'chat.update', nth: 3, when: 'after' },
];

describe('SIGKILL at 22 points of a four-system revocation', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it.each(POINTS)('$vendor $call #$nth ($when)', { timeout: 120_000 }, async (point) => {
    const slack = new FakeSlack({
      botToken: SECRETS.bot,
      adminToken: SECRETS.admin,
      memberChannels: ['C0SEC'],
    });
    const box = new FakeBox();
    const mm = new FakeMattermost();
    const hw = new FakeHuawei();
    await Promise.all([slack.start(), box.start(), mm.start(), hw.start()]);
    cleanups.push(() =>
      Promise.all([slack.close(), box.close(), mm.close(), hw.close()]).then(() => undefined),
    );
    slack.addUser(user('UREQ', 'bob@example.com')).addUser(user('UALICE', 'alice@example.com'));
    slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
      { user_id: 'UREQ', session_id: 2, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    box.users.push(
      { id: 'b-alice', login: 'alice@example.com', name: 'Alice' },
      { id: 'b-bob', login: 'bob@example.com', name: 'Bob' },
    );
    mm.users.push(
      { id: 'm-alice', email: 'alice@example.com', username: 'alice' },
      { id: 'm-bob', email: 'bob@example.com', username: 'bob' },
    );
    mm.sessions = [
      { id: 'ms1', user_id: 'm-alice', token: 'x', create_at: 1, last_activity_at: 2 },
      { id: 'ms2', user_id: 'm-bob', token: 'y', create_at: 1, last_activity_at: 2 },
    ];
    hw.users.push(
      { user_id: 'h-alice', user_name: 'alice', emails: [{ value: 'alice@example.com' }] },
      { user_id: 'h-bob', user_name: 'bob', emails: [{ value: 'bob@example.com' }] },
    );
    hw.sessions = [
      { session_id: 'hs1', user_id: 'h-alice', creation_time: 1753858567 },
      { session_id: 'hs2', user_id: 'h-bob', creation_time: 1753858567 },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'revoke-crash4-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = {
      SLACK_BOT_TOKEN: SECRETS.bot,
      SLACK_SIGNING_SECRET: SECRETS.signing,
      SLACK_ADMIN_TOKEN: SECRETS.admin,
      SLACK_API_URL: slack.url,
      PORT: '0',
      REVOKE_REQUESTERS: 'UREQ',
      DATABASE_URL: `sqlite:${join(dir, 'revoke.db')}`,
      LOG_LEVEL: 'error',
      ...box.env(),
      ...mm.env(),
      ...hw.env(),
    };

    const first: ChildApp = await startChildApp(env);
    cleanups.push(() => {
      first.proc.kill('SIGKILL');
    });
    let seen = 0;
    let fired = false;
    const maybeKill = async (call: string, when: 'before' | 'after') => {
      if (fired || call !== point.call || when !== point.when || ++seen !== point.nth) return false;
      fired = true;
      await kill9(first);
      return true;
    };
    const vendors: Record<Exclude<Vendor, 'slack'>, FakeVendor> = { box, mattermost: mm, huawei: hw };
    if (point.vendor === 'slack') {
      if (point.when === 'before') slack.beforeAnswer = (m) => maybeKill(m, 'before');
      else slack.afterApply = (m) => maybeKill(m, 'after');
    } else {
      vendors[point.vendor].hook = (route, when) => maybeKill(route, when);
    }

    const values = formValues({ systems: ['slack', 'box', 'mattermost', 'huawei'] });
    const res = await signedPost(
      `${first.url}/slack/events`,
      interactionBody(submission(values)),
      'application/x-www-form-urlencoded',
      {
        secret: SECRETS.signing,
      },
    );
    expect(res.status).toBe(200);
    await Promise.race([first.exited, new Promise((r) => setTimeout(r, 40_000))]);
    expect(fired, `kill point never reached: ${first.output.join('')}`).toBe(true);
    slack.beforeAnswer = undefined;
    slack.afterApply = undefined;
    for (const v of Object.values(vendors)) v.hook = undefined;

    const second = await startChildApp(env);
    cleanups.push(async () => {
      second.proc.kill('SIGKILL');
      await second.exited;
    });
    const store = new SqliteStore(join(dir, 'revoke.db'));
    cleanups.push(() => store.close());
    const final = await waitForDone(store, 'UALICE');
    expect(final?.status, second.output.join('')).toBe('done');
    expect(final?.summary).toBe('3 revoked, 1 queued');

    // Nothing lost, nobody else touched.
    expect(slack.sessions.map((s) => s.user_id)).toEqual(['UREQ']);
    expect(mm.sessions.map((s) => s.user_id)).toEqual(['m-bob']);
    expect(hw.sessions.map((s) => s.user_id)).toEqual(['h-bob']);
    expect(new Set(box.terminated)).toEqual(new Set(['b-alice']));
    // No finished step repeated; a revocation that took effect is not sent again where the system's
    // listing shows everything it ends (Mattermost, Huawei Cloud).
    const audit = await store.listAudit({ requestId: final?.id });
    for (const system of ['slack', 'box', 'mattermost', 'huawei']) {
      expect(audit.filter((a) => a.action === 'step_finished' && a.data.system === system)).toHaveLength(1);
    }
    // Slack's listing cannot confirm a reset (it shows the person's workspaces only): sent again.
    if (point.when === 'after' && point.call === 'admin.users.session.reset')
      expect(slack.callsTo(point.call)).toHaveLength(2);
    if (point.when === 'after' && point.call === 'revoke_all')
      expect(mm.requestsTo('revoke_all')).toHaveLength(1);
    if (point.when === 'after' && point.call === 'batch_delete')
      expect(hw.requestsTo('batch_delete')).toHaveLength(1);
    expect(verifyChain(await store.listAudit()).ok).toBe(true);
    // The thread tells the whole story once the outbox has delivered it: one parent, one reply per
    // system, final summary.
    await slack.waitFor(async () => (await store.outboxHealth()).pending === 0, 10_000);
    expect(
      slack.messages.filter((m) => !m.thread_ts && /3 revoked, 1 queued/.test(cardStatus(m.blocks) ?? '')),
    ).toHaveLength(1);
    const parents = slack.messages.filter((m) => !m.thread_ts && !m.ephemeralFor && m.channel === 'C0SEC');
    expect(parents).toHaveLength(1);
    const replies = slack.messages.filter((m) => m.thread_ts === parents[0]?.ts);
    expect(new Set(replies.map((r) => r.text?.split(':')[0]))).toEqual(
      new Set(['Slack', 'Box', 'Mattermost', 'Huawei Cloud']),
    );
    for (const v of [box, mm, hw]) expect(v.violations).toEqual([]);
  });
});
