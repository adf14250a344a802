import type { z } from 'zod';
import type { Logger } from '../log.js';
import type { EnvValues } from '../util/env-vars.js';
import type { Budgets, SystemRateLimits } from './budget/index.js';
import type { VendorQuirks } from './quirks.js';
import type { RetryPolicy } from './retry.js';
import type { SlackDirectory } from './slack-admin/directory.js';
import type { ProviderCapabilities, SessionProvider } from './types.js';

/** What every provider factory gets from the composition root. */
export interface ProviderDeps {
  logger: Logger;
  /** Slack's user directory (bot token); needed by the Slack provider to find people. */
  directory?: SlackDirectory | undefined;
  retryPolicy?: RetryPolicy | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Per-request timeout of every vendor call. */
  timeoutMs?: number | undefined;
  /** The process's vendor budgets, shared by every client (see {@link Budgets}). */
  budgets?: Budgets | undefined;
}

/**
 * Everything one system brings: the rest of the app (config, labels, CLI usage, the OpenAPI
 * enum, `.env.example`, tests) derives from these, so adding a system is one folder and one
 * line in `registry.ts`.
 */
export interface SystemDescriptor<Id extends string = string, C = unknown> {
  /** The system's id in requests, the audit log, `--systems`, the API and metrics. */
  readonly id: Id;
  /** Its name in sentences, cards and the CLI. */
  readonly label: string;
  /**
   * Its product's name in prose (README, Slack manifest) when the label says less, e.g.
   * `Slack (Enterprise Grid)`; the label when absent. `npm run generate` writes it into those texts.
   */
  readonly product?: string | undefined;
  /** Its environment variables, each with its schema; checked with the shared ones, every problem at once. */
  readonly env: Readonly<Record<string, z.ZodType<string | undefined, string | undefined>>>;
  /** Variables whose value is a secret (never echoed; a `#` cut in `.env` is refused). */
  readonly secretVars: readonly string[];
  /** How to turn it on, for "no system is configured" sentences, e.g. `ACME_URL/ACME_TOKEN`. */
  readonly enableWith: string;
  /** What it can do; equals its provider's capabilities. */
  readonly capabilities: ProviderCapabilities;
  /** Its documented rate limits: the default budgets the app keeps itself to (`REVOKE_RATE_LIMITS` overrides). */
  readonly rateLimits?: SystemRateLimits | undefined;
  /** Vendor quirks for the shared HTTP layer; absent for a system on its vendor's own SDK. */
  readonly quirks?: VendorQuirks | undefined;
  /**
   * Its section of `.env.example`: comment lines saying where each value comes from, then each of
   * its variables commented out with an example value. `.env.example` is generated from these.
   */
  readonly envExample?: string | undefined;
  /**
   * Its settings from the (already validated) environment, or undefined when it is not configured.
   * Pushes a sentence naming the variable for every missing or inconsistent one.
   */
  configure(env: EnvValues, problems: string[]): C | undefined;
  /** The secret values in its settings, for redaction. */
  secrets(config: C): readonly (string | undefined)[];
  /** Builds its provider; undefined when a dependency it needs is missing. */
  create(config: C, deps: ProviderDeps): SessionProvider | undefined;
  /**
   * The doctor check: a harmless call that proves credentials and reachability; resolves with a short
   * description, throws {@link RevokeError} when it fails.
   */
  doctor(provider: SessionProvider): Promise<string>;
}

/** Probes an email no one has: "not found" proves credentials and reachability without touching a person. */
export const PROBE_EMAIL = 'revoke-sessions-doctor-probe@example.invalid';

/** The doctor check for a provider without one of its own: its health check, else a probe lookup. */
export async function defaultDoctor(provider: SessionProvider): Promise<string> {
  if (provider.healthCheck) return provider.healthCheck();
  const lookup = await provider.findAccount({ email: PROBE_EMAIL });
  return `credentials accepted, API reachable (probe lookup: ${lookup.status})`;
}

/** Declares a system (a typed identity function: keeps the id literal and the settings type). */
export function defineSystem<const Id extends string, C>(
  descriptor: SystemDescriptor<Id, C>,
): SystemDescriptor<Id, C> {
  return descriptor;
}
