import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeSlack } from '../fakes/slack.js';
import { cardStatus } from '../helpers/blocks.js';
import { capturePostgresAudit } from '../helpers/capture.js';
import { type ChildApp, childEnv, kill9, startChildApp } from '../helpers/child-app.js';
import { formValues, submission } from '../helpers/forms.js';
import { SECRETS, user } from '../helpers/harness.js';
import { interactionBody, signedPost } from '../helpers/slack-signing.js';
import { functionExecuted } from '../helpers/workflow.js';

/**
 * An acknowledged form is never lost: the app is killed right after it acked a submitted form and
 * before the request was recorded (at the first Slack call the recording makes, looking the person
 * up). After a restart the form becomes its request, exactly once, and runs — or, for a person who
 * cannot be a target, the requester is told why not.
 */
describe('kill -9 between a form’s ack and its request', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function crashAfterAck(target: string, via: 'form' | 'workflow' = 'form') {
    const fake = new FakeSlack({
      botToken: SECRETS.bot,
      adminToken: SECRETS.admin,
      memberChannels: ['C0SEC'],
    });
    await fake.start();
    cleanups.push(() => fake.close());
    fake
      .addUser(user('UREQ', 'bob@example.com'))
      .addUser(user('UALICE', 'alice@example.com'))
      .addUser(user('UGONE', 'gone@example.com', { deleted: true }));
    fake.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
      { user_id: 'UALICE', session_id: 2, team_id: 'T1', created: { os: 'iOS' }, kind: 'mobile' },
      { user_id: 'UREQ', session_id: 3, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'revoke-intake-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = childEnv(fake.url, '', {
      DATABASE_URL: `sqlite:${join(dir, 'revoke.db')}`,
      LOG_LEVEL: 'warn',
      // A workflow step's request always waits for an approver.
      REVOKE_APPROVERS: 'UAPP1',
      REVOKE_APPROVAL_CHANNEL: 'C0SEC',
    });
    fake.addUser(user('UAPP1', 'app1@example.com'));

    const first: ChildApp = await startChildApp(env);
    cleanups.push(() => {
      first.proc.kill('SIGKILL');
    });
    // The recording's first Slack call: the person is looked up. Nothing has been recorded yet.
    let lookups = 0;
    fake.beforeAnswer = async (method) => {
      if (method !== 'users.info' || ++lookups !== 1) return false;
      await kill9(first);
      return true;
    };
    const res =
      via === 'form'
        ? await signedPost(
            `${first.url}/slack/events`,
            interactionBody(submission(formValues({ target }))),
            'application/x-www-form-urlencoded',
            { secret: SECRETS.signing },
          )
        : await signedPost(
            `${first.url}/slack/events`,
            functionExecuted({ user_id: target, reason: 'Offboarding', requested_by: 'UREQ' }, 'FxSTEP'),
            'application/json',
            { secret: SECRETS.signing },
          );
    // Slack saw the ack: 200 and no errors (the modal closed as accepted; the event delivered).
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    await first.exited;
    expect(lookups).toBe(1);
    fake.beforeAnswer = undefined;
    const store = new SqliteStore(join(dir, 'revoke.db'));
    cleanups.push(() => store.close());
    // Killed before the request: nothing recorded, the journal holds the submission.
    expect(await store.listRequestsForTarget(target, 5)).toEqual([]);
    expect(await store.getIntake(via === 'form' ? 'view:VSUBMIT' : 'workflow:FxSTEP')).toMatchObject({
      state: 'pending',
      actor: 'slack:UREQ',
      attempts: 1,
      ...(via === 'form' ? { channelId: 'C0SEC' } : {}),
    });

    const second = await startChildApp(env);
    cleanups.push(async () => {
      second.proc.kill('SIGKILL');
      await second.exited;
    });
    return { fake, store, second };
  }

  const toldUREQ = (fake: FakeSlack) =>
    fake.messages.filter((m) => m.ephemeralFor === 'UREQ' || (m.channel === 'UREQ' && !m.thread_ts));

  it(
    'records the acked form after a restart, exactly once, runs it, and tells the requester',
    {
      timeout: 60_000,
    },
    async () => {
      const { fake, store, second } = await crashAfterAck('UALICE');
      let requests: Awaited<ReturnType<typeof store.listRequestsForTarget>> = [];
      const deadline = Date.now() + 40_000;
      while (Date.now() < deadline) {
        requests = await store.listRequestsForTarget('UALICE', 5);
        if (requests[0]?.status === 'done') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(
        requests.map((r) => r.status),
        second.output.join(''),
      ).toEqual(['done']);
      const [request] = requests;
      expect(request).toMatchObject({
        source: 'slash_command',
        requester: { kind: 'slack', id: 'UREQ' },
        target: { slackUserId: 'UALICE', email: 'alice@example.com' },
        systems: ['slack'],
        slackScope: 'all',
        reason: 'INC-42: phished',
        origin: { channelId: 'C0SEC' },
        idempotencyKey: 'view:VSUBMIT',
      });
      expect(await store.getIntake('view:VSUBMIT')).toMatchObject({
        state: 'done',
        requestId: request?.id,
        attempts: 2,
      });
      await fake.waitFor(async () => (await store.outboxHealth()).pending === 0);
      expect(
        fake.messages.filter((m) => !m.thread_ts && /Finished/.test(cardStatus(m.blocks) ?? '')),
      ).toHaveLength(1);
      // It ran: Alice's sessions are gone, Bob's untouched; one reset, one parent, one reply.
      expect(fake.sessions.map((s) => s.session_id)).toEqual([3]);
      expect(fake.callsTo('admin.users.session.reset')).toHaveLength(1);
      const parents = fake.messages.filter((m) => !m.thread_ts && !m.ephemeralFor && m.channel === 'C0SEC');
      expect(parents).toHaveLength(1);
      expect(fake.messages.filter((m) => m.thread_ts === parents[0]?.ts)).toHaveLength(1);
      // Recorded once, in the audit log too.
      const audit = await store.listAudit();
      expect(audit.filter((a) => a.action === 'request_created').map((a) => a.requestId)).toEqual([
        request?.id,
      ]);
      expect(verifyChain(audit).ok).toBe(true);
      // The requester is told the form was recorded after the restart, once, in the channel they used.
      const told = toldUREQ(fake);
      expect(told.map((m) => [m.channel, m.ephemeralFor])).toEqual([['C0SEC', 'UREQ']]);
      expect(told[0]?.text).toMatch(/^The revocation form you submitted <!date\^\d+\^/);
      expect(told[0]?.text).toContain(
        `was accepted, but the app restarted (or failed) before recording it; it is recorded now as request \`${request?.id}\` for <@UALICE> (alice@example.com).`,
      );
      // …as an effect written with the request itself, before its thread.
      expect((await store.listEffects(request?.id)).map((e) => [e.key, e.state])[0]).toEqual([
        `requester_note:${request?.id}:recorded_late`,
        'done',
      ]);
      // Housekeeping rounds after it find nothing more to record.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await store.listRequestsForTarget('UALICE', 5)).toHaveLength(1);
      expect(toldUREQ(fake)).toHaveLength(1);
    },
  );

  it(
    'tells the requester why an acked form naming a deactivated person was not recorded',
    {
      timeout: 60_000,
    },
    async () => {
      const { fake, store, second } = await crashAfterAck('UGONE');
      await fake
        .waitFor(() => toldUREQ(fake)[0], 30_000)
        .catch(() => {
          throw new Error(`the requester was never told:\n${second.output.join('')}`);
        });
      const told = toldUREQ(fake);
      expect(told.map((m) => [m.channel, m.ephemeralFor])).toEqual([['C0SEC', 'UREQ']]);
      expect(told[0]?.text).toMatch(/^The revocation form you submitted <!date\^\d+\^/);
      expect(told[0]?.text).toContain(
        'was accepted, but the app restarted (or failed) before recording it; it cannot be recorded:',
      );
      expect(told[0]?.text).toContain('is deactivated in Slack');
      expect(told[0]?.text).toMatch(/Nothing was revoked\.$/);
      expect(await store.getIntake('view:VSUBMIT')).toMatchObject({
        state: 'refused',
        message: expect.stringContaining('is deactivated in Slack'),
      });
      expect(await store.listRequestsForTarget('UGONE', 5)).toEqual([]);
      expect(fake.callsTo('admin.users.session.reset')).toEqual([]);
      // Told once: later rounds do not take a refused form up again.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(toldUREQ(fake)).toHaveLength(1);
    },
  );

  it(
    'a workflow step acked and killed before its request: recorded after the restart, its card posted once',
    { timeout: 60_000 },
    async () => {
      const { fake, store, second } = await crashAfterAck('UALICE', 'workflow');
      const request = await fake
        .waitFor(async () => (await store.listRequestsForTarget('UALICE', 5))[0], 30_000)
        .catch(() => {
          throw new Error(`never recorded:\n${second.output.join('')}`);
        });
      expect(request).toMatchObject({
        source: 'workflow',
        status: 'pending_approval',
        idempotencyKey: 'workflow:FxSTEP',
        workflow: { functionExecutionId: 'FxSTEP' },
      });
      expect(await store.getIntake('workflow:FxSTEP')).toMatchObject({
        state: 'done',
        requestId: request.id,
      });
      await fake.waitFor(async () => (await store.outboxHealth()).pending === 0);
      const cards = fake.messages.filter((m) => !m.thread_ts && m.channel === 'C0SEC');
      expect(cards).toHaveLength(1);
      // Still waiting for its approver: the step is not ended, and nothing was revoked.
      expect(fake.callsTo('functions.completeError')).toEqual([]);
      expect(fake.callsTo('functions.completeSuccess')).toEqual([]);
      expect(fake.callsTo('admin.users.session.reset')).toEqual([]);
    },
  );

  it(
    'a workflow step acked and killed, then refused after the restart: the step fails once, with why',
    { timeout: 60_000 },
    async () => {
      const { fake, store } = await crashAfterAck('UGONE', 'workflow');
      const failed = await fake.waitFor(() => fake.callsTo('functions.completeError')[0], 30_000);
      expect(failed.args.function_execution_id).toBe('FxSTEP');
      expect(String(failed.args.error)).toMatch(/^Nothing was revoked: .*is deactivated in Slack/);
      expect(await store.getIntake('workflow:FxSTEP')).toMatchObject({ state: 'refused' });
      // The step's token stayed in the journal: the outbox row that failed it does not hold it.
      await fake.waitFor(async () => (await store.outboxHealth()).pending === 0);
      const [effect] = (await store.listEffects()).filter((e) => e.kind === 'intake_refused');
      expect(effect?.state).toBe('done');
      expect(Object.values(effect?.payload ?? {}).map(String)).not.toContain(expect.stringMatching(/^xwfp-/));
      await new Promise((r) => setTimeout(r, 1_000));
      expect(fake.callsTo('functions.completeError')).toHaveLength(1);
      expect(toldUREQ(fake)).toEqual([]);
    },
  );
});

const url = process.env.TEST_DATABASE_URL;

/**
 * The same on PostgreSQL with replicas: the one that acked is killed, the two others race for the
 * form at their housekeeping rounds. One takes it: one request, one run, the requester told once.
 */
describe.skipIf(!url)('kill -9 between a form’s ack and its request, with replicas on PostgreSQL', () => {
  it('exactly one surviving replica records the form, once', { timeout: 90_000 }, async () => {
    const schema = `intake_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const fake = new FakeSlack({
      botToken: SECRETS.bot,
      adminToken: SECRETS.admin,
      memberChannels: ['C0SEC'],
    });
    await fake.start();
    fake.addUser(user('UREQ', 'bob@example.com')).addUser(user('UALICE', 'alice@example.com'));
    fake.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    const database = new URL(url ?? '');
    database.searchParams.set('options', `-c search_path=${schema}`);
    const env = childEnv(fake.url, '', { DATABASE_URL: database.toString(), LOG_LEVEL: 'warn' });
    const apps = await Promise.all([startChildApp(env), startChildApp(env), startChildApp(env)]);
    const store = new PostgresStore(database.toString());
    try {
      const [acking] = apps;
      if (!acking) throw new Error('no app');
      let lookups = 0;
      fake.beforeAnswer = async (method) => {
        if (method !== 'users.info' || ++lookups !== 1) return false;
        await kill9(acking);
        fake.beforeAnswer = undefined;
        return true;
      };
      const res = await signedPost(
        `${acking.url}/slack/events`,
        interactionBody(submission(formValues({}))),
        'application/x-www-form-urlencoded',
        { secret: SECRETS.signing },
      );
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
      await acking.exited;

      let requests: Awaited<ReturnType<typeof store.listRequestsForTarget>> = [];
      const deadline = Date.now() + 40_000;
      while (Date.now() < deadline) {
        requests = await store.listRequestsForTarget('UALICE', 5);
        if (requests[0]?.status === 'done') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(requests.map((r) => [r.status, r.idempotencyKey])).toEqual([['done', 'view:VSUBMIT']]);
      // Taken over once: attempt 2, never a third.
      expect(await store.getIntake('view:VSUBMIT')).toMatchObject({
        state: 'done',
        requestId: requests[0]?.id,
        attempts: 2,
      });
      await new Promise((r) => setTimeout(r, 1_000));
      expect(fake.callsTo('admin.users.session.reset')).toHaveLength(1);
      const told = fake.messages.filter((m) => m.ephemeralFor === 'UREQ');
      expect(told).toHaveLength(1);
      expect(told[0]?.text).toContain(`it is recorded now as request \`${requests[0]?.id}\``);
      const audit = await store.listAudit();
      expect(audit.filter((a) => a.action === 'request_created')).toHaveLength(1);
      expect(audit.filter((a) => a.action === 'step_finished')).toHaveLength(1);
      expect(verifyChain(audit).ok).toBe(true);
    } finally {
      for (const app of apps) {
        app.proc.kill('SIGKILL');
        await app.exited;
      }
      await store.close();
      await fake.close();
      await capturePostgresAudit(admin, schema);
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});
