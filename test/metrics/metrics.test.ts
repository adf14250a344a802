import { afterEach, describe, expect, it } from 'vitest';
import type { FakeBox } from '../fakes/box.js';
import type { FakeMattermost } from '../fakes/mattermost.js';
import { buttonClick } from '../helpers/actions.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { METRICS_TOKEN, pendingAlice } from '../helpers/pending-alice.js';
import { parsePrometheus, type Sample, sample } from '../helpers/prometheus.js';

async function scrape(h: Harness, token = METRICS_TOKEN): Promise<Sample[]> {
  const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

describe('GET /metrics', () => {
  let h: Harness | undefined;
  let box: FakeBox | undefined;
  let mm: FakeMattermost | undefined;
  afterEach(async () => {
    await h?.close();
    await box?.close();
    await mm?.close();
    h = undefined;
    box = undefined;
    mm = undefined;
  });

  it('is off unless METRICS_ENABLED=true', async () => {
    h = await startHarness();
    expect((await fetch(`${h.url}/metrics`)).status).toBe(404);
  });

  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    h = await startHarness({ METRICS_ENABLED: 'true', METRICS_TOKEN });
    expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${h.url}/metrics`, {
      headers: { authorization: 'Bearer metrics-bearer-0123456789abcdeX' },
    });
    expect(wrong.status).toBe(401);
    const short = await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer metrics' } });
    expect(short.status).toBe(401);
    expect(sample(await scrape(h), 'revoke_build_info', { version: '0.1.0' })).toBe(1);
  });

  it('after a real approved revocation exposes every family with the right labels, and every log line is JSON', async () => {
    const pending = await pendingAlice();
    ({ h, box, mm } = pending);
    const { clock, card } = pending;
    const harness = pending.h;
    const request = await harness.app.store.getRequest(pending.requestId);
    expect(request?.source).toBe('slash_command');
    clock.offsetMs = 120_000; // the approver takes two minutes
    const waiting = await scrape(harness);
    expect(sample(waiting, 'revoke_approvals_pending')).toBe(1);
    expect(sample(waiting, 'revoke_requests', { source: 'slash_command', status: 'pending_approval' })).toBe(
      1,
    );
    expect(sample(waiting, 'revoke_oldest_pending_approval_age_seconds')).toBeGreaterThanOrEqual(120);

    pending.box.failNext('terminate_sessions', { status: 429, retryAfter: 1 });
    harness.slack.failNext('admin.users.session.reset', { status: 429, retryAfter: 1 });
    pending.mm.failNext('revoke_all', { status: 500 });
    await harness.interact(
      buttonClick({
        userId: 'UAPP1',
        actionId: 'approve_request',
        value: request?.id ?? '',
        channel: 'C0APPROVE',
        messageTs: card.ts,
      }),
    );
    await harness.slack.waitFor(async () => {
      const r = await harness.app.store.getRequest(request?.id ?? '');
      return r && ['done', 'failed', 'partially_failed'].includes(r.status) ? r : undefined;
    }, 20_000);

    const after = await scrape(harness);
    expect(sample(after, 'revoke_requests', { source: 'slash_command', status: 'done' })).toBe(1);
    expect(
      sample(after, 'revoke_requests', { source: 'slash_command', status: 'pending_approval' }),
    ).toBeUndefined();
    expect(sample(after, 'revoke_approvals_pending')).toBe(0);
    expect(sample(after, 'revoke_oldest_pending_approval_age_seconds')).toBe(0);
    expect(sample(after, 'revoke_runs_in_flight')).toBe(0);
    expect(sample(after, 'revoke_steps_total', { system: 'slack', outcome: 'revoked' })).toBe(1);
    expect(sample(after, 'revoke_steps_total', { system: 'box', outcome: 'queued' })).toBe(1);
    expect(sample(after, 'revoke_steps_total', { system: 'mattermost', outcome: 'revoked' })).toBe(1);
    expect(sample(after, 'revoke_vendor_rate_limited_total', { system: 'box' })).toBe(1);
    expect(sample(after, 'revoke_vendor_rate_limited_total', { system: 'slack' })).toBe(1);
    expect(sample(after, 'revoke_vendor_retries_total', { system: 'slack' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'revoke_vendor_retries_total', { system: 'box' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'revoke_vendor_retries_total', { system: 'mattermost' })).toBeGreaterThanOrEqual(1);
    // Every budget used so far is listed, nothing waits once the run is over; one replica keeps to all of it.
    expect(sample(after, 'revoke_vendor_calls_waiting', { budget: 'slack:users.info', lane: 'urgent' })).toBe(
      0,
    );
    expect(sample(after, 'revoke_vendor_calls_waiting', { budget: 'box', lane: 'bulk' })).toBe(0);
    expect(sample(after, 'revoke_vendor_budget_share')).toBe(1);
    for (const system of ['slack', 'box', 'mattermost']) {
      expect(sample(after, 'revoke_vendor_call_duration_seconds_count', { system })).toBeGreaterThanOrEqual(
        2,
      );
      expect(
        sample(after, 'revoke_vendor_call_duration_seconds_bucket', { system, le: '+Inf' }),
      ).toBeGreaterThanOrEqual(2);
    }
    expect(sample(after, 'revoke_lease_takeovers_total')).toBe(0);

    // Every record of the run is one JSON object on one line.
    expect(harness.logs.length).toBeGreaterThan(5);
    for (const line of harness.logs) {
      expect(line).not.toContain('\n');
      const record = JSON.parse(line) as { level: string; msg: string; time: string };
      expect(['debug', 'info', 'warn', 'error']).toContain(record.level);
      expect(typeof record.msg).toBe('string');
    }
    const records = harness.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const finished = records.find((r) => String(r.msg).startsWith(`request ${request?.id} finished`));
    expect(finished?.request_id).toBe(request?.id);
    const boxStep = records.find((r) => r.request_id === request?.id && r.system === 'box');
    expect(boxStep?.msg).toBe(`request ${request?.id}: box queued`);
    const retry = records.find((r) => String(r.msg).startsWith('mattermost ') && r.level === 'warn');
    expect(retry?.system).toBe('mattermost');
    const recorded = records.find((r) => String(r.msg).startsWith(`request ${request?.id} recorded`));
    expect(recorded?.actor).toBe('slack:UREQ');
  }, 40_000);
});
