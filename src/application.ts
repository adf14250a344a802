import type { Server } from 'node:http';
import { createAlertHandlers } from './api/alert-endpoint.js';
import { createEvidenceHandlers } from './api/evidence-endpoint.js';
import { globalTokenRevocationRoute } from './api/global-token-revocation.js';
import { alertRoutes } from './api/routes.js';
import { ssfEventsRoute } from './api/ssf-events.js';
import { ssfTransmitterRoutes } from './api/ssf-transmitter.js';
import { type Config, enabledSystems, type SystemId, secretsOf } from './config.js';
import { buildCore, buildSystems } from './core.js';
import type { RevocationEngine } from './engine/engine.js';
import type { Store } from './engine/store-port/index.js';
import { RedactingLogger, Redactor } from './log.js';
import type { AppMetrics } from './metrics/registry.js';
import { metricsRoute } from './metrics/route.js';
import type { RetryPolicy } from './providers/retry.js';
import { type AuditStreamBuildOptions, buildAuditStreamer } from './runtime/audit-stream/index.js';
import { type DrainResult, drain } from './runtime/drain.js';
import { followUpHandlers } from './runtime/follow-up-handlers.js';
import { OutboxWorker, type OutboxWorkerOptions } from './runtime/outbox-worker.js';
import { ReplicaShare } from './runtime/replica-share.js';
import { Scheduler } from './runtime/scheduler.js';
import { SystemHealthCache } from './runtime/system-health.js';
import { WorkQueue, type WorkQueueOptions } from './runtime/work/queue.js';
import { buildSignals } from './signals/index.js';
import { SignalReceiver } from './signals/receiver.js';
import { UniversalLogout } from './signals/universal-logout.js';
import { issuerPath } from './signals/vocabulary.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import type { SystemChoice } from './slack/blocks/request-modal.js';
import { resumeRuns, type SlackDeps, startRun } from './slack/context.js';
import { slackEffectHandlers } from './slack/effects.js';
import { type HttpLimits, httpLimits } from './slack/http-limits.js';
import { recordUnrecordedForms } from './slack/journaled.js';
import { StartupError } from './startup/errors.js';
import { StoreAccessError } from './store/access/errors.js';
import { openStore } from './store/access/open.js';
import type { SqliteOptions } from './store/index.js';

export interface ApplicationOptions {
  /** Where log lines go (tests capture them to scan for secrets). */
  logSink?: (line: string) => void;
  now?: () => Date;
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  verifyRecheckMs?: number;
  /** How long the App Home shows a round of the systems' health checks (default 5 min). */
  healthMaxAgeMs?: number;
  leaseMs?: number;
  /** Per-request timeout of every vendor call (default 10 s). */
  vendorTimeoutMs?: number;
  /** How often to resume runnable work and expire approvals (default 15 s). */
  housekeepingMs?: number;
  /** HTTP body and timeout limits (tests shorten them). */
  httpLimits?: Partial<HttpLimits>;
  /** How long to keep retrying an unreachable PostgreSQL at start-up (default: DATABASE_CONNECT_RETRY_SECONDS). */
  storeRetryForMs?: number;
  /** First wait after a failed Socket Mode connection attempt (default 1 s). */
  socketRetryBaseMs?: number;
  /** Bounds, clock and estimator of the after-ack work queue (tests inject them). */
  workQueue?: WorkQueueOptions;
  /** How a SQLite store commits (benchmarks compare the modes; default: its writer thread, FULL). */
  sqlite?: SqliteOptions;
  /** Poll interval, backoff and attempts of the outbox worker (tests shorten them). */
  outbox?: OutboxWorkerOptions;
  /** The address to listen on (default: every interface; the demo keeps to 127.0.0.1). */
  host?: string;
  /** Shared Signals: per-push timeout (default 10 s) and how long a waiting poll waits (default 5 s). */
  /** The SIEM stream's poll, backoff and batch, and a CA for `tls://` syslog (tests). */
  auditStream?: AuditStreamBuildOptions;
  signals?: { pushTimeoutMs?: number; longPollMs?: number; jwksCooldownMs?: number };
  /** The audit log's first look after a run and the pause between looks (tests shorten them). */
  confirmTiming?: { firstCheckMs?: number; everyMs?: number };
}

export interface Application {
  config: Config;
  store: Store;
  engine: RevocationEngine;
  slack: SlackApp;
  deps: SlackDeps;
  logger: RedactingLogger;
  /** Present when METRICS_ENABLED=true. */
  metrics: AppMetrics | undefined;
  start(): Promise<Server | undefined>;
  /**
   * The bounded drain (SHUTDOWN_GRACE_SECONDS): takes no new work, lets running work go on for the
   * grace period, releases the leases of what is left (see {@link drain}), then closes the store.
   */
  stop(): Promise<DrainResult>;
}

/** The composition root: config → store → providers → engine → Slack app. */
export async function buildApplication(
  config: Config,
  options: ApplicationOptions = {},
): Promise<Application> {
  const redactor = new Redactor(secretsOf(config));
  const logger = new RedactingLogger(redactor, config.logLevel, options.logSink, config.logFormat);
  const now = options.now ?? (() => new Date());
  const store = await openStore(config.databaseUrl, {
    logger,
    redact: (text) => redactor.redact(text),
    retryForMs: options.storeRetryForMs ?? config.databaseRetryMs,
    sqlite: options.sqlite,
  }).catch((error: unknown) => {
    // Start-up says what to fix: DATABASE_URL, with the store's own message.
    throw error instanceof StoreAccessError ? new StartupError('DATABASE_URL', error.message) : error;
  });
  const systemsBuilt = buildSystems(config, {
    logger,
    retryPolicy: options.retryPolicy,
    sleep: options.sleep,
    timeoutMs: options.vendorTimeoutMs,
  });
  // prom-client is loaded only when metrics are on (it is not needed for start-up otherwise).
  const metrics = config.metricsEnabled
    ? new (await import('./metrics/registry.js')).AppMetrics({ store, now, budgets: systemsBuilt.budgets })
    : undefined;
  const metricsObserver = metrics?.observer();
  let outbox: OutboxWorker | undefined;
  // Every audit record, in order, to the SIEM (docs/siem.md); only reads the log, never in a run's way.
  const auditStream = buildAuditStreamer(config.siem, { store, logger, now }, options.auditStream);
  if (metrics && auditStream)
    (await import('./metrics/audit-stream.js')).auditStreamGauges(
      metrics.registry,
      () => auditStream.health(),
      now,
    );
  const effectsWritten = () => {
    outbox?.kick();
    auditStream?.kick();
  };
  const { directory, providers, membership, approvals, engine } = buildCore(config, systemsBuilt, {
    effectsWritten,
    store,
    logger,
    observer: metricsObserver,
    now,
    sleep: options.sleep,
    verifyRecheckMs: options.verifyRecheckMs,
    leaseMs: options.leaseMs,
    onContain: metrics ? (event) => metrics.contained(event) : undefined,
    confirmTiming: options.confirmTiming,
  });
  if (!directory) throw new Error('SLACK_BOT_TOKEN is required to run the Slack app');
  const systems: SystemChoice[] = enabledSystems(config).flatMap((id) => {
    const p = providers.get(id);
    return p ? [{ id, label: p.label, capabilities: p.capabilities }] : [];
  });
  const labels = (id: SystemId) => providers.get(id)?.label ?? id;
  const deps: SlackDeps = {
    approvals,
    config,
    engine,
    directory,
    membership,
    logger,
    systems,
    labels,
    // Bulk work leaves urgent runs the same share of the run slots as of every vendor budget.
    background: new WorkQueue(logger, { urgentReserve: config.urgentReserve, ...options.workQueue }),
    now,
    health: new SystemHealthCache(
      providers,
      systems.map((x) => x.id),
      logger,
      options.healthMaxAgeMs === undefined ? {} : { maxAgeMs: options.healthMaxAgeMs },
    ),
  };
  const apiRoutes = config.apiToken
    ? alertRoutes(
        createAlertHandlers({
          apiToken: config.apiToken,
          engine,
          systems: systems.map((x) => x.id),
          logger,
          bodyTimeoutMs: httpLimits(options.httpLimits).bodyTimeoutMs,
        }),
      )
    : [];
  const evidenceRoutes = createEvidenceHandlers({ apiToken: config.apiToken, engine, logger }).routes;
  const signals = buildSignals(config.signals, {
    store,
    systems: config.systems,
    logger,
    now,
    effectsWritten,
    ...options.signals,
  });
  const bodyTimeoutMs = httpLimits(options.httpLimits).bodyTimeoutMs;
  const signalRoutes = signals.transmitter
    ? ssfTransmitterRoutes({
        transmitter: signals.transmitter,
        receivers: config.signals.receivers,
        universalLogout: config.signals.universalLogout !== undefined,
        logger,
        bodyTimeoutMs,
      })
    : [];
  const signalReceiver =
    config.signals.inbound.length > 0
      ? new SignalReceiver({
          issuers: config.signals.inbound,
          engine,
          signals: store.signals,
          systems: () => systems.map((x) => x.id),
          logger,
          now,
          jwksCooldownMs: options.signals?.jwksCooldownMs,
        })
      : undefined;
  if (signalReceiver)
    signalRoutes.push(
      ssfEventsRoute({
        receiver: signalReceiver,
        logger,
        bodyTimeoutMs,
        basePath: signals.transmitter ? issuerPath(signals.transmitter.issuer) : '',
      }),
    );
  const ul = config.signals.universalLogout;
  if (ul)
    signalRoutes.push(
      globalTokenRevocationRoute({
        logout: new UniversalLogout({
          ...ul,
          engine,
          signals: store.signals,
          systems: () => systems.map((x) => x.id),
          startRun: (request) => startRun(deps, request),
          logger,
          now,
          jwksCooldownMs: options.signals?.jwksCooldownMs,
        }),
        logger,
        bodyTimeoutMs,
        basePath: signals.transmitter ? issuerPath(signals.transmitter.issuer) : '',
      }),
    );
  const routes = [
    ...(metrics ? [metricsRoute(metrics, config.metricsToken, (text) => redactor.redact(text))] : []),
    ...apiRoutes,
    ...evidenceRoutes,
    ...signalRoutes,
  ];
  const slack = createSlackApp(deps, {
    logger,
    readiness: auditStream
      ? {
          ping: () => store.ping(),
          outboxHealth: () => store.outboxHealth(),
          siemHealth: () => auditStream.health(),
        }
      : store,
    routes,
    socketRetryBaseMs: options.socketRetryBaseMs,
    httpLimits: options.httpLimits,
    host: options.host,
  });
  // Every effect of a state change (cards, notes to requesters, workflow completions) is delivered
  // from the store's outbox, at least once, by this worker (and every replica's).
  outbox = new OutboxWorker(
    store,
    { ...slackEffectHandlers(deps, () => slack.client), ...followUpHandlers(engine), ...signals.handlers },
    logger,
    {
      owner: engine.runnerId,
      now,
      onSettled: metrics ? (kind, outcome) => metrics.effectSettled(kind, outcome) : undefined,
      ...options.outbox,
    },
  );
  const worker = outbox;
  const housekeepingMs = options.housekeepingMs ?? 15_000;
  // Replicas on one database each keep to their share of every vendor budget.
  const share = new ReplicaShare(
    store,
    systemsBuilt.budgets,
    engine.runnerId,
    3 * housekeepingMs,
    logger,
    now,
  );
  // Picks up approved work and work whose runner died (lease expired), expires lapsed approvals,
  // and records the acknowledged forms that no process recorded (their lease expired).
  const OUTBOX_KEPT_MS = 30 * 86_400_000;
  const scheduler = new Scheduler(
    [
      { name: 'share', run: () => share.beat() },
      { name: 'resume', run: () => resumeRuns(deps) },
      // Lapsed approvals expire; their cards, requesters and workflow steps are told by the outbox.
      { name: 'expire', run: () => engine.expireDue() },
      { name: 'intake', run: () => recordUnrecordedForms(deps) },
      // Delivered (and failed-for-good) effects of finished requests are kept 30 days, then forgotten
      // a batch a round: the audit log keeps the record; the outbox is a delivery queue.
      {
        name: 'outbox-prune',
        run: () => store.pruneEffects(new Date(now().getTime() - OUTBOX_KEPT_MS).toISOString(), 500),
      },
      // Inbound SET ids are kept a day: far past the freshness window, so a replay is always caught.
      ...(signalReceiver
        ? [
            {
              name: 'ssf-inbound',
              run: () => store.signals.pruneInbound(new Date(now().getTime() - 86_400_000).toISOString()),
            },
          ]
        : []),
    ],
    housekeepingMs,
    (name, fn) => deps.background.run(name, fn),
  );
  return {
    config,
    store,
    engine,
    slack,
    deps,
    logger,
    metrics,
    start: async () => {
      const server = await slack.start();
      void membership.prefetch([
        config.requesters,
        config.approvers,
        config.protectedUsers,
        config.breakGlassUsers,
      ]);
      scheduler.start();
      worker.start();
      auditStream?.start();
      return server;
    },
    stop: async () => {
      scheduler.stop();
      const left = await drain(
        {
          runs: engine.runs,
          quiesce: () => Promise.all([worker.stop(), slack.stop(), auditStream?.stop()]),
          logger,
        },
        config.shutdownGraceMs,
      );
      await share.leave().catch(() => {});
      metrics?.close();
      await store.close();
      return left;
    },
  };
}
