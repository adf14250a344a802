import { parseDuration } from '../util/duration.js';
import { opt, tokenVar, urlVar } from '../util/env-vars.js';

/** What proves a revocation afterwards: Slack's audit log, the watch for a return, signed evidence. */
export interface ProofConfig {
  /** Slack's Audit Logs API confirms resets (`SLACK_AUDIT_TOKEN`); absent without the token. */
  slackAudit: { token: string; apiUrl: string; confirmWindowMs: number } | undefined;
  /** When to list a person's sessions again after a revocation, in ms (`REVOKE_WATCH`; empty: off). */
  watchMs: number[];
  /** The evidence signing key's PEM file (`SSF_SIGNING_KEY_FILE`); unset: a key kept in the store. */
  signingKeyFile: string | undefined;
}

export const DEFAULT_SLACK_AUDIT_API_URL = 'https://api.slack.com/audit/v1/';
export const DEFAULT_WATCH = '2m,10m,30m';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };
/** The watch ends within a day: it looks for the attacker's next sign-in, not for a new normal. */
const MAX_WATCH_MS = 86_400_000;

/** `45s`, `2m`, `1h30m`, comma-separated, or `off` (an empty list), sorted; undefined when malformed. */
export function parseWatch(text: string): number[] | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'off') return [];
  const times: number[] = [];
  for (const part of value.split(',').map((p) => p.trim())) {
    if (!/^(\d+[smh])+$/.test(part)) return undefined;
    let ms = 0;
    for (const [, n, unit] of part.matchAll(/(\d+)([smh])/g)) ms += Number(n) * (UNITS[unit ?? 's'] ?? 0);
    if (ms < 1_000 || ms > MAX_WATCH_MS) return undefined;
    times.push(ms);
  }
  return [...new Set(times)].sort((a, b) => a - b);
}

export const PROOF_ENV = {
  SLACK_AUDIT_TOKEN: tokenVar(
    ['xoxp-'],
    'an org owner user token with auditlogs:read (Slack Audit Logs API)',
  ),
  SLACK_AUDIT_API_URL: urlVar(`the Slack Audit Logs API base URL, e.g. ${DEFAULT_SLACK_AUDIT_API_URL}`),
  SLACK_AUDIT_CONFIRM_WINDOW: opt.superRefine((v, ctx) => {
    if (v !== undefined && parseDuration(v) === undefined)
      ctx.addIssue({ code: 'custom', message: 'a duration such as 15m or 1h (at least 1 minute)' });
  }),
  REVOKE_WATCH: opt.superRefine((v, ctx) => {
    if (v !== undefined && parseWatch(v) === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'comma-separated durations from 1s to 24h such as 2m,10m,30m (or 45s), or off',
      });
  }),
  SSF_SIGNING_KEY_FILE: opt,
};

/** The proof settings from the (already validated) environment. */
export function proofConfig(env: {
  SLACK_AUDIT_TOKEN?: string | undefined;
  SLACK_AUDIT_API_URL?: string | undefined;
  SLACK_AUDIT_CONFIRM_WINDOW?: string | undefined;
  REVOKE_WATCH?: string | undefined;
  SSF_SIGNING_KEY_FILE?: string | undefined;
}): ProofConfig {
  const url = env.SLACK_AUDIT_API_URL ?? DEFAULT_SLACK_AUDIT_API_URL;
  return {
    slackAudit: env.SLACK_AUDIT_TOKEN
      ? {
          token: env.SLACK_AUDIT_TOKEN,
          apiUrl: url.endsWith('/') ? url : `${url}/`,
          confirmWindowMs: parseDuration(env.SLACK_AUDIT_CONFIRM_WINDOW ?? '15m') ?? 900_000,
        }
      : undefined,
    watchMs: parseWatch(env.REVOKE_WATCH ?? DEFAULT_WATCH) ?? [],
    signingKeyFile: env.SSF_SIGNING_KEY_FILE,
  };
}
