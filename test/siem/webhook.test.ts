import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/engine/store-port/index.js';
import { buttonClick } from '../helpers/actions.js';
import { isApprovalCard } from '../helpers/blocks.js';
import { type Harness, startHarness, user } from '../helpers/harness.js';
import { API_TOKENS, AUDIT_WEBHOOK_SECRET } from '../helpers/known-secrets.js';
import { firstArrivals, type Received, until, WebhookReceiver } from './receivers.js';

/**
 * Every audit record reaches the SIEM's webhook from the real app: signed, in order, each with its
 * chain hash and the chain head; an outage of the receiver delays only the stream (visible in
 * /readyz and /metrics), never a revocation.
 */
describe('audit records to a SIEM webhook', () => {
  let h: Harness;
  let siem: WebhookReceiver;

  beforeEach(async () => {
    siem = new WebhookReceiver(AUDIT_WEBHOOK_SECRET);
    await siem.start();
    h = await startHarness({
      AUDIT_WEBHOOK_URL: siem.url,
      AUDIT_WEBHOOK_SECRET,
      REVOKE_API_TOKEN: API_TOKENS.alert,
      METRICS_ENABLED: 'true',
      REVOKE_APPROVERS: 'UAPP1',
      REVOKE_APPROVAL_CHANNEL: 'C0APPROVE',
    });
    h.slack.addUser(user('UAPP1', 'app1@example.com'));
    seenCards.clear();
    h.slack.sessions = [
      { user_id: 'UALICE', session_id: 1, team_id: 'T1', created: { os: 'Mac' }, kind: 'desktop' },
    ];
  });
  afterEach(async () => {
    await h.close();
    await siem.close();
  });

  const alert = (key: string) =>
    fetch(`${h.url}/api/revocation-requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKENS.alert}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'alice@example.com',
        reason: 'EDR: token theft',
        source: 'edr',
        idempotency_key: key,
      }),
    });
  /** An alert for alice, approved by UAPP1 on its card: a real revocation runs. */
  const revoke = async (key: string) => {
    expect((await alert(key)).status).toBe(202);
    const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
    const card = await h.slack.waitFor(() =>
      h.slack.messages.find((m) => !m.thread_ts && isApprovalCard(m.blocks) && !seenCards.has(m.ts)),
    );
    seenCards.add(card.ts);
    const click = buttonClick({
      userId: 'UAPP1',
      actionId: 'approve_request',
      value: request?.id ?? '',
      channel: 'C0APPROVE',
      messageTs: card.ts,
    });
    expect((await h.interact(click)).status).toBe(200);
    return until(settled);
  };
  const seenCards = new Set<string>();
  const log = () => h.app.store.listAudit();
  const settled = async () => {
    const [request] = await h.app.store.listRequestsForTarget('UALICE', 1);
    return request && !['pending_approval', 'approved', 'running'].includes(request.status)
      ? request
      : undefined;
  };
  /** Waits until the receiver holds every record the store has, and returns both. */
  const caughtUp = async () =>
    until(async () => {
      const records = await log();
      const seqs = firstArrivals(siem.deliveries.map((d) => d.seq));
      return records.length > 0 && seqs.length === records.length ? records : undefined;
    });
  const expectSame = (received: readonly Received[], records: readonly AuditRecord[]) => {
    const bySeq = new Map(received.map((r) => [r.seq, r]));
    for (const record of records) {
      const got = bySeq.get(record.seq);
      expect(got?.hash).toBe(record.hash);
      expect(got?.prevHash).toBe(record.prevHash);
      expect(got?.requestId).toBe(record.requestId);
      expect(got?.action).toBe(record.action);
      // The head is a record of the chain at or after this one: an anchor for `audit verify --anchor`.
      const head = records.find((r) => r.seq === got?.head.seq);
      expect(got?.head.seq).toBeGreaterThanOrEqual(record.seq);
      expect(got?.head.hash).toBe(head?.hash);
      expect(got?.head.anchor).toBe(`${head?.seq}:${head?.hash}`);
    }
  };

  it('sends every record exactly in order, each signed batch with seq, hash, request id and head', async () => {
    expect((await revoke('k-1')).status).toBe('done');
    await h.delivered();
    const records = await caughtUp();
    expect(records.length).toBeGreaterThan(3);
    expect(records.some((r) => r.requestId !== null)).toBe(true);
    // Exactly in order, once each (no outage, no crash: nothing needed to be sent again).
    expect(siem.deliveries.map((d) => d.seq)).toEqual(records.map((r) => r.seq));
    expect(siem.badSignatures).toBe(0);
    expectSame(siem.deliveries, records);
    // Later records keep coming as they are written.
    await revoke('k-2');
    const more = await until(async () => {
      const all = await caughtUp();
      return all.length > records.length && siem.deliveries.length === all.length ? all : undefined;
    });
    expect(siem.deliveries.map((d) => d.seq)).toEqual(more.map((r) => r.seq));
  });

  it('rides out an outage: revocations go on, /readyz and /metrics show the lag, then every record arrives in order', async () => {
    siem.down = true;
    // The revocation finishes while the SIEM is down.
    expect((await revoke('k-1')).status).toBe('done');
    const written = (await log()).length;
    const ready = await until(async () => {
      const body = (await (await fetch(`${h.url}/readyz`)).json()) as {
        status: string;
        checks: { auditStream?: string };
      };
      return body.checks.auditStream?.startsWith('webhook:') ? body : undefined;
    });
    // Shown, never a reason to take the replica out of service.
    expect(ready.status).toBe('ready');
    expect(ready.checks.auditStream).toMatch(/^webhook: \d+ audit record\(s\) not delivered, failing since /);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    const lag = Number(/revoke_audit_stream_lag_records\{sink="webhook"\} (\d+)/.exec(metrics)?.[1]);
    expect(lag).toBeGreaterThanOrEqual(written);
    expect(metrics).toMatch(/revoke_audit_stream_failing_seconds\{sink="webhook"\} [\d.]+/);
    expect(siem.deliveries).toEqual([]);

    siem.down = false;
    const records = await caughtUp();
    expect(siem.deliveries.map((d) => d.seq)).toEqual(records.map((r) => r.seq));
    expect(siem.badSignatures).toBe(0);
    expectSame(siem.deliveries, records);
    const after = (await (await fetch(`${h.url}/readyz`)).json()) as { checks: { auditStream?: string } };
    expect(after.checks.auditStream).toBe('ok');
    // The secret signs; it is never written anywhere.
    expect(h.logs.some((line) => line.includes(AUDIT_WEBHOOK_SECRET))).toBe(false);
  });
});
