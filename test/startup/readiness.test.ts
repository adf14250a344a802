import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/harness.js';

interface Readiness {
  status: string;
  version: string;
  mode: string;
  checks: { store: string; slack?: string; outbox?: string };
  reasons?: string[];
}

describe('GET /readyz and /healthz (HTTP mode)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is ready while the store answers, and 503 with the reason once it does not; /healthz stays ok', async () => {
    h = await startHarness();
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    const body = (await ready.json()) as Readiness;
    expect(body).toEqual({
      status: 'ready',
      version: '0.1.0',
      mode: 'http',
      checks: { store: 'ok', outbox: 'ok' },
    });

    await h.app.store.close(); // the database goes away under the running app
    const down = await fetch(`${h.url}/readyz`);
    expect(down.status).toBe(503);
    const reason = (await down.json()) as Readiness;
    expect(reason.status).toBe('not_ready');
    expect(reason.checks.store).toMatch(/^the store does not answer \(.*not open.*\)$/);
    expect(reason.reasons).toEqual([reason.checks.store]);

    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string; version: string }).version).toBe('0.1.0');
  });

  it('names effects that failed for good in the outbox detail, and stays ready (a card never stops revocations)', async () => {
    const app = await startHarness();
    h = app;
    const at = new Date().toISOString();
    await app.app.store.addEffects([{ kind: 'approval_card', key: 'card:r-x', requestId: 'r-x' }], at);
    const [effect] = await app.app.store.claimEffects(
      'test',
      at,
      new Date(Date.now() + 60_000).toISOString(),
      1,
    );
    await app.app.store.settleEffect(effect?.id ?? 0, 'test', { failed: 'channel_not_found' }, at);
    // (The app's own worker may have claimed it first: it fails it for good too — no such request.)
    const body = await app.slack.waitFor(async () => {
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(200);
      const b = (await ready.json()) as Readiness;
      return b.checks.outbox?.startsWith('1 failed') ? b : undefined;
    });
    expect(body.checks.outbox).toBe('1 failed for good (approval_card: 1); see `revoke-sessions status`');
  });
});
