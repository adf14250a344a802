import { z } from 'zod';
import type { SystemId } from './catalog.js';
import { PROOF_ENV, type ProofConfig, proofConfig } from './config/proof.js';
import { withSecretFiles } from './config/secret-files.js';
import { SIEM_ENV, SIEM_SECRET_VARS, type SiemConfig, siemConfig } from './config/siem.js';
import {
  configureSignals,
  SIGNALS_SECRET_VARS,
  type SignalsConfig,
  signalsEnvShape,
  signalsSecrets,
} from './config/signals.js';
import {
  configuredSystemIds,
  configureSystems,
  documentedRateLimits,
  SYSTEM_SECRET_VARS,
  systemSecrets,
  systemsEnvShape,
} from './config/systems.js';
import type { PrincipalList } from './engine/principals.js';
import type { LogLevel } from './log.js';
import { DEFAULT_URGENT_RESERVE, parseReserve, type RateTable, rateTable } from './providers/budget/index.js';
import type { SystemSettings } from './providers/registry.js';
import { slackApiUrl } from './providers/slack-admin/settings.js';
import { parseDuration } from './util/duration.js';
import { opt, splitList, tokenVar, urlVar } from './util/env-vars.js';
import { queryCredentials } from './util/secure-url.js';

export { SYSTEM_IDS, type SystemId } from './catalog.js';
export { splitList } from './util/env-vars.js';

export type { LogLevel, PrincipalList };

export interface SlackConfig {
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  apiUrl: string;
}

/** The validated configuration of one process. Secrets live here and nowhere else. */
export interface Config {
  mode: 'http' | 'socket';
  port: number;
  slack: SlackConfig;
  requesters: PrincipalList;
  approvers: PrincipalList;
  approvalChannel: string | undefined;
  requireApproval: boolean;
  approvalTtlMs: number;
  protectedUsers: PrincipalList;
  breakGlassUsers: PrincipalList;
  databaseUrl: string;
  /** How long start-up keeps retrying an unreachable PostgreSQL before giving up. */
  databaseRetryMs: number;
  /** On SIGTERM, how long running work may go on before its leases are released and the process exits. */
  shutdownGraceMs: number;
  /** Every vendor budget's limit, by key (documented limits, then `REVOKE_RATE_LIMITS`). */
  rateLimits: RateTable;
  /** The share of every budget, and of the run slots, that bulk work leaves to urgent requests (`REVOKE_URGENT_RESERVE`). */
  urgentReserve: number;
  /** Each configured system's own settings (from its descriptor), by id. */
  systems: SystemSettings;
  apiToken: string | undefined;
  logLevel: LogLevel;
  logFormat: 'json' | 'pretty';
  /** `GET /metrics` is served only when true. */
  metricsEnabled: boolean;
  /** When set, `GET /metrics` requires `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Shared Signals (transmitter, receivers, inbound issuers) and the Okta Universal Logout target. */
  signals: SignalsConfig;
  /** Slack's audit-log confirmation, the watch for a return, the evidence signing key. */
  proof: ProofConfig;
  /** Every audit record streamed to a SIEM (webhook, syslog); both off when unset. */
  siem: SiemConfig;
}

/** Raised when the environment is missing or has malformed variables; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/revoke-sessions.db';

const PRINCIPAL_RE = /^[UWS][A-Z0-9]{2,}$/;
const CHANNEL_RE = /^[CG][A-Z0-9]+$/;

const principalList = (what: string) =>
  opt.superRefine((v, ctx) => {
    if (v === undefined) return;
    const bad = splitList(v).filter((id) => !PRINCIPAL_RE.test(id));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `a comma-separated list of Slack user IDs (U…/W…) or user-group IDs (S…) of ${what}; these are not IDs: ${bad.map((b) => JSON.stringify(b.slice(0, 40))).join(', ')}`,
      });
    }
  });

const envSchema = z.object({
  SLACK_BOT_TOKEN: tokenVar(['xoxb-'], 'the bot token from "OAuth & Permissions"'),
  SLACK_SIGNING_SECRET: opt,
  SLACK_APP_TOKEN: tokenVar(['xapp-'], 'the app-level token from "Basic Information" (connections:write)'),
  SLACK_API_URL: urlVar('the Slack Web API base URL, e.g. https://slack.com/api/'),
  PORT: opt.superRefine((v, ctx) => {
    if (v !== undefined && !(/^\d+$/.test(v) && Number(v) <= 65535)) {
      ctx.addIssue({ code: 'custom', message: 'a TCP port number from 0 to 65535' });
    }
  }),
  REVOKE_REQUESTERS: principalList('the people allowed to request revocations'),
  REVOKE_APPROVERS: principalList('the people allowed to approve'),
  REVOKE_APPROVAL_CHANNEL: opt.superRefine((v, ctx) => {
    if (v !== undefined && !CHANNEL_RE.test(v)) {
      ctx.addIssue({
        code: 'custom',
        message: 'a channel ID such as C0123456789 (not a #name; find it under the channel\'s "About")',
      });
    }
  }),
  REVOKE_REQUIRE_APPROVAL: opt.superRefine((v, ctx) => {
    if (v !== undefined && !['true', 'false'].includes(v.toLowerCase())) {
      ctx.addIssue({ code: 'custom', message: 'true or false' });
    }
  }),
  REVOKE_APPROVAL_TTL: opt.superRefine((v, ctx) => {
    if (v !== undefined && parseDuration(v) === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'a duration such as 30m, 1h or 90s (at least 1 minute, at most 7 days)',
      });
    }
  }),
  REVOKE_PROTECTED_USERS: principalList('protected targets'),
  REVOKE_BREAK_GLASS_USERS: principalList('break-glass users'),
  DATABASE_URL: opt.superRefine((v, ctx) => {
    if (v !== undefined && !/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'sqlite:<path> or postgres://user@host:port/db' });
    }
  }),
  DATABASE_CONNECT_RETRY_SECONDS: opt.superRefine((v, ctx) => {
    if (v !== undefined && !(/^\d+$/.test(v) && Number(v) <= 3600)) {
      ctx.addIssue({ code: 'custom', message: 'a number of seconds from 0 to 3600' });
    }
  }),
  SHUTDOWN_GRACE_SECONDS: opt.superRefine((v, ctx) => {
    if (v !== undefined && !(/^\d+$/.test(v) && Number(v) <= 3600)) {
      ctx.addIssue({ code: 'custom', message: 'a number of seconds from 0 to 3600' });
    }
  }),
  REVOKE_RATE_LIMITS: opt,
  REVOKE_URGENT_RESERVE: opt.superRefine((v, ctx) => {
    if (v !== undefined && parseReserve(v) === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a share from 0% to 50%, such as 5%' });
    }
  }),
  REVOKE_API_TOKEN: opt.superRefine((v, ctx) => {
    if (v !== undefined && v.length < 32) {
      ctx.addIssue({
        code: 'custom',
        message: 'at least 32 characters (generate one with `openssl rand -hex 32`)',
      });
    }
  }),
  LOG_LEVEL: opt.superRefine((v, ctx) => {
    if (v !== undefined && !['debug', 'info', 'warn', 'error'].includes(v.toLowerCase())) {
      ctx.addIssue({ code: 'custom', message: 'one of debug, info, warn, error' });
    }
  }),
  LOG_FORMAT: opt.superRefine((v, ctx) => {
    if (v !== undefined && !['json', 'pretty'].includes(v.toLowerCase())) {
      ctx.addIssue({ code: 'custom', message: 'json (one JSON object a line) or pretty' });
    }
  }),
  METRICS_ENABLED: opt.superRefine((v, ctx) => {
    if (v !== undefined && !['true', 'false'].includes(v.toLowerCase())) {
      ctx.addIssue({ code: 'custom', message: 'true or false' });
    }
  }),
  METRICS_TOKEN: opt.superRefine((v, ctx) => {
    if (v !== undefined && v.length < 16) {
      ctx.addIssue({
        code: 'custom',
        message: 'at least 16 characters (generate one with `openssl rand -hex 32`)',
      });
    }
  }),
  // Shared Signals and Okta Universal Logout.
  ...signalsEnvShape,
  ...PROOF_ENV,
  ...SIEM_ENV,
  // Each system's own variables, from its descriptor.
  ...systemsEnvShape(),
});

/** The shared settings whose value is a secret. */
const SHARED_SECRET_VARS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'REVOKE_API_TOKEN',
  'METRICS_TOKEN',
  'SLACK_AUDIT_TOKEN',
  ...SIEM_SECRET_VARS,
] as const;

/** Variables whose value is a secret or a Slack ID: a `#` cut in .env silently breaks them. */
const CUT_SENSITIVE = new Set([
  ...SHARED_SECRET_VARS,
  'REVOKE_APPROVAL_CHANNEL',
  ...SIGNALS_SECRET_VARS,
  ...SYSTEM_SECRET_VARS,
]);

/**
 * The variables that may be read from a file instead, as `<VAR>_FILE`: every secret one, and
 * DATABASE_URL (it holds the database password). A variable that names a file already is not.
 */
export const FILE_VARS: readonly string[] = [
  ...SHARED_SECRET_VARS,
  'DATABASE_URL',
  ...SIGNALS_SECRET_VARS,
  ...SYSTEM_SECRET_VARS,
].filter((name) => !name.endsWith('_FILE'));

type Env = z.infer<typeof envSchema>;

function principals(value: string | undefined): PrincipalList {
  const ids = splitList(value);
  return {
    users: new Set(ids.filter((id) => !id.startsWith('S'))),
    groups: new Set(ids.filter((id) => id.startsWith('S'))),
  };
}

export interface LoadConfigOptions {
  /** The CLI acts on non-Slack systems without a bot token or signing secret. */
  requireSlack?: boolean;
  /**
   * Variables whose `.env` line had an unquoted `#` that dotenv took as the start of a comment
   * (`empty`: nothing was left; `cut`: a `#` right after the value's text), from {@link dotenvCutOffs}.
   */
  dotenvCutOffs?: ReadonlyMap<string, 'empty' | 'cut'>;
}

/**
 * Builds the configuration from an environment (defaults < env, `<VAR>_FILE` for each of
 * {@link FILE_VARS}). Throws one {@link ConfigError} naming every missing or malformed variable;
 * never echoes a secret.
 */
export function loadConfig(
  givenEnv: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): Config {
  const requireSlack = options.requireSlack ?? true;
  const problems: string[] = [];
  // Container secrets: `<VAR>_FILE` read once, here, before anything is checked.
  const rawEnv = withSecretFiles(givenEnv, FILE_VARS, problems);
  const parsed = envSchema.safeParse(rawEnv);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.')} is malformed: it must be ${issue.message}`);
    }
  }
  // Presence checks run on the raw values too, so one message lists malformed and missing variables alike.
  const env: Env = parsed.success
    ? parsed.data
    : (Object.fromEntries(
        Object.keys(envSchema.shape).map((k) => [k, rawEnv[k]?.trim() ? rawEnv[k]?.trim() : undefined]),
      ) as Env);
  const mode = env.SLACK_APP_TOKEN ? 'socket' : 'http';
  for (const [name, how] of options.dotenvCutOffs ?? []) {
    if (how === 'empty' || CUT_SENSITIVE.has(name)) {
      problems.push(
        `${name} looks cut off in .env: an unquoted # starts a comment there, so ${how === 'empty' ? 'nothing' : 'only the part before the #'} was read; quote the value (${name}="…")`,
      );
    }
  }

  if (requireSlack && env.SLACK_BOT_TOKEN === undefined) {
    problems.push(
      'SLACK_BOT_TOKEN is missing: set it to the bot token (xoxb-…) from the app\'s "OAuth & Permissions" page',
    );
  }
  if (requireSlack && mode === 'http' && env.SLACK_SIGNING_SECRET === undefined) {
    problems.push(
      'SLACK_SIGNING_SECRET is missing: set it to the signing secret from "Basic Information" (or set SLACK_APP_TOKEN to use Socket Mode)',
    );
  }
  if (requireSlack && env.REVOKE_REQUESTERS === undefined) {
    problems.push(
      'REVOKE_REQUESTERS is missing: list the Slack user IDs (U…/W…) or user-group IDs (S…) allowed to request revocations',
    );
  }
  const systems = configureSystems(env, problems);
  const rateLimits = rateTable(documentedRateLimits(), env.REVOKE_RATE_LIMITS, problems);
  const signals = configureSignals(env, problems);
  const siem = siemConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const requesters = principals(env.REVOKE_REQUESTERS);
  return {
    mode,
    port: env.PORT === undefined ? 3000 : Number(env.PORT),
    slack: {
      botToken: env.SLACK_BOT_TOKEN ?? '',
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: slackApiUrl(env),
    },
    requesters,
    approvers: env.REVOKE_APPROVERS === undefined ? requesters : principals(env.REVOKE_APPROVERS),
    approvalChannel: env.REVOKE_APPROVAL_CHANNEL,
    requireApproval: env.REVOKE_REQUIRE_APPROVAL?.toLowerCase() === 'true',
    approvalTtlMs: parseDuration(env.REVOKE_APPROVAL_TTL ?? '1h') ?? 3_600_000,
    protectedUsers: principals(env.REVOKE_PROTECTED_USERS),
    breakGlassUsers: principals(env.REVOKE_BREAK_GLASS_USERS),
    databaseUrl: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    databaseRetryMs: Number(env.DATABASE_CONNECT_RETRY_SECONDS ?? 60) * 1000,
    shutdownGraceMs: Number(env.SHUTDOWN_GRACE_SECONDS ?? 20) * 1000,
    rateLimits,
    urgentReserve: parseReserve(env.REVOKE_URGENT_RESERVE) ?? DEFAULT_URGENT_RESERVE,
    systems,
    apiToken: env.REVOKE_API_TOKEN,
    logLevel: (env.LOG_LEVEL?.toLowerCase() ?? 'info') as LogLevel,
    logFormat: env.LOG_FORMAT?.toLowerCase() === 'pretty' ? 'pretty' : 'json',
    metricsEnabled: env.METRICS_ENABLED?.toLowerCase() === 'true',
    metricsToken: env.METRICS_TOKEN,
    signals,
    proof: proofConfig(env),
    siem,
  };
}

/** The systems whose credentials are configured, in display order. */
export function enabledSystems(config: Config): SystemId[] {
  return configuredSystemIds(config.systems);
}

/** The password in a postgres:// URL, if any (decoded as the driver uses it). */
function databasePassword(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const { password } = new URL(url);
  if (!password) return undefined;
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}

/** Every secret value in the config, for redaction. */
export function secretsOf(config: Config): string[] {
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    ...systemSecrets(config.systems),
    config.apiToken,
    config.metricsToken,
    ...signalsSecrets(config.signals),
    config.proof.slackAudit?.token,
    config.siem.webhook?.secret,
    // A SIEM that authenticates by a token in its webhook URL: that token is a secret too.
    ...queryCredentials(config.siem.webhook?.url),
    databasePassword(config.databaseUrl),
  ].filter((s): s is string => typeof s === 'string' && s.length >= 6);
}
