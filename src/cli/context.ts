import { hostname, userInfo } from 'node:os';
import { type Config, enabledSystems, loadConfig, secretsOf } from '../config.js';
import { RevocationEngine } from '../engine/run.js';
import type { Actor } from '../engine/types.js';
import { RedactingLogger, Redactor } from '../log.js';
import { createProviders, createSlackDirectory } from '../providers/index.js';
import type { SlackDirectory } from '../providers/slack-admin/directory.js';
import type { Person, ProviderMap } from '../providers/types.js';
import { createStore } from '../store/index.js';
import type { Store } from '../store/types.js';

/** What every CLI command works with: the same config, store, providers and engine as the app. */
export interface CliContext {
  config: Config;
  store: Store;
  providers: ProviderMap;
  directory: SlackDirectory | undefined;
  engine: RevocationEngine;
  logger: RedactingLogger;
  actor: Actor;
  close(): Promise<void>;
}

/** Builds the context; needs no bot token or Slack connection for the non-Slack systems. */
export async function createCliContext(env: NodeJS.ProcessEnv, verbose: boolean): Promise<CliContext> {
  const config = loadConfig(env, { requireSlack: false });
  const logger = new RedactingLogger(new Redactor(secretsOf(config)), verbose ? 'debug' : 'error');
  const store = await createStore(config.databaseUrl);
  const deps = {
    logger,
    retryPolicy: { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 2_000, maxTotalMs: 30_000 },
  };
  const directory = createSlackDirectory(config, deps);
  const providers = createProviders(config, { ...deps, directory });
  const engine = new RevocationEngine({ store, providers, logger });
  const user = (() => {
    try {
      return userInfo().username;
    } catch {
      return process.env.USER ?? 'unknown';
    }
  })();
  return {
    config,
    store,
    providers,
    directory,
    engine,
    logger,
    actor: { kind: 'cli', id: user, name: `${user}@${hostname()}` },
    close: () => store.close(),
  };
}

export function configuredSystems(ctx: CliContext) {
  return enabledSystems(ctx.config).filter((s) => ctx.providers.has(s));
}

/** An email or a Slack user ID → the person, using Slack's directory when it is configured. */
export async function resolvePerson(ctx: CliContext, ref: string): Promise<Person> {
  if (/^[UW][A-Z0-9]{2,}$/.test(ref)) {
    if (!ctx.directory)
      throw new Error(`${ref} is a Slack user ID, but SLACK_BOT_TOKEN is not set; give the email instead.`);
    const user = await ctx.directory.getUser(ref);
    if (!user) throw new Error(`Slack has no user ${ref}.`);
    return { slackUserId: user.id, email: user.email, displayName: user.realName ?? user.name };
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(ref))
    throw new Error(`"${ref}" is neither an email nor a Slack user ID (U…/W…).`);
  const email = ref.toLowerCase();
  const user = ctx.directory ? await ctx.directory.findByEmail(email).catch(() => undefined) : undefined;
  return user ? { slackUserId: user.id, email, displayName: user.realName ?? user.name } : { email };
}
