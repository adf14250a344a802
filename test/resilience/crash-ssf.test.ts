import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeSlack } from '../fakes/slack.js';
import { FakeSsfReceiver, verifySet } from '../fakes/ssf-receiver.js';
import { type ChildApp, childEnv, kill9, startChildApp } from '../helpers/child-app.js';
import { formValues, submission } from '../helpers/forms.js';
import { SECRETS, user } from '../helpers/harness.js';
import { interactionBody, signedPost } from '../helpers/slack-signing.js';
import { PUSH_AUTHORIZATION, SSF_TOKENS, ssfCall, transmitterEnv } from '../helpers/ssf.js';

const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

/**
 * A session-revoked SET is an outbox effect written with the step's outcome: a SIGKILL between the
 * revocation and the push loses no event, and the restarted app pushes the same SET — the `jti`
 * fixed when the effect was written — so the receiver accepts exactly one per `jti`.
 */
describe('SIGKILL between a revocation and its Shared Signals event', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function world() {
    const slack = new FakeSlack({
      botToken: SECRETS.bot,
      adminToken: SECRETS.admin,
      memberChannels: ['C0SEC'],
    });
    await slack.start();
    cleanups.push(() => slack.close());
    slack.addUser(user('UREQ', 'bob@example.com')).addUser(user('UALICE', 'alice@example.com'));
    slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
    const receiver = new FakeSsfReceiver();
    await receiver.start();
    cleanups.push(() => receiver.close());
    const dir = mkdtempSync(join(tmpdir(), 'revoke-crash-ssf-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { issuer, env: ssf } = await transmitterEnv(dir);
    const env = childEnv(slack.url, join(dir, 'revoke.db'), ssf);
    const start = async () => {
      const app = await startChildApp(env);
      cleanups.push(async () => {
        app.proc.kill('SIGKILL');
        await app.exited;
      });
      return app;
    };
    const first = await start();
    const created = await ssfCall(`${issuer}/ssf/stream`, 'POST', SSF_TOKENS.siem, {
      delivery: {
        method: 'urn:ietf:rfc:8935',
        endpoint_url: `${receiver.url}/events`,
        authorization_header: PUSH_AUTHORIZATION,
      },
      events_requested: [SESSION_REVOKED],
    });
    expect(created.status).toBe(201);
    const revoke = (app: ChildApp) =>
      signedPost(
        `${app.url}/slack/events`,
        interactionBody(submission(formValues({}))),
        'application/x-www-form-urlencoded',
        {
          secret: SECRETS.signing,
        },
      );
    const store = () => {
      const s = new SqliteStore(join(dir, 'revoke.db'));
      cleanups.push(() => s.close());
      return s;
    };
    return { slack, receiver, issuer, first, start, revoke, store };
  }

  /** After the restart: exactly one SET accepted, every attempt under its jti, and it verifies. */
  async function exactlyOnce(w: Awaited<ReturnType<typeof world>>) {
    await w.slack.waitFor(() => w.receiver.accepted.length >= 1 || undefined, 30_000);
    await new Promise((r) => setTimeout(r, 2_000)); // a second push would have arrived by now
    expect(w.receiver.accepted).toHaveLength(1);
    const jti = w.receiver.accepted[0]?.jti;
    expect(w.receiver.pushes.every((p) => p.jti === jti)).toBe(true);
    const [request] = await w.store().listRequestsForTarget('UALICE', 1);
    expect(request?.status).toBe('done');
    const { payload } = await verifySet(
      w.receiver.accepted[0]?.set ?? '',
      `${w.issuer}/ssf/jwks`,
      w.issuer,
      'https://siem.example.com',
    );
    expect(payload.jti).toBe(jti);
    expect(payload.txn).toBe(request?.id);
    const effects = (await w.store().listEffects()).filter((e) => e.kind === 'ssf_session_revoked');
    expect(effects.map((e) => [e.state, e.payload.jti])).toEqual([['done', jti]]);
    return request;
  }

  it(
    'killed while pushing, before the receiver answers: the restarted app pushes the same jti, once accepted',
    { timeout: 90_000 },
    async () => {
      const w = await world();
      let killed = false;
      w.receiver.answer = async () => {
        if (killed) return { status: 202 };
        killed = true;
        await kill9(w.first);
        return 'hang';
      };
      expect((await w.revoke(w.first)).status).toBe(200);
      await w.slack.waitFor(() => killed || undefined, 30_000);
      await w.first.exited;
      await w.start();
      await exactlyOnce(w);
      expect(w.receiver.pushes.length).toBe(2);
    },
  );

  it(
    'killed once Slack ended the sessions, before the outcome was recorded: one SET after the restart',
    { timeout: 90_000 },
    async () => {
      const w = await world();
      let fired = false;
      w.slack.afterApply = async (method: string) => {
        if (fired || method !== 'admin.users.session.reset') return false;
        fired = true;
        await kill9(w.first);
        return true;
      };
      expect((await w.revoke(w.first)).status).toBe(200);
      await w.slack.waitFor(() => fired || undefined, 30_000);
      await w.first.exited;
      expect(w.receiver.pushes).toHaveLength(0);
      w.slack.afterApply = undefined;
      await w.start();
      await exactlyOnce(w);
    },
  );
});
