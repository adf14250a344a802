import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ContainEvent } from '../engine/containment.js';
import type { RunObserver } from '../engine/observer.js';
import type { OutboxHealth, Store, StoreMetrics } from '../engine/store-port/index.js';
import type { Budgets } from '../providers/budget/index.js';
import { onVendorCall, type VendorCallEvent } from '../providers/retry.js';
import { VERSION } from '../version.js';
import { MetricsObserver } from './observer.js';

/** Time-to-contain buckets (seconds after approval): 1 s to 1 h. */
const CONTAIN_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** Latency buckets (seconds) for vendor calls: 25 ms to 30 s. */
const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface AppMetricsDeps {
  store: Store;
  now: () => Date;
  /** The vendor budgets, read at scrape time (calls waiting for their turn, this replica's share). */
  budgets?: Budgets | undefined;
}

/**
 * The app's Prometheus metrics on their own registry. Counters are fed by the
 * engine's run observer and the vendor HTTP layer; request, approval and
 * in-flight gauges are read from the store at scrape time, so they hold across
 * restarts and agree between replicas.
 */
export class AppMetrics {
  readonly registry = new Registry();
  readonly steps: Counter<'system' | 'outcome'>;
  readonly takeovers: Counter;
  private readonly unsubscribe: () => void;
  private readonly seenSteps = new Set<string>();
  private snapshot: StoreMetrics | undefined;
  private outbox: OutboxHealth | undefined;
  private readonly effects: Counter<'kind' | 'outcome'>;
  private readonly contain: Histogram<'system' | 'stage'>;
  private readonly store: AppMetricsDeps;

  constructor(deps: AppMetricsDeps) {
    this.store = deps;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'revoke_build_info',
      help: 'Always 1; the version label says which release runs.',
      labelNames: ['version'],
      registers,
    }).set({ version: VERSION }, 1);
    this.steps = new Counter({
      name: 'revoke_steps_total',
      help: 'Per-system steps finished by this process, by outcome (revoked, queued, partial, failed, no_account, ambiguous, not_allowed).',
      labelNames: ['system', 'outcome'],
      registers,
    });
    this.takeovers = new Counter({
      name: 'revoke_lease_takeovers_total',
      help: 'Runs this process resumed after an earlier runner stopped part-way (its lease expired).',
      registers,
    });
    const latency = new Histogram({
      name: 'revoke_vendor_call_duration_seconds',
      help: 'Latency of each vendor HTTP attempt, by system.',
      labelNames: ['system'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const rateLimited = new Counter({
      name: 'revoke_vendor_rate_limited_total',
      help: 'Vendor answers with HTTP 429, by system.',
      labelNames: ['system'],
      registers,
    });
    const retries = new Counter({
      name: 'revoke_vendor_retries_total',
      help: 'Vendor calls repeated under the retry policy, by system.',
      labelNames: ['system'],
      registers,
    });
    this.unsubscribe = onVendorCall((event: VendorCallEvent) => {
      if (event.kind === 'retry') {
        retries.inc({ system: event.system });
        return;
      }
      latency.observe({ system: event.system }, event.durationMs / 1000);
      if (event.status === 429) rateLimited.inc({ system: event.system });
    });
    this.effects = new Counter({
      name: 'revoke_effects_total',
      help: 'Outbox deliveries settled by this process, by effect kind and outcome (done, retry, failed).',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.contain = new Histogram({
      name: 'revoke_time_to_contain_seconds',
      help: 'Seconds from approval until a vendor accepted a revocation (stage accepted) and until it was confirmed (stage confirmed: an empty listing, or the vendor audit log), by system.',
      labelNames: ['system', 'stage'],
      buckets: CONTAIN_BUCKETS,
      registers,
    });
    this.storeGauges(deps, registers);
    this.outboxGauges(deps, registers);
    if (deps.budgets) budgetGauges(deps.budgets, registers);
  }

  private storeGauges(deps: AppMetricsDeps, registers: Registry[]): void {
    // The store is read once per scrape (in scrape(), before collecting); these gauges only copy it.
    // A store that does not answer leaves them out of the scrape and sets revoke_store_up to 0.
    const read = async () => this.snapshot;
    new Gauge({
      name: 'revoke_store_up',
      help: '1 when the store answered the metrics query of this scrape, else 0.',
      registers,
      async collect() {
        this.set((await read()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'revoke_requests',
      help: 'Requests in the store, by source and status (final statuses only grow).',
      labelNames: ['source', 'status'],
      registers,
      async collect() {
        this.reset();
        for (const r of (await read())?.requests ?? [])
          this.set({ source: r.source, status: r.status }, r.count);
      },
    });
    new Gauge({
      name: 'revoke_approvals_pending',
      help: 'Requests waiting for an approver.',
      registers,
      async collect() {
        const s = await read();
        if (!s) return this.set(Number.NaN);
        this.set(s.requests.filter((r) => r.status === 'pending_approval').reduce((n, r) => n + r.count, 0));
      },
    });
    new Gauge({
      name: 'revoke_oldest_pending_approval_age_seconds',
      help: 'Age of the oldest request still waiting for an approver (0 when none).',
      registers,
      async collect() {
        const s = await read();
        if (!s) return this.set(Number.NaN);
        const at = s.oldestPendingApprovalAt;
        this.set(at ? Math.max(0, (deps.now().getTime() - Date.parse(at)) / 1000) : 0);
      },
    });
    new Gauge({
      name: 'revoke_runs_in_flight',
      help: 'Requests being run now under a live lease (any replica).',
      registers,
      async collect() {
        const s = await read();
        if (!s) return this.set(Number.NaN);
        this.set(s.runsInFlight);
      },
    });
  }

  private outboxGauges(deps: AppMetricsDeps, registers: Registry[]): void {
    const read = async () => this.outbox;
    new Gauge({
      name: 'revoke_outbox_pending',
      help: 'Effects (cards, notes, workflow completions) written and not yet delivered (any replica).',
      registers,
      async collect() {
        this.set((await read())?.pending ?? Number.NaN);
      },
    });
    new Gauge({
      name: 'revoke_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest effect not yet delivered (0 when none).',
      registers,
      async collect() {
        const o = await read();
        if (!o) return this.set(Number.NaN);
        const at = o.oldestPendingAt;
        this.set(at ? Math.max(0, (deps.now().getTime() - Date.parse(at)) / 1000) : 0);
      },
    });
    new Gauge({
      name: 'revoke_outbox_failed',
      help: 'Effects that failed for good and were kept, by kind (look at them: `revoke-sessions status`).',
      labelNames: ['kind'],
      registers,
      async collect() {
        this.reset();
        for (const f of (await read())?.failed ?? []) this.set({ kind: f.kind }, f.count);
      },
    });
  }

  /** Observes one step's time to contain at one stage. */
  contained(event: ContainEvent): void {
    this.contain.observe({ system: event.system, stage: event.stage }, event.seconds);
  }

  /** Counts one settled outbox delivery. */
  effectSettled(kind: string, outcome: 'done' | 'retry' | 'failed'): void {
    this.effects.inc({ kind, outcome });
  }

  /** The observer that counts steps and takeovers; add it to every run's observers. */
  observer(): RunObserver {
    return new MetricsObserver(this, this.seenSteps);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const { store, now } = this.store;
    this.snapshot = await store.metricsSnapshot(now().toISOString()).catch(() => undefined);
    this.outbox = await store.outboxHealth().catch(() => undefined);
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops listening to vendor calls. */
  close(): void {
    this.unsubscribe();
    this.registry.clear();
  }
}

/** Calls waiting for their turn in each vendor budget (by lane), and the share of every limit this replica keeps to. */
function budgetGauges(budgets: Budgets, registers: Registry[]): void {
  new Gauge({
    name: 'revoke_vendor_calls_waiting',
    help: 'Vendor calls waiting for their turn in a budget (a Slack method or a system), by lane (urgent, bulk).',
    labelNames: ['budget', 'lane'],
    registers,
    collect() {
      this.reset();
      for (const budget of budgets.all()) {
        const { waiting } = budget.usage();
        for (const lane of ['urgent', 'bulk'] as const) this.set({ budget: budget.key, lane }, waiting[lane]);
      }
    },
  });
  new Gauge({
    name: 'revoke_vendor_budget_share',
    help: 'The share of every vendor limit this replica keeps to (1 alone, 1/n with n replicas on one database).',
    registers,
    collect() {
      this.set(budgets.currentShare());
    },
  });
}
