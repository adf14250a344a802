import { configFingerprint } from './config/fingerprint.js';
import type { Config } from './config.js';
import { MembershipChecker } from './engine/access.js';
import { Approvals } from './engine/approval.js';
import type { ContainEvent } from './engine/containment.js';
import { RevocationEngine } from './engine/engine.js';
import type { RunObserver } from './engine/observer.js';
import type { Store } from './engine/store-port/index.js';
import { EvidenceService } from './evidence/service.js';
import type { Logger } from './log.js';
import type { Budgets } from './providers/budget/index.js';
import { vendorCallScope } from './providers/call-scope.js';
import { createBudgets, createProviders, createSlackDirectory } from './providers/index.js';
import type { RetryPolicy } from './providers/retry.js';
import { SlackAuditLogs } from './providers/slack-admin/audit-logs.js';
import type { SlackDirectory } from './providers/slack-admin/directory.js';
import type { ProviderMap } from './providers/types.js';
import { signingKeySource } from './signing/key.js';
import { VERSION } from './version.js';

/** How the systems are reached: the same for the app and the CLI unless a test shortens it. */
export interface SystemsOptions {
  logger: Logger;
  retryPolicy?: RetryPolicy | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Per-request timeout of every vendor call (default 10 s). */
  timeoutMs?: number | undefined;
  /** The vendor budgets; by default made from the config (one set per process). */
  budgets?: Budgets | undefined;
}

/** The configured systems and the Slack directory (when there is a bot token). */
export interface Systems {
  directory: SlackDirectory | undefined;
  providers: ProviderMap;
  /** Every vendor budget, shared by all the work of the process. */
  budgets: Budgets;
  /** Slack's Audit Logs API, when SLACK_AUDIT_TOKEN is set (it confirms resets). */
  slackAudit?: SlackAuditLogs | undefined;
}

/** Builds every configured system's provider and the Slack directory. */
export function buildSystems(config: Config, options: SystemsOptions): Systems {
  const budgets = options.budgets ?? createBudgets(config);
  const directory = createSlackDirectory(config, { ...options, budgets });
  const audit = config.proof.slackAudit;
  return {
    directory,
    budgets,
    providers: createProviders(config, { ...options, budgets, directory }),
    slackAudit: audit ? new SlackAuditLogs(audit, { ...options, budgets }) : undefined,
  };
}

export interface EngineOptions {
  store: Store;
  logger: Logger;
  now?: (() => Date) | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  verifyRecheckMs?: number | undefined;
  leaseMs?: number | undefined;
  /** Told about every run that is given no observer of its own (metrics). */
  observer?: RunObserver | undefined;
  /** Told after a write that added outbox effects (the app's outbox worker delivers them at once). */
  effectsWritten?: (() => void) | undefined;
  /** Told of each step's time to contain (the metric). */
  onContain?: ((event: ContainEvent) => void) | undefined;
  /** The audit log's first look after a run and the pause between looks (tests shorten them). */
  confirmTiming?: { firstCheckMs?: number; everyMs?: number } | undefined;
}

/** The engine with its policy, over the systems and a store. */
export interface Core extends Systems {
  membership: MembershipChecker;
  approvals: Approvals;
  engine: RevocationEngine;
}

/**
 * The one composition root of the domain, used by the app and by the CLI alike: the allow-lists
 * and approval policy from the config (user groups resolved through the Slack directory; without
 * one, group membership fails closed), and the engine over the systems and the store.
 */
export function buildCore(config: Config, systems: Systems, options: EngineOptions): Core {
  const { directory } = systems;
  const membership = new MembershipChecker((groupId) =>
    directory ? directory.groupMembers(groupId) : Promise.reject(new Error('no Slack directory')),
  );
  const approvals = new Approvals(
    {
      requireApproval: config.requireApproval,
      requesters: config.requesters,
      approvers: config.approvers,
      protectedUsers: config.protectedUsers,
      breakGlassUsers: config.breakGlassUsers,
      ttlMs: config.approvalTtlMs,
    },
    membership,
  );
  const engine = new RevocationEngine({
    store: options.store,
    providers: systems.providers,
    logger: options.logger,
    // The engine says which lane each request's work is in and what to check before each vendor
    // call; the vendor budgets and the retry loop keep its calls to it.
    vendorCalls: vendorCallScope,
    approvals,
    directory,
    observer: options.observer,
    now: options.now,
    sleep: options.sleep,
    verifyRecheckMs: options.verifyRecheckMs,
    leaseMs: options.leaseMs,
    approvalTtlMs: config.approvalTtlMs,
    effectsWritten: options.effectsWritten,
    signalsOut: config.signals.transmitter !== undefined,
    onContain: options.onContain,
    evidence: new EvidenceService({
      store: options.store,
      key: signingKeySource(config.proof.signingKeyFile, options.store),
      configuration: configFingerprint(config),
      version: VERSION,
      now: options.now,
    }),
    followUp: {
      watchMs: config.proof.watchMs,
      slackAudit:
        systems.slackAudit && config.proof.slackAudit
          ? {
              reader: systems.slackAudit,
              windowMs: config.proof.slackAudit.confirmWindowMs,
              ...options.confirmTiming,
            }
          : undefined,
    },
  });
  return { ...systems, membership, approvals, engine };
}
