import { defineSystem, type ProviderDeps } from '../descriptor.js';
import type { SessionProvider } from '../types.js';
import { SlackApi } from './client.js';
import { SLACK_CAPABILITIES, SLACK_LABEL, SlackAdminProvider } from './provider.js';
import { configureSlackAdmin, SLACK_ADMIN_ENV, type SlackAdminConfig } from './settings.js';

export type { SlackAdminConfig } from './settings.js';

/** Proves the admin token can call `admin.users.session.*` (a one-session listing). */
async function slackDoctor(provider: SessionProvider): Promise<string> {
  return provider.healthCheck ? provider.healthCheck() : 'configured (no check of its own)';
}

/** Creates the Slack provider: the admin token for sessions, the bot's directory to find people. */
export function createSlackAdminProvider(
  config: SlackAdminConfig,
  deps: ProviderDeps,
): SessionProvider | undefined {
  if (!deps.directory) return undefined;
  const admin = new SlackApi(config.adminToken, {
    apiUrl: config.apiUrl,
    logger: deps.logger,
    tokenVar: 'SLACK_ADMIN_TOKEN',
    retryPolicy: deps.retryPolicy,
    sleep: deps.sleep,
    budgets: deps.budgets,
    timeoutMs: deps.timeoutMs,
  });
  return new SlackAdminProvider(admin, deps.directory);
}

/**
 * Slack Enterprise Grid, org admin user token. Its vendor quirks (the `ok:false` error codes and
 * their sentences, per-method rate limits) live in `errors.ts` and `client.ts`: it uses Slack's
 * own Web API client, not the shared HTTP layer.
 */
export const slack = defineSystem({
  id: 'slack',
  label: SLACK_LABEL,
  product: 'Slack (Enterprise Grid)',
  env: SLACK_ADMIN_ENV,
  secretVars: ['SLACK_ADMIN_TOKEN'],
  enableWith: 'SLACK_ADMIN_TOKEN (Slack)',
  capabilities: SLACK_CAPABILITIES,
  /** Slack's documented tiers, per method and workspace (Tier 2: 20, Tier 3: 50, Tier 4: 100 a minute). */
  rateLimits: {
    perMethod: true,
    limits: {
      'users.info': '100/1m',
      'users.lookupByEmail': '50/1m',
      'usergroups.users.list': '20/1m',
      'admin.users.session.list': '20/1m',
      'admin.users.session.reset': '20/1m',
      'admin.users.session.resetBulk': '20/1m',
      'admin.users.session.invalidate': '20/1m',
      // The Audit Logs API (SLACK_AUDIT_TOKEN): Tier 3, organisation-wide.
      'audit.logs': '50/1m',
    },
  },
  configure: configureSlackAdmin,
  secrets: (config) => [config.adminToken],
  create: createSlackAdminProvider,
  doctor: slackDoctor,
});
