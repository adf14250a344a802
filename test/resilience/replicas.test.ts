import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { FakeSlack } from '../fakes/slack.js';
import { buttonClick } from '../helpers/actions.js';
import { sectionTexts } from '../helpers/blocks.js';
import { capturePostgresAudit } from '../helpers/capture.js';
import { type ChildApp, kill9, startChildApp } from '../helpers/child-app.js';
import { formValues, submission } from '../helpers/forms.js';
import { SECRETS, user } from '../helpers/harness.js';
import { interactionBody, signedPost } from '../helpers/slack-signing.js';

const url = process.env.TEST_DATABASE_URL;
if (!url && process.env.CI === 'true')
  throw new Error('TEST_DATABASE_URL must be set in CI: the replica tests need PostgreSQL');
if (!url)
  console.warn(
    'Skipping the two-replica PostgreSQL tests: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them.',
  );

/** A database URL whose connections use their own schema. */
function withSchema(base: string, schema: string): string {
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

describe.skipIf(!url)('two app processes on one PostgreSQL database', () => {
  const schema = `replicas_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  const fake = new FakeSlack({
    botToken: SECRETS.bot,
    adminToken: SECRETS.admin,
    memberChannels: ['C0SEC', 'C0APPROVE'],
  });
  const children: ChildApp[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await fake.start();
    for (const id of ['UREQ', 'UALICE', 'UBOB', 'UAPP1', 'UAPP2'])
      fake.addUser(user(id, `${id.toLowerCase()}@example.com`));
    env = {
      SLACK_BOT_TOKEN: SECRETS.bot,
      SLACK_SIGNING_SECRET: SECRETS.signing,
      SLACK_ADMIN_TOKEN: SECRETS.admin,
      SLACK_API_URL: fake.url,
      PORT: '0',
      REVOKE_REQUESTERS: 'UREQ',
      REVOKE_APPROVERS: 'UAPP1,UAPP2',
      REVOKE_REQUIRE_APPROVAL: 'true',
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
      DATABASE_URL: withSchema(url ?? '', schema),
      LOG_LEVEL: 'warn',
    };
    // Start both at once: migrations must not race.
    children.push(...(await Promise.all([startChildApp(env), startChildApp(env)])));
  }, 60_000);

  afterAll(async () => {
    for (const c of children) {
      c.proc.kill('SIGKILL');
      await c.exited;
    }
    await fake.close();
    // The audit rows both replicas wrote, for the run's secrets scan.
    await capturePostgresAudit(admin, schema);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  const store = () => new PostgresStore(withSchema(url ?? '', schema));

  async function pending(target: string) {
    const [a] = children;
    if (!a) throw new Error('no app');
    await signedPost(
      `${a.url}/slack/events`,
      interactionBody(submission(formValues({ target }), undefined, 'UREQ', `V${target}`)),
      'application/x-www-form-urlencoded',
      {
        secret: SECRETS.signing,
      },
    );
    const card = await fake.waitFor(() =>
      fake.messages.find(
        (m) => m.channel === 'C0APPROVE' && (sectionTexts(m.blocks)[0] ?? '').includes(`<@${target}>`),
      ),
    );
    const s = store();
    const [request] = await s.listRequestsForTarget(target, 1);
    await s.close();
    if (!request) throw new Error('request not recorded');
    return { card, request };
  }

  it('concurrent approvals on both replicas lead to exactly one execution', { timeout: 60_000 }, async () => {
    fake.sessions = [
      { user_id: 'UALICE', session_id: 11, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
      { user_id: 'UBOB', session_id: 12, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    const { card, request } = await pending('UALICE');
    const clicks = children.flatMap((c) =>
      ['UAPP1', 'UAPP2', 'UAPP1', 'UAPP2'].map((approver) =>
        signedPost(
          `${c.url}/slack/events`,
          interactionBody(
            buttonClick({
              userId: approver,
              actionId: 'approve_request',
              value: request.id,
              channel: 'C0APPROVE',
              messageTs: card.ts,
            }),
          ),
          'application/x-www-form-urlencoded',
          { secret: SECRETS.signing },
        ),
      ),
    );
    expect((await Promise.all(clicks)).every((r) => r.status === 200)).toBe(true);
    const s = store();
    try {
      for (let i = 0; i < 300; i++) {
        if ((await s.getRequest(request.id))?.status === 'done') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await s.getRequest(request.id))?.status).toBe('done');
      await new Promise((r) => setTimeout(r, 500));
      expect(
        fake.callsTo('admin.users.session.reset').filter((c) => c.args.user_id === 'UALICE'),
      ).toHaveLength(1);
      const audit = await s.listAudit({ requestId: request.id });
      expect(audit.filter((a) => a.action === 'approved')).toHaveLength(1);
      expect(audit.filter((a) => a.action === 'step_finished')).toHaveLength(1);
      expect(verifyChain(await s.listAudit()).ok).toBe(true);
      expect(fake.sessions.map((x) => x.session_id)).toEqual([12]);
    } finally {
      await s.close();
    }
  });

  it('a replica killed mid-run is taken over by the other after its lease', { timeout: 60_000 }, async () => {
    fake.sessions = [
      { user_id: 'UBOB', session_id: 21, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    const { card, request } = await pending('UBOB');
    const [a, b] = children;
    if (!a || !b) throw new Error('no apps');
    let killed = false;
    fake.afterApply = async (method, args) => {
      if (method !== 'admin.users.session.reset' || args.user_id !== 'UBOB' || killed) return false;
      killed = true;
      // Replica A (which the approval reached) dies after Slack applied the reset, before it heard back.
      await kill9(a);
      return true;
    };
    await signedPost(
      `${a.url}/slack/events`,
      interactionBody(
        buttonClick({
          userId: 'UAPP1',
          actionId: 'approve_request',
          value: request.id,
          channel: 'C0APPROVE',
          messageTs: card.ts,
        }),
      ),
      'application/x-www-form-urlencoded',
      { secret: SECRETS.signing },
    );
    const s = store();
    try {
      for (let i = 0; i < 400; i++) {
        if ((await s.getRequest(request.id))?.status === 'done') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      fake.afterApply = undefined;
      expect((await s.getRequest(request.id))?.status).toBe('done');
      const audit = await s.listAudit({ requestId: request.id });
      expect(audit.filter((x) => x.action === 'step_finished')).toHaveLength(1);
      expect(audit.some((x) => x.action === 'run_resumed' || x.action === 'run_started')).toBe(true);
      expect(fake.sessions).toEqual([]);
      expect(verifyChain(await s.listAudit()).ok).toBe(true);
    } finally {
      await s.close();
    }
  });
});
