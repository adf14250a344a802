import type { Server } from 'node:http';
import { type Config, enabledSystems, type SystemId, secretsOf } from './config.js';
import { MembershipChecker } from './engine/access.js';
import { RevocationEngine } from './engine/run.js';
import { RedactingLogger, Redactor } from './log.js';
import { createProviders, createSlackDirectory } from './providers/index.js';
import type { RetryPolicy } from './providers/retry.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import type { SystemChoice } from './slack/blocks/request-modal.js';
import { BackgroundTasks, type SlackDeps } from './slack/context.js';
import { createStore } from './store/index.js';
import type { Store } from './store/types.js';

export interface ApplicationOptions {
  /** Where log lines go (tests capture them to scan for secrets). */
  logSink?: (line: string) => void;
  now?: () => Date;
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  verifyRecheckMs?: number;
}

export interface Application {
  config: Config;
  store: Store;
  engine: RevocationEngine;
  slack: SlackApp;
  deps: SlackDeps;
  logger: RedactingLogger;
  start(): Promise<Server | undefined>;
  stop(): Promise<void>;
}

/** The composition root: config → store → providers → engine → Slack app. */
export async function buildApplication(
  config: Config,
  options: ApplicationOptions = {},
): Promise<Application> {
  const logger = new RedactingLogger(new Redactor(secretsOf(config)), config.logLevel, options.logSink);
  const now = options.now ?? (() => new Date());
  const store = await createStore(config.databaseUrl);
  const providerDeps = { logger, retryPolicy: options.retryPolicy, sleep: options.sleep };
  const directory = createSlackDirectory(config, providerDeps);
  if (!directory) throw new Error('SLACK_BOT_TOKEN is required to run the Slack app');
  const providers = createProviders(config, { ...providerDeps, directory });
  const engine = new RevocationEngine({
    store,
    providers,
    logger,
    now,
    sleep: options.sleep,
    verifyRecheckMs: options.verifyRecheckMs,
  });
  const membership = new MembershipChecker((groupId) => directory.groupMembers(groupId));
  const systems: SystemChoice[] = enabledSystems(config).flatMap((id) => {
    const p = providers.get(id);
    return p ? [{ id, label: p.label, capabilities: p.capabilities }] : [];
  });
  const labels = (id: SystemId) => providers.get(id)?.label ?? id;
  const deps: SlackDeps = {
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
  const slack = createSlackApp(deps, { logger });
  return {
    config,
    store,
    engine,
    slack,
    deps,
    logger,
    start: async () => {
      const server = await slack.start();
      void membership.prefetch([
        config.requesters,
        config.approvers,
        config.protectedUsers,
        config.breakGlassUsers,
      ]);
      return server;
    },
    stop: async () => {
      await slack.stop();
      await store.close();
    },
  };
}
