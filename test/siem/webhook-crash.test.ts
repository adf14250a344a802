import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/engine/audit-chain.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { FakeSlack } from '../fakes/slack.js';
import { type ChildApp, childEnv, kill9, startChildApp } from '../helpers/child-app.js';
import { SECRETS, user } from '../helpers/harness.js';
import { API_TOKENS, AUDIT_WEBHOOK_SECRET } from '../helpers/known-secrets.js';
import { firstArrivals, until, WebhookReceiver } from './receivers.js';

/**
 * The app is SIGKILLed while the SIEM holds a batch it has not answered: the cursor never moved, so
 * the restarted app sends those records again (at least once), then everything after them, in order.
 */
describe('audit records to a SIEM webhook across a SIGKILL', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('re-sends the batch in flight after a restart and skips nothing', { timeout: 90_000 }, async () => {
    const slack = new FakeSlack({
      botToken: SECRETS.bot,
      adminToken: SECRETS.admin,
      memberChannels: ['C0SEC'],
    });
    await slack.start();
    cleanups.push(() => slack.close());
    slack.addUser(user('UREQ', 'bob@example.com')).addUser(user('UALICE', 'alice@example.com'));
    slack.addUser(user('UCAROL', 'carol@example.com'));
    const siem = new WebhookReceiver(AUDIT_WEBHOOK_SECRET);
    await siem.start();
    cleanups.push(() => siem.close());
    const dir = mkdtempSync(join(tmpdir(), 'revoke-siem-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = childEnv(slack.url, join(dir, 'revoke.db'), {
      REVOKE_API_TOKEN: API_TOKENS.alert,
      AUDIT_WEBHOOK_URL: siem.url,
      AUDIT_WEBHOOK_SECRET,
    });
    const alert = (app: ChildApp, email: string, key: string) =>
      fetch(`${app.url}/api/revocation-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKENS.alert}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email, reason: 'EDR: token theft', source: 'edr', idempotency_key: key }),
      });

    const first = await startChildApp(env);
    cleanups.push(() => void first.proc.kill('SIGKILL'));
    // The first batch is held unanswered while the app is killed: it was sent, never acknowledged.
    let inFlight: number[] = [];
    siem.onBatch = async (records) => {
      siem.onBatch = undefined;
      inFlight = records.map((r) => r.seq);
      await kill9(first);
      return true;
    };
    expect((await alert(first, 'alice@example.com', 'k-1')).status).toBe(202);
    await Promise.race([first.exited, new Promise((r) => setTimeout(r, 30_000))]);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(siem.deliveries).toEqual([]);

    const second = await startChildApp(env);
    cleanups.push(async () => {
      second.proc.kill('SIGKILL');
      await second.exited;
    });
    expect((await alert(second, 'carol@example.com', 'k-2')).status).toBe(202);
    const store = new SqliteStore(join(dir, 'revoke.db'));
    cleanups.push(() => store.close());
    const records = await until(async () => {
      const all = await store.listAudit();
      // Both requests are in the log (the second written by the restarted app).
      const both = all.filter((r) => r.action === 'request_created').length === 2;
      return both && firstArrivals(siem.deliveries.map((d) => d.seq)).length === all.length ? all : undefined;
    }, 30_000);
    expect(verifyChain(records).ok).toBe(true);
    // Every record, in order, once (the batch in flight was never acknowledged, so it was sent again).
    expect(siem.deliveries.map((d) => d.seq)).toEqual(records.map((r) => r.seq));
    expect(siem.deliveries.slice(0, inFlight.length).map((d) => d.seq)).toEqual(inFlight);
    expect(siem.deliveries.map((d) => d.hash)).toEqual(records.map((r) => r.hash));
    expect(siem.badSignatures).toBe(0);
  });
});
