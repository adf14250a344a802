import { hostname, userInfo } from 'node:os';
import { type Config, enabledSystems, loadConfig, secretsOf } from '../config.js';
import { buildCore, buildSystems } from '../core.js';
import type { RevocationEngine } from '../engine/engine.js';
import { type PersonRef, resolvePerson as resolveOne } from '../engine/people.js';
import type { Store } from '../engine/store-port/index.js';
import type { Actor } from '../engine/types.js';
import { RedactingLogger, Redactor } from '../log.js';
import type { Budgets } from '../providers/budget/index.js';
import type { SlackDirectory } from '../providers/slack-admin/directory.js';
import type { Person, ProviderMap } from '../providers/types.js';
import type { StoreAccessError } from '../store/access/errors.js';
import { requireExistingStore } from '../store/access/inspect.js';
import { openStore } from '../store/access/open.js';
import { SLACK_USER_ID } from '../util/input-rules.js';
import { safe } from './output.js';

/** What every CLI command works with: the same config and providers as the app; no store yet. */
export interface CliBase {
  config: Config;
  providers: ProviderMap;
  directory: SlackDirectory | undefined;
  budgets: Budgets;
  logger: RedactingLogger;
  actor: Actor;
  /** Why Slack is left out of this command (it cannot be reached, or `--no-slack`); unset while it is used. */
  slackLeftOut?: string | undefined;
}

/** A {@link CliBase} with the store and the engine, for the commands that read or write requests. */
export interface CliContext extends CliBase {
  store: Store;
  engine: RevocationEngine;
  close(): Promise<void>;
}

/** How a command uses the store: not at all, only an existing one, or one it may create (like the app). */
export type StoreUse = 'none' | 'existing' | 'create';

/** Loads the config and builds the providers; needs no bot token or Slack connection for the non-Slack systems. */
export function createCliBase(env: NodeJS.ProcessEnv, verbose: boolean, json = false): CliBase {
  const config = loadConfig(env, { requireSlack: false });
  // A person reads the CLI's stderr: readable lines unless LOG_FORMAT (or --json: a JSON line each) asks for JSON.
  const format = env.LOG_FORMAT === undefined ? (json ? 'json' : 'pretty') : config.logFormat;
  const logger = new RedactingLogger(
    new Redactor(secretsOf(config)),
    verbose ? 'debug' : 'error',
    undefined,
    format,
  );
  // The same systems, retry policy and timeouts as the app.
  const { directory, providers, budgets } = buildSystems(config, { logger });
  const user = (() => {
    try {
      return userInfo().username;
    } catch {
      return process.env.USER ?? 'unknown';
    }
  })();
  return {
    config,
    providers,
    directory,
    budgets,
    logger,
    actor: { kind: 'cli', id: user, name: `${user}@${hostname()}` },
  };
}

/**
 * Adds the store (and the engine on it), opened as the app opens it but tried once. With
 * `existing`, a DATABASE_URL that names no revoke-sessions database is an error and nothing is
 * created; with `create`, the store is created and migrated like the app does. Failures name
 * DATABASE_URL ({@link StoreAccessError}: exit 2 for the configuration, 1 for an unreachable database).
 */
export async function withStore(base: CliBase, use: 'existing' | 'create'): Promise<CliContext> {
  const url = base.config.databaseUrl;
  if (use === 'existing') await requireExistingStore(url);
  // The app's own sentences (naming DATABASE_URL, the SQLite file, what to check); one attempt.
  const store = await openStore(url);
  return { ...base, store, engine: engineOn(base, store), close: () => store.close() };
}

/** The same composition root as the app: policy from the config, the engine over the store. */
function engineOn(base: CliBase, store: Store): RevocationEngine {
  const systems = { directory: base.directory, providers: base.providers, budgets: base.budgets };
  return buildCore(base.config, systems, { store, logger: base.logger }).engine;
}

/**
 * The context on another base (Slack left out after the store was opened): the same store, an
 * engine over that base's directory and systems.
 */
export function withBase(ctx: CliContext, base: CliBase): CliContext {
  return { ...base, store: ctx.store, engine: engineOn(base, ctx.store), close: ctx.close };
}

/** The systems that are configured and have a provider. */
export function configuredSystems(ctx: CliBase) {
  return enabledSystems(ctx.config).filter((s) => ctx.providers.has(s));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Why a command-line person reference is neither an email nor a Slack user ID, or undefined when it is one. */
export function personRefProblem(ref: string): string | undefined {
  return SLACK_USER_ID.test(ref) || EMAIL.test(ref)
    ? undefined
    : `"${safe(ref)}" is neither an email nor a Slack user ID (U…/W…).`;
}

/** A command-line person reference as the engine names people. */
export function toPersonRef(ref: string): PersonRef {
  return SLACK_USER_ID.test(ref) ? { kind: 'user', userId: ref } : { kind: 'email', email: ref };
}

/**
 * An email or a Slack user ID → the person, by the engine's one resolver (the same refusal rules
 * as every surface; an email without a Slack user is the person as the email alone).
 */
export async function resolvePerson(ctx: CliBase, ref: string): Promise<Person> {
  const problem = personRefProblem(ref);
  if (problem) throw new Error(problem);
  if (ctx.slackLeftOut !== undefined && SLACK_USER_ID.test(ref))
    throw new Error(
      `${ref} is a Slack user ID, and Slack is not used now (${ctx.slackLeftOut}): name the person by email.`,
    );
  const resolved = await resolveOne(ctx.directory, toPersonRef(ref), true);
  if (!resolved.ok) throw new Error(resolved.message);
  return resolved.person;
}
