import type { Config, SystemId } from '../config.js';
import type { Logger } from '../log.js';
import { createBoxProvider } from './box/index.js';
import { createHuaweiProvider } from './huawei-cloud/index.js';
import { createMattermostProvider } from './mattermost/index.js';
import type { RetryPolicy } from './retry.js';
import { SlackApi } from './slack-admin/client.js';
import { SlackDirectory } from './slack-admin/directory.js';
import { SlackAdminProvider } from './slack-admin/provider.js';
import type { ProviderMap, SessionProvider } from './types.js';

export interface ProviderDeps {
  logger: Logger;
  /** Slack's user directory (bot token); needed by the Slack provider to find people. */
  directory?: SlackDirectory | undefined;
  retryPolicy?: RetryPolicy | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Per-request timeout of every vendor call. */
  timeoutMs?: number | undefined;
}

/** Creates the Slack directory client for the bot token (users.info, lookupByEmail, user groups). */
export function createSlackDirectory(config: Config, deps: ProviderDeps): SlackDirectory | undefined {
  if (!config.slack.botToken) return undefined;
  return new SlackDirectory(
    new SlackApi(config.slack.botToken, {
      apiUrl: config.slack.apiUrl,
      logger: deps.logger,
      tokenVar: 'SLACK_BOT_TOKEN',
      retryPolicy: deps.retryPolicy,
      sleep: deps.sleep,
    }),
  );
}

/** Creates one provider per configured system, in display order. */
export function createProviders(config: Config, deps: ProviderDeps): ProviderMap {
  const providers = new Map<SystemId, SessionProvider>();
  const common = {
    logger: deps.logger,
    retryPolicy: deps.retryPolicy,
    sleep: deps.sleep,
    timeoutMs: deps.timeoutMs,
  };
  if (config.slack.adminToken && deps.directory) {
    const admin = new SlackApi(config.slack.adminToken, {
      apiUrl: config.slack.apiUrl,
      logger: deps.logger,
      tokenVar: 'SLACK_ADMIN_TOKEN',
      retryPolicy: deps.retryPolicy,
      sleep: deps.sleep,
      timeoutMs: deps.timeoutMs,
    });
    providers.set('slack', new SlackAdminProvider(admin, deps.directory));
  }
  if (config.box) providers.set('box', createBoxProvider(config.box, common));
  if (config.mattermost) providers.set('mattermost', createMattermostProvider(config.mattermost, common));
  if (config.huawei) providers.set('huawei', createHuaweiProvider(config.huawei, common));
  return providers;
}
