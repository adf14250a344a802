import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiveSteps } from '../../src/engine/observer.js';
import type { RevocationRequest, RevocationStep } from '../../src/engine/types.js';
import { AppMetrics } from '../../src/metrics/registry.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { parsePrometheus, sample } from '../helpers/prometheus.js';

function step(key: string, state: RevocationStep['state']): RevocationStep {
  return { key, system: 'slack', targetIndex: 0, state, attempts: 0 } as RevocationStep;
}

describe('run metrics from the engine observer', () => {
  let dir: string;
  let store: SqliteStore;
  let metrics: AppMetrics;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'revoke-metrics-'));
    store = new SqliteStore(join(dir, 'm.db'));
    metrics = new AppMetrics({ store, now: () => new Date() });
  });
  afterEach(async () => {
    metrics.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a run that resumes a part-done request as a lease takeover, and a step once however often it is shown', async () => {
    await store.migrate();
    const observer = metrics.observer();
    const request = { id: 'r-1' } as RevocationRequest;
    await observer.requestStarted(request, [step('slack', 'pending')]);
    await observer.requestStarted(request, [step('slack', 'running')]);
    const done = step('slack', 'revoked');
    await observer.stepFinished(request, done, new LiveSteps([done]));
    await metrics.observer().stepFinished(request, done, new LiveSteps([done])); // a display retry
    const samples = parsePrometheus((await metrics.scrape()).body);
    expect(sample(samples, 'revoke_lease_takeovers_total')).toBe(1);
    expect(sample(samples, 'revoke_steps_total', { system: 'slack', outcome: 'revoked' })).toBe(1);
  });

  it('still answers when the store does not: revoke_store_up is 0 and the store-backed gauges are unknown (NaN)', async () => {
    await store.migrate();
    expect(sample(parsePrometheus((await metrics.scrape()).body), 'revoke_store_up')).toBe(1);
    await store.close();
    const samples = parsePrometheus((await metrics.scrape()).body);
    expect(sample(samples, 'revoke_store_up')).toBe(0);
    expect(sample(samples, 'revoke_approvals_pending')).toBeNaN();
    expect(sample(samples, 'revoke_oldest_pending_approval_age_seconds')).toBeNaN();
    expect(sample(samples, 'revoke_runs_in_flight')).toBeNaN();
    expect(samples.filter((x) => x.name === 'revoke_requests')).toEqual([]);
    expect(sample(samples, 'revoke_build_info', { version: '0.1.0' })).toBe(1);
  });
});
