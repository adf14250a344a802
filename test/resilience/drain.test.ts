import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { FakeSlack } from '../fakes/slack.js';
import { captureSqliteAudit } from '../helpers/capture.js';
import { childEnv } from '../helpers/child-app.js';
import { formValues, submission } from '../helpers/forms.js';
import { SECRETS, user } from '../helpers/harness.js';
import { type MainProcess, spawnMain } from '../helpers/main-process.js';
import { interactionBody, signedPost } from '../helpers/slack-signing.js';

const PEOPLE = Array.from({ length: 40 }, (_, i) => `UP${String(i).padStart(3, '0')}`);
const GRACE_S = 1;
/** Stopping takes the grace period plus closing the store and exiting; a wide margin for a busy machine. */
const MARGIN_MS = 5_000;

/**
 * SIGTERM through the real start-up path (`src/main.ts`): a bulk that cannot finish within
 * SHUTDOWN_GRACE_SECONDS is handed over — leases released, exit 0 within the grace period — and
 * the next process finishes it at once with nothing repeated.
 */
describe('SIGTERM: a bounded drain', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it(
    'hands a bulk over within the grace period; the next start finishes it, each call once',
    { timeout: 90_000 },
    async () => {
      const slack = new FakeSlack({
        botToken: SECRETS.bot,
        adminToken: SECRETS.admin,
        memberChannels: ['C0SEC'],
      });
      const mm = new FakeMattermost();
      await Promise.all([slack.start(), mm.start()]);
      cleanups.push(
        () => slack.close(),
        () => mm.close(),
      );
      slack.addUser(user('UREQ', 'req@example.com'));
      for (const [i, id] of PEOPLE.entries()) {
        slack.addUser(user(id, `${id.toLowerCase()}@example.com`));
        mm.users.push({ id: `mm${i}`, email: `${id.toLowerCase()}@example.com`, username: id.toLowerCase() });
        mm.sessions.push({ id: `s${i}`, user_id: `mm${i}`, token: 'T', create_at: 1, last_activity_at: 2 });
      }
      // A slow vendor: the bulk takes far longer than the grace period.
      mm.hook = async (_route, when) => {
        if (when === 'before') await new Promise((r) => setTimeout(r, 400));
        return false;
      };
      const dir = mkdtempSync(join(tmpdir(), 'revoke-drain-'));
      const db = join(dir, 'revoke.db');
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const env = childEnv(slack.url, db, {
        ...mm.env(),
        LOG_LEVEL: 'info',
        SHUTDOWN_GRACE_SECONDS: String(GRACE_S),
      });
      const start = async (): Promise<{ app: MainProcess; url: string }> => {
        const app = spawnMain(env);
        cleanups.push(() => app.cleanup());
        const port = (await app.waitFor(/listening \(HTTP\) on port (\d+)/))[1];
        return { app, url: `http://127.0.0.1:${port}` };
      };

      const first = await start();
      const values = formValues({ target: PEOPLE[0], systems: ['mattermost'], reason: 'INC-20: drain test' });
      values.more_targets = {
        more_targets_selected: { type: 'multi_users_select', selected_users: PEOPLE.slice(1) },
      };
      const res = await signedPost(
        `${first.url}/slack/events`,
        interactionBody(submission(values)),
        'application/x-www-form-urlencoded',
        { secret: SECRETS.signing },
      );
      expect(res.status).toBe(200);
      for (let i = 0; i < 400 && mm.requestsTo('revoke_all').length < 2; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(mm.requestsTo('revoke_all').length).toBeGreaterThanOrEqual(2);

      const signalledAt = Date.now();
      first.app.proc.kill('SIGTERM');
      expect(await first.app.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(GRACE_S * 1000 + MARGIN_MS);
      expect(first.app.output()).toMatch(/SIGTERM: stopping — no new work; running work has up to 1 s/);
      expect(first.app.output()).toMatch(
        /stopped before 1 run\(s\) finished \(r-[^)]+\): their leases are released/,
      );

      const store = new SqliteStore(db);
      cleanups.push(() => store.close());
      const [request] = await store.listRequestsForTarget(PEOPLE[0] ?? '', 1);
      if (!request) throw new Error('the bulk was not recorded');
      expect(request.status).toBe('running');
      // Released, not left to lapse: runnable now, although a lease lasts 30 s.
      expect(await store.listRunnable(new Date().toISOString(), 10)).toEqual([request.id]);
      const finishedFirst = (await store.listAudit({ requestId: request.id })).filter(
        (a) => a.action === 'step_finished',
      ).length;
      expect(finishedFirst).toBeLessThan(PEOPLE.length);

      // The vendor is quick again; the next start takes the rest over at its first round.
      mm.hook = undefined;
      const second = await start();
      let final = request;
      for (let i = 0; i < 600 && final.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        final = (await store.getRequest(request.id)) ?? final;
      }
      expect(final.status, second.app.output()).toBe('done');

      // Each person's revocation was sent exactly once, across both processes.
      const revokes = mm.requestsTo('revoke_all').map((r) => /users\/([^/]+)\//.exec(r.path)?.[1]);
      expect([...revokes].sort()).toEqual(PEOPLE.map((_, i) => `mm${i}`).sort());
      expect(mm.sessions).toEqual([]);
      const audit = await store.listAudit({ requestId: request.id });
      const finished = audit.filter((a) => a.action === 'step_finished');
      expect(finished).toHaveLength(PEOPLE.length);
      expect(new Set(finished.map((a) => (a.data as { person: number }).person)).size).toBe(PEOPLE.length);
      expect(audit.filter((a) => a.action === 'run_resumed')).toHaveLength(1);
      expect(audit.filter((a) => a.action === 'run_finished')).toHaveLength(1);
      expect(verifyChain(await store.listAudit()).ok).toBe(true);
      expect(mm.violations).toEqual([]);
      second.app.proc.kill('SIGTERM');
      expect(await second.app.exited).toBe(0);
      captureSqliteAudit(`sqlite:${db}`);
    },
  );
});
