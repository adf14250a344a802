import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Application, type ApplicationOptions, buildApplication } from '../../src/application.js';
import { loadConfig } from '../../src/config.js';
import type { WorkQueueOptions } from '../../src/runtime/work/queue.js';
import type { HttpLimits } from '../../src/slack/http-limits.js';
import { FAKE_SLACK_TOKENS, FakeSlack, fakeUser } from '../fakes/slack.js';
import { captureLogs, captureSqliteAudit } from './capture.js';
import { commandBody, interactionBody, signedPost } from './slack-signing.js';

export const SECRETS = {
  bot: FAKE_SLACK_TOKENS.bot,
  admin: FAKE_SLACK_TOKENS.admin,
  signing: 'signing-secret-0123456789abcdef',
};

/** A member of the fake organization. */
export const user = fakeUser;

export interface Harness {
  app: Application;
  slack: FakeSlack;
  /** Base URL of the app, e.g. http://127.0.0.1:54321 */
  url: string;
  /** The app's HTTP server (tests watch its responses). */
  server: Server;
  logs: string[];
  command(fields: Record<string, string>): Promise<Response>;
  interact(payload: unknown): Promise<Response>;
  /** Waits until the outbox has delivered every effect written so far (Slack shows what the store says). */
  delivered(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a fake Slack Web API and the real application (real Bolt HTTP
 * receiver on an ephemeral port, real SQLite file) wired to it.
 */
export interface HarnessOptions {
  /** Shifts the engine's clock (not the HTTP receiver's), e.g. to expire approvals. */
  clockOffsetMs?: () => number;
  /** Per-request vendor timeout (default 10 s). */
  vendorTimeoutMs?: number;
  /** HTTP body and timeout limits (slow-body tests shorten them). */
  httpLimits?: Partial<HttpLimits>;
  /** Bounds, clock, estimator or observer of the after-ack work queue. */
  workQueue?: WorkQueueOptions;
  /** Outbox worker options (backoff, attempts) and Shared Signals timeouts. */
  outbox?: ApplicationOptions['outbox'];
  signals?: ApplicationOptions['signals'];
  /** The SIEM stream's poll and backoff, and the CA a `tls://` syslog receiver's certificate chains to. */
  auditStream?: ApplicationOptions['auditStream'];
  /** The audit log's first look after a run and the pause between looks. */
  confirmTiming?: { firstCheckMs?: number; everyMs?: number };
}

export async function startHarness(
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const slack = new FakeSlack({
    botToken: SECRETS.bot,
    adminToken: SECRETS.admin,
    memberChannels: ['C0SEC', 'C0APPROVE'],
  });
  await slack.start();
  slack.addUser(user('UREQ', 'bob@example.com'));
  slack.addUser(user('UALICE', 'alice@example.com'));
  const dir = mkdtempSync(join(tmpdir(), 'revoke-test-'));
  const config = loadConfig({
    SLACK_BOT_TOKEN: SECRETS.bot,
    SLACK_SIGNING_SECRET: SECRETS.signing,
    SLACK_ADMIN_TOKEN: SECRETS.admin,
    SLACK_API_URL: slack.url,
    PORT: '0',
    REVOKE_REQUESTERS: 'UREQ',
    DATABASE_URL: `sqlite:${join(dir, 'db', 'test.db')}`,
    LOG_LEVEL: 'debug',
    // One app serves a whole test file here, far past Slack's real per-minute tiers; the budgets
    // are tested where a test sets them (priority-lanes), and 429s are honoured either way.
    REVOKE_RATE_LIMITS: 'off',
    ...env,
  });
  const logs: string[] = [];
  const app = await buildApplication(config, {
    logSink: captureLogs(logs),
    verifyRecheckMs: 10,
    housekeepingMs: 100,
    vendorTimeoutMs: options.vendorTimeoutMs,
    httpLimits: options.httpLimits,
    workQueue: options.workQueue,
    signals: options.signals,
    auditStream: { pollMs: 50, backoffMs: 50, maxBackoffMs: 200, ...options.auditStream },
    confirmTiming: options.confirmTiming,
    // Delayed effects (confirmations, the watch) come due between polls: look often.
    outbox: { pollMs: 50, ...options.outbox },
    now: () => new Date(Date.now() + (options.clockOffsetMs?.() ?? 0)),
    retryPolicy: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50, maxTotalMs: 5_000 },
  });
  const server = await app.start();
  const address = server?.address() as AddressInfo | undefined;
  if (!server || !address) throw new Error('the app did not start an HTTP server');
  const { port } = address;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    slack,
    url,
    server,
    logs,
    command: (fields) =>
      signedPost(`${url}/slack/events`, commandBody(fields), 'application/x-www-form-urlencoded', {
        secret: SECRETS.signing,
      }),
    interact: (payload) =>
      signedPost(`${url}/slack/events`, interactionBody(payload), 'application/x-www-form-urlencoded', {
        secret: SECRETS.signing,
      }),
    delivered: async () => {
      await slack.waitFor(async () => ((await app.store.outboxHealth()).pending === 0 ? true : undefined));
    },
    close: async () => {
      await app.stop();
      // The audit rows this app wrote, for the run's secrets scan.
      captureSqliteAudit(config.databaseUrl);
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
