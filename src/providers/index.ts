import { Budgets, type RateTable } from './budget/index.js';
import type { ProviderDeps } from './descriptor.js';
import { SYSTEMS, type SystemId, type SystemSettings } from './registry.js';
import { SlackApi } from './slack-admin/client.js';
import { SlackDirectory } from './slack-admin/directory.js';
import type { ProviderMap, SessionProvider } from './types.js';

export type { ProviderDeps } from './descriptor.js';

/** What building the systems takes from the configuration (the composition root passes its own). */
export interface SystemsConfig {
  systems: SystemSettings;
  rateLimits: RateTable;
  urgentReserve: number;
  slack: { botToken: string | undefined; apiUrl: string };
}

/** The process's vendor budgets: every system's documented limits, `REVOKE_RATE_LIMITS` over them. */
export function createBudgets(config: Pick<SystemsConfig, 'rateLimits' | 'urgentReserve'>): Budgets {
  const perMethod = new Set<string>(SYSTEMS.filter((s) => s.rateLimits?.perMethod).map((s) => s.id));
  return new Budgets(config.rateLimits, perMethod, config.urgentReserve);
}

/** Creates the Slack directory client for the bot token (users.info, lookupByEmail, user groups). */
export function createSlackDirectory(
  config: Pick<SystemsConfig, 'slack'>,
  deps: ProviderDeps,
): SlackDirectory | undefined {
  if (!config.slack.botToken) return undefined;
  return new SlackDirectory(
    new SlackApi(config.slack.botToken, {
      apiUrl: config.slack.apiUrl,
      logger: deps.logger,
      tokenVar: 'SLACK_BOT_TOKEN',
      retryPolicy: deps.retryPolicy,
      sleep: deps.sleep,
      budgets: deps.budgets,
      timeoutMs: deps.timeoutMs,
    }),
  );
}

/** Creates one provider per configured system, in display order (each by its descriptor's factory). */
export function createProviders(config: Pick<SystemsConfig, 'systems'>, deps: ProviderDeps): ProviderMap {
  const providers = new Map<SystemId, SessionProvider>();
  for (const system of SYSTEMS) {
    const settings = config.systems[system.id];
    if (settings === undefined) continue;
    // Each descriptor builds from the settings its own `configure` produced.
    const create = system.create as (c: typeof settings, d: ProviderDeps) => SessionProvider | undefined;
    const provider = create(settings, deps);
    if (provider) providers.set(system.id, provider);
  }
  return providers;
}
