import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Application, buildApplication } from '../../src/application.js';
import { loadConfig } from '../../src/config.js';
import { FakeMattermost } from '../fakes/mattermost.js';
import { FakeSlack } from '../fakes/slack.js';
import { buttonClick } from '../helpers/actions.js';
import { findButton, replyText } from '../helpers/blocks.js';
import { captureLogs, captureSqliteAudit } from '../helpers/capture.js';
import { formValues, submission } from '../helpers/forms.js';
import { SECRETS, user } from '../helpers/harness.js';
import { interactionBody, signedPost } from '../helpers/slack-signing.js';

/**
 * The watch for a return across a restart: the app that revoked stops before the watch's look is
 * due; the next one (a restart, or another replica) takes the schedule from the store.
 */
describe('the watch for a return (REVOKE_WATCH), across a restart', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });

  it('reports a session created after the revocation in the thread, and Revoke again makes a new request through policy', async () => {
    const slack = new FakeSlack({
      botToken: SECRETS.bot,
      adminToken: SECRETS.admin,
      memberChannels: ['C0SEC'],
    });
    const mm = new FakeMattermost();
    await Promise.all([slack.start(), mm.start()]);
    cleanup.push(
      () => slack.close(),
      () => mm.close(),
    );
    slack.addUser(user('UREQ', 'bob@example.com')).addUser(user('UALICE', 'alice@example.com'));
    slack.addUser(user('UOTHER', 'other@example.com'));
    mm.users.push({ id: 'mm-alice', email: 'alice@example.com', username: 'alice' });
    mm.sessions = [
      { id: 'mm-s1', user_id: 'mm-alice', token: 'T1', create_at: Date.now() - 60_000, last_activity_at: 2 },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'revoke-watch-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const config = loadConfig({
      SLACK_BOT_TOKEN: SECRETS.bot,
      SLACK_SIGNING_SECRET: SECRETS.signing,
      SLACK_API_URL: slack.url,
      PORT: '0',
      REVOKE_REQUESTERS: 'UREQ',
      DATABASE_URL: `sqlite:${join(dir, 'watch.db')}`,
      REVOKE_RATE_LIMITS: 'off',
      // Compressed: one look 2 s after the run (the default is 2m,10m,30m).
      REVOKE_WATCH: '2s',
      ...mm.env(),
    });
    const logs: string[] = [];
    const start = async (): Promise<{ app: Application; url: string }> => {
      const app = await buildApplication(config, {
        logSink: captureLogs(logs),
        verifyRecheckMs: 10,
        housekeepingMs: 100,
        outbox: { pollMs: 50 },
        retryPolicy: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50, maxTotalMs: 2_000 },
      });
      const server = await app.start();
      return { app, url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}` };
    };
    const interact = (url: string, payload: unknown) =>
      signedPost(`${url}/slack/events`, interactionBody(payload), 'application/x-www-form-urlencoded', {
        secret: SECRETS.signing,
      });

    const first = await start();
    await interact(first.url, submission(formValues({ systems: ['mattermost'] })));
    const request = await slack.waitFor(async () => {
      const [r] = await first.app.store.listRequestsForTarget('UALICE', 1);
      return r?.status === 'done' ? r : undefined;
    });
    await slack.waitFor(async () =>
      (await first.app.store.outboxHealth()).pending === 0 ? true : undefined,
    );
    // Stopped before the look is due: the look is in the store, not in this process.
    await first.app.stop();
    expect(mm.sessions).toHaveLength(0);
    // The attacker signs in again, after the revocation.
    mm.sessions.push({
      id: 'mm-s2',
      user_id: 'mm-alice',
      token: 'T2',
      create_at: Date.now(),
      last_activity_at: Date.now(),
      props: { browser: 'Chrome', platform: 'Linux' },
    });

    const second = await start();
    cleanup.push(async () => {
      await second.app.stop();
      captureSqliteAudit(config.databaseUrl);
    });
    const alert = await slack.waitFor(
      () => slack.messages.find((m) => m.thread_ts && findButton(m.blocks, 'revoke_again')),
      15_000,
    );
    // The results thread the outbox recorded (it may have been posted after `request` was read).
    const recorded = await second.app.store.getRequest(request.id);
    expect(alert.thread_ts).toBe(recorded?.thread?.ts);
    expect(replyText(alert)).toMatch(/new Mattermost session \(Chrome on Linux\), \d+ s after revocation/);
    const [step] = await second.app.store.listSteps(request.id);
    const look = step?.result?.watch?.[0];
    expect(look?.found?.map((s) => s.id)).toEqual(['mm-s2']);
    const records = await second.app.store.listAudit({ requestId: request.id });
    const checked = records.find((r) => r.action === 'watch_checked');
    expect(
      (checked?.data as { steps: { newSessions: { id: string }[] }[] }).steps[0]?.newSessions[0]?.id,
    ).toBe('mm-s2');

    // The button's value is not trusted: a forged value naming another request raises nothing.
    const button = findButton(alert.blocks, 'revoke_again');
    const revokeAgain = (userId: string, value: string) =>
      interact(
        second.url,
        buttonClick({ userId, actionId: 'revoke_again', value, channel: alert.channel, messageTs: alert.ts }),
      );
    const forged = `${request.id.slice(0, -1)}${request.id.endsWith('x') ? 'y' : 'x'}:0`;
    await revokeAgain('UREQ', forged);
    // Someone who may not request revocations is refused (policy applies to Revoke again too).
    await revokeAgain('UOTHER', String(button?.value));
    const refusedForged = await slack.waitFor(() => slack.messages.find((m) => m.ephemeralFor === 'UREQ'));
    expect(refusedForged.text).toContain('There is no request');
    const refusedOther = await slack.waitFor(() => slack.messages.find((m) => m.ephemeralFor === 'UOTHER'));
    expect(refusedOther.text).toContain('not allowed to request revocations');
    expect((await second.app.store.listRequestsForTarget('UALICE', 5)).length).toBe(1);

    await revokeAgain('UREQ', String(button?.value));
    const again = await slack.waitFor(async () => {
      const [r] = await second.app.store.listRequestsForTarget('UALICE', 1);
      return r && r.id !== request.id && r.status === 'done' ? r : undefined;
    }, 15_000);
    expect(again.systems).toEqual(['mattermost']);
    expect(again.target.slackUserId).toBe('UALICE');
    expect(again.requester).toMatchObject({ kind: 'slack', id: 'UREQ' });
    // The same person within 24 h: the new request says this second revocation is deliberate.
    expect(again.plan?.repeatOf?.requestId).toBe(request.id);
    expect(mm.sessions).toHaveLength(0);
    const linked = (await second.app.store.listAudit({ requestId: request.id })).find(
      (r) => r.action === 'revoke_again',
    );
    expect(linked?.data).toMatchObject({ newRequest: again.id });
    expect(linked?.actor).toBe('slack:UREQ');
    expect(logs.join('\n')).not.toContain(SECRETS.bot);
  }, 40_000);
});
