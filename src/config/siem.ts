import { type EnvValues, opt } from '../util/env-vars.js';
import { insecureUrlProblem } from '../util/secure-url.js';

/** Where every audit record is streamed (docs/siem.md): a signed JSON webhook, RFC 5424 syslog. */
export interface SiemConfig {
  /** `AUDIT_WEBHOOK_URL` + `AUDIT_WEBHOOK_SECRET`: batches POSTed, signed with HMAC-SHA256. */
  webhook: { url: string; secret: string } | undefined;
  /** `AUDIT_SYSLOG_URL`: `tcp://host:port` or `tls://host:port`, octet-counted RFC 5424. */
  syslog: { protocol: 'tcp' | 'tls'; host: string; port: number } | undefined;
}

/** The SIEM settings whose value is a secret (read from `<VAR>_FILE` too, redacted everywhere). */
export const SIEM_SECRET_VARS = ['AUDIT_WEBHOOK_SECRET'] as const;

/** The shortest webhook secret accepted: a receiver verifies signatures with it. */
const MIN_SECRET = 32;

export const SIEM_ENV = {
  AUDIT_WEBHOOK_URL: opt.superRefine((v, ctx) => {
    const problem = v === undefined ? undefined : insecureUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: `the SIEM's webhook URL; ${problem}` });
  }),
  AUDIT_WEBHOOK_SECRET: opt.superRefine((v, ctx) => {
    if (v !== undefined && v.length < MIN_SECRET)
      ctx.addIssue({
        code: 'custom',
        message: `at least ${MIN_SECRET} characters (generate one with \`openssl rand -hex 32\`); the value is not shown here`,
      });
  }),
  AUDIT_SYSLOG_URL: opt.superRefine((v, ctx) => {
    if (v !== undefined && parseSyslogUrl(v) === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'tcp://host:port or tls://host:port (RFC 5424 syslog over TCP or TLS), no user or path',
      });
  }),
};

/** `tcp://host:port` / `tls://host:port`; undefined when it is not one. */
export function parseSyslogUrl(text: string): SiemConfig['syslog'] {
  if (!URL.canParse(text)) return undefined;
  const u = new URL(text);
  const protocol = u.protocol === 'tcp:' ? 'tcp' : u.protocol === 'tls:' ? 'tls' : undefined;
  const port = Number(u.port);
  if (!protocol || !u.hostname || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  if (u.username || u.password || (u.pathname !== '' && u.pathname !== '/') || u.search || u.hash)
    return undefined;
  return { protocol, host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

/** The SIEM settings from the (already validated) environment; a half-configured webhook is a problem. */
export function siemConfig(env: EnvValues, problems: string[]): SiemConfig {
  const url = env.AUDIT_WEBHOOK_URL;
  const secret = env.AUDIT_WEBHOOK_SECRET;
  if (url !== undefined && secret === undefined)
    problems.push(
      'AUDIT_WEBHOOK_SECRET is missing: AUDIT_WEBHOOK_URL is set, and every batch it receives is signed with this secret',
    );
  if (secret !== undefined && url === undefined)
    problems.push(
      'AUDIT_WEBHOOK_URL is missing: AUDIT_WEBHOOK_SECRET is set, but there is no webhook to send to',
    );
  const syslog = env.AUDIT_SYSLOG_URL === undefined ? undefined : parseSyslogUrl(env.AUDIT_SYSLOG_URL);
  return { webhook: url && secret ? { url, secret } : undefined, syslog };
}
