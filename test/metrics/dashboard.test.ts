import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { AppMetrics } from '../../src/metrics/registry.js';
import { Budgets } from '../../src/providers/budget/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

it('the Grafana dashboard only queries metric families the app exposes', async () => {
  const dashboard = JSON.parse(
    readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
  ) as Dashboard;
  const dir = mkdtempSync(join(tmpdir(), 'revoke-dash-'));
  const store = new SqliteStore(join(dir, 'd.db'));
  await store.migrate();
  const metrics = new AppMetrics({ store, now: () => new Date(), budgets: new Budgets() });
  try {
    const exposed = new Set(
      (await metrics.registry.getMetricsAsJSON()).flatMap((m) =>
        String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name],
      ),
    );
    const queried = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) => [...t.expr.matchAll(/\brevoke_[a-z_]+/g)].map((m) => m[0])),
    );
    expect(queried.length).toBeGreaterThanOrEqual(10);
    for (const name of queried) expect(exposed, name).toContain(name);
  } finally {
    metrics.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
