import type { Server } from 'node:http';
import { createAlertHandlers } from './api/alert-endpoint.js';
import { alertRoutes } from './api/routes.js';
import { type Config, enabledSystems, type SystemId, secretsOf } from './config.js';
import { MembershipChecker } from './engine/access.js';
import { Approvals } from './engine/approval.js';
import { ObserverList, type RunObserver } from './engine/observer.js';
import { previewPerson } from './engine/plan.js';
import { RevocationEngine } from './engine/run.js';
import { RedactingLogger, Redactor } from './log.js';
import type { AppMetrics } from './metrics/registry.js';
import { metricsRoute } from './metrics/route.js';
import { createProviders, createSlackDirectory } from './providers/index.js';
import type { RetryPolicy } from './providers/retry.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import { postApprovalCard, sweepExpired, withdrawUnposted } from './slack/approval-flow.js';
import type { SystemChoice } from './slack/blocks/request-modal.js';
import { BackgroundTasks, type SlackDeps } from './slack/context.js';
import type { HttpLimits } from './slack/http-limits.js';
import { ThreadNotifier } from './slack/thread-notifier.js';
import { WorkflowCompleter } from './slack/workflow-completion.js';
import { openStore } from './startup/open-store.js';
import type { Store } from './store/types.js';

export interface ApplicationOptions {
  /** Where log lines go (tests capture them to scan for secrets). */
  logSink?: (line: string) => void;
  now?: () => Date;
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  verifyRecheckMs?: number;
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
  stop(): Promise<void>;
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
    redactor,
    retryForMs: options.storeRetryForMs ?? config.databaseRetryMs,
  });
  // prom-client is loaded only when metrics are on (it is not needed for start-up otherwise).
  const metrics = config.metricsEnabled
    ? new (await import('./metrics/registry.js')).AppMetrics({ store, now })
    : undefined;
  const metricsObserver = metrics?.observer();
  const providerDeps = {
    logger,
    retryPolicy: options.retryPolicy,
    sleep: options.sleep,
    timeoutMs: options.vendorTimeoutMs,
  };
  const directory = createSlackDirectory(config, providerDeps);
  if (!directory) throw new Error('SLACK_BOT_TOKEN is required to run the Slack app');
  const providers = createProviders(config, { ...providerDeps, directory });
  const membership = new MembershipChecker((groupId) => directory.groupMembers(groupId));
  const approvals = new Approvals(
    {
      requireApproval: config.requireApproval,
      approvers: config.approvers,
      protectedUsers: config.protectedUsers,
      breakGlassUsers: config.breakGlassUsers,
      ttlMs: config.approvalTtlMs,
    },
    membership,
  );
  const engine = new RevocationEngine({
    store,
    providers,
    logger,
    approvals,
    observer: metricsObserver,
    now,
    sleep: options.sleep,
    verifyRecheckMs: options.verifyRecheckMs,
    leaseMs: options.leaseMs,
  });
  const systems: SystemChoice[] = enabledSystems(config).flatMap((id) => {
    const p = providers.get(id);
    return p ? [{ id, label: p.label, capabilities: p.capabilities }] : [];
  });
  const labels = (id: SystemId) => providers.get(id)?.label ?? id;
  let slackApp: SlackApp | undefined;
  const completion = { store, logger, apiUrl: config.slack.apiUrl, now };
  const observerFor = (): RunObserver => {
    if (!slackApp) throw new Error('the Slack app is not built yet');
    const thread = new ThreadNotifier({
      client: slackApp.client,
      store,
      logger,
      labels,
      approvalChannel: config.approvalChannel,
      now,
    });
    const observers: RunObserver[] = [thread, new WorkflowCompleter(completion)];
    if (metricsObserver) observers.push(metricsObserver);
    return new ObserverList(observers, (e) => logger.warn('progress display failed:', e));
  };
  const deps: SlackDeps = {
    approvals,
    observerFor,
    config,
    engine,
    store,
    directory,
    membership,
    logger,
    systems,
    labels,
    background: new BackgroundTasks(logger),
    now,
  };
  const apiRoutes = config.apiToken
    ? alertRoutes(
        createAlertHandlers({
          apiToken: config.apiToken,
          engine,
          approvals,
          directory,
          systems: systems.map((x) => x.id),
          approvalTtlMs: config.approvalTtlMs,
          logger,
          onPendingApproval: async (request, why) => {
            if (!slackApp) return;
            const previews = await previewPerson(providers, request.systems, request.target);
            if (!(await postApprovalCard(deps, slackApp.client, request, previews, why)))
              await withdrawUnposted(deps, slackApp.client, request);
          },
        }),
      )
    : [];
  const routes = metrics
    ? [metricsRoute(metrics, config.metricsToken, (text) => redactor.redact(text)), ...apiRoutes]
    : apiRoutes;
  const slack = createSlackApp(deps, {
    logger,
    routes,
    socketRetryBaseMs: options.socketRetryBaseMs,
    httpLimits: options.httpLimits,
  });
  slackApp = slack;
  const timers: NodeJS.Timeout[] = [];
  /** Picks up approved work and work whose runner died (lease expired), and expires lapsed approvals. */
  const housekeeping = async () => {
    await engine.resumeRunnable(observerFor);
    await sweepExpired(deps, slack.client);
  };
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
      deps.background.run('resume', housekeeping);
      const every = options.housekeepingMs ?? 15_000;
      timers.push(setInterval(() => deps.background.run('housekeeping', housekeeping), every));
      return server;
    },
    stop: async () => {
      for (const t of timers) clearInterval(t);
      await slack.stop();
      metrics?.close();
      await store.close();
    },
  };
}
