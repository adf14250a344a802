import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/engine/store-port/index.js';
import { RedactingLogger, Redactor } from '../../src/log.js';
import { Budgets } from '../../src/providers/budget/index.js';
import { ReplicaShare } from '../../src/runtime/replica-share.js';
import { createStore } from '../../src/store/index.js';

/** Two replicas on one database: each keeps to half of every vendor limit while both are alive. */
describe('replicas share the vendor budgets', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('halves each replica’s share while two are alive, and gives it back when one leaves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'revoke-replicas-'));
    dirs.push(dir);
    const url = `sqlite:${join(dir, 'shared.db')}`;
    const [a, b] = [await createStore(url), await createStore(url)];
    stores.push(a, b);
    await a.migrate();
    const table = new Map([['okta', { count: 600, perMs: 60_000 }]]);
    const budgetsA = new Budgets(table);
    const budgetsB = new Budgets(table);
    const logger = new RedactingLogger(new Redactor([]), 'error', () => {});
    let clock = Date.parse('2026-12-01T10:00:00Z');
    const now = () => new Date(clock);
    const shareA = new ReplicaShare(a, budgetsA, 'replica-a', 45_000, logger, now);
    const shareB = new ReplicaShare(b, budgetsB, 'replica-b', 45_000, logger, now);

    await shareA.beat();
    expect(budgetsA.for('okta', 'list_users').limit('urgent')).toBe(600);
    await shareB.beat();
    await shareA.beat();
    expect(budgetsA.for('okta', 'list_users').limit('urgent')).toBe(300);
    expect(budgetsB.for('okta', 'clear_sessions').limit('urgent')).toBe(300);

    await shareB.leave();
    clock += 15_000;
    await shareA.beat();
    expect(budgetsA.for('okta', 'list_users').limit('urgent')).toBe(600);
  });
});
