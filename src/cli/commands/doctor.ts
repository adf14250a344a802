import { z } from 'zod';
import { asRevokeError } from '../../errors.js';
import { SlackApi } from '../../providers/slack-admin/client.js';
import { type CliContext, configuredSystems } from '../context.js';
import { type Io, safe } from '../output.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const BOT_SCOPES = ['commands', 'chat:write', 'users:read', 'users:read.email', 'usergroups:read'];
const ADMIN_SCOPES = ['admin.users:read', 'admin.users:write'];
const authTest = z.object({
  ok: z.literal(true),
  team: z.string().optional(),
  user: z.string().optional(),
  enterprise_id: z.string().optional(),
  response_metadata: z
    .object({ scopes: z.array(z.string()).optional() })
    .loose()
    .optional(),
});
const sessionList = z.object({ ok: z.literal(true) }).loose();

/** Probes an email no one has: "not found" proves credentials and reachability without touching a person. */
const PROBE_EMAIL = 'revoke-sessions-doctor-probe@example.invalid';

async function slackToken(ctx: CliContext, token: string, kind: 'bot' | 'admin'): Promise<Check[]> {
  const name = kind === 'bot' ? 'Slack bot token (SLACK_BOT_TOKEN)' : 'Slack admin token (SLACK_ADMIN_TOKEN)';
  const api = new SlackApi(token, {
    apiUrl: ctx.config.slack.apiUrl,
    logger: ctx.logger,
    tokenVar: kind === 'bot' ? 'SLACK_BOT_TOKEN' : 'SLACK_ADMIN_TOKEN',
    retryPolicy: { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 500, maxTotalMs: 10_000 },
  });
  try {
    const res = await api.call('auth.test', {}, authTest);
    const scopes = res.response_metadata?.scopes ?? [];
    const missing = (kind === 'bot' ? BOT_SCOPES : ADMIN_SCOPES).filter((s) => !scopes.includes(s));
    const checks: Check[] = [
      {
        name,
        ok: missing.length === 0,
        detail:
          missing.length === 0
            ? `valid for ${res.user ?? '?'} in ${res.team ?? '?'}; scopes present`
            : `valid, but missing scopes: ${missing.join(', ')} — reinstall the app`,
      },
    ];
    if (kind === 'admin') {
      try {
        await api.call('admin.users.session.list', { limit: 1 }, sessionList);
        checks.push({
          name: 'Slack admin.users.session.*',
          ok: true,
          detail: 'callable (Enterprise Grid, org admin)',
        });
      } catch (error) {
        checks.push({ name: 'Slack admin.users.session.*', ok: false, detail: asRevokeError(error).message });
      }
    }
    return checks;
  } catch (error) {
    return [{ name, ok: false, detail: asRevokeError(error).message }];
  }
}

/** `doctor`: config, store, and every system's credentials and reachability, one pass/fail line each. */
export async function doctorCommand(ctx: CliContext, io: Io, json: boolean): Promise<number> {
  const systems = configuredSystems(ctx);
  const checks: Check[] = [
    { name: 'configuration', ok: true, detail: `valid; systems: ${systems.join(', ') || 'none'}` },
    {
      name: 'store',
      ok: true,
      detail: `${ctx.config.databaseUrl.startsWith('sqlite:') ? ctx.config.databaseUrl : 'postgres'} reachable, migrations applied`,
    },
  ];
  if (ctx.config.slack.botToken) checks.push(...(await slackToken(ctx, ctx.config.slack.botToken, 'bot')));
  else
    checks.push({
      name: 'Slack bot token (SLACK_BOT_TOKEN)',
      ok: true,
      detail: 'not set: the CLI works without it for non-Slack systems',
    });
  if (ctx.config.slack.adminToken)
    checks.push(...(await slackToken(ctx, ctx.config.slack.adminToken, 'admin')));
  for (const system of systems.filter((s) => s !== 'slack')) {
    const provider = ctx.providers.get(system);
    if (!provider) continue;
    try {
      if (provider.healthCheck) {
        checks.push({ name: provider.label, ok: true, detail: await provider.healthCheck() });
      } else {
        const lookup = await provider.findAccount({ email: PROBE_EMAIL });
        checks.push({
          name: provider.label,
          ok: true,
          detail: `credentials accepted, API reachable (probe lookup: ${lookup.status})`,
        });
      }
    } catch (error) {
      const e = asRevokeError(error, system);
      checks.push({
        name: provider.label,
        ok: false,
        detail: `${e.message}${e.requestId ? ` (request id ${e.requestId})` : ''}`,
      });
    }
  }
  if (json) io.out(JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2));
  else for (const c of checks) io.out(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(38)} ${safe(c.detail)}`);
  return checks.every((c) => c.ok) ? 0 : 1;
}
