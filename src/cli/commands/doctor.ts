import { z } from 'zod';
import { enableAnySystem } from '../../config/systems.js';
import { ConfigError, type SystemId } from '../../config.js';
import { asRevokeError } from '../../errors.js';
import { systemById } from '../../providers/registry.js';
import { SlackApi } from '../../providers/slack-admin/client.js';
import { ADMIN_SCOPES, BOT_SCOPES } from '../../slack/scopes.js';
import { inspectStore, sqliteCreatable } from '../../store/access/inspect.js';
import { type CliBase, configuredSystems, createCliBase } from '../context.js';
import { type Io, safe } from '../output.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

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

async function slackToken(ctx: CliBase, token: string, kind: 'bot' | 'admin'): Promise<Check[]> {
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

/** The outbox in the store line: what waits for delivery, and what failed for good (see `status`). */
function outboxText(outbox: { pending: number; failed: number } | undefined): string {
  if (!outbox) return '';
  const failed =
    outbox.failed > 0
      ? `; ${outbox.failed} effect(s) (cards, notes, workflow completions) FAILED for good: see \`revoke-sessions status <id>\` and the revoke_outbox_failed metric`
      : '';
  return `; outbox: ${outbox.pending} effect(s) waiting${failed}`;
}

async function storeCheck(databaseUrl: string): Promise<Check> {
  const name = 'store (DATABASE_URL)';
  try {
    const found = await inspectStore(databaseUrl);
    if (found.exists) {
      const pending = found.known - found.applied;
      return {
        name,
        ok: pending >= 0,
        detail:
          pending > 0
            ? `${found.where}: reachable; ${pending} of ${found.known} migrations not applied yet (the app applies them on start)`
            : pending < 0
              ? `${found.where}: reachable, but it was migrated by a newer version (${found.applied} migrations; this one knows ${found.known})`
              : `${found.where}: reachable; all ${found.known} migrations applied${outboxText(found.outbox)}`,
      };
    }
    if (databaseUrl === 'sqlite::memory:')
      return {
        name,
        ok: false,
        detail: 'sqlite::memory: keeps nothing: requests and the audit log would be lost on exit',
      };
    if (databaseUrl.startsWith('sqlite:')) {
      const { ok, folder } = sqliteCreatable(databaseUrl);
      return {
        name,
        ok,
        detail: ok
          ? `${found.where} does not exist yet; the app creates it on first start (${folder} is writable)`
          : `${found.where} does not exist, and ${folder} is not a writable folder: the app cannot create it`,
      };
    }
    return {
      name,
      ok: true,
      detail: `${found.where}: reachable; no revoke-sessions tables yet (the app creates them on first start)`,
    };
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message };
  }
}

async function systemCheck(ctx: CliBase, system: SystemId): Promise<Check> {
  const provider = ctx.providers.get(system);
  if (!provider) return { name: system, ok: false, detail: 'configured, but no provider was built for it' };
  try {
    return { name: provider.label, ok: true, detail: await systemById(system).doctor(provider) };
  } catch (error) {
    const e = asRevokeError(error, system);
    return {
      name: provider.label,
      ok: false,
      detail: `${e.message}${e.requestId ? ` (request id ${e.requestId})` : ''}`,
    };
  }
}

/** Every check that can run; `code` is 2 when the configuration is unusable or names no system. */
async function runChecks(
  env: NodeJS.ProcessEnv,
  verbose: boolean,
): Promise<{ checks: Check[]; code: 0 | 1 | 2 }> {
  let ctx: CliBase;
  try {
    ctx = createCliBase(env, verbose);
  } catch (error) {
    const detail = error instanceof ConfigError ? error.problems.join('; ') : asRevokeError(error).message;
    return { checks: [{ name: 'configuration', ok: false, detail }], code: 2 };
  }
  const systems = configuredSystems(ctx);
  const checks: Check[] = [
    systems.length > 0
      ? { name: 'configuration', ok: true, detail: `valid; systems: ${systems.join(', ')}` }
      : {
          name: 'configuration',
          ok: false,
          detail: `valid, but no system is configured: set ${enableAnySystem()}`,
        },
    await storeCheck(ctx.config.databaseUrl),
  ];
  if (ctx.config.slack.botToken) checks.push(...(await slackToken(ctx, ctx.config.slack.botToken, 'bot')));
  else
    checks.push({
      name: 'Slack bot token (SLACK_BOT_TOKEN)',
      ok: true,
      detail: 'not set (not checked): the CLI needs it only to find people by Slack user ID',
    });
  const admin = ctx.config.systems.slack?.adminToken;
  if (admin) checks.push(...(await slackToken(ctx, admin, 'admin')));
  for (const system of systems.filter((s) => s !== 'slack')) checks.push(await systemCheck(ctx, system));
  const code = systems.length === 0 ? 2 : checks.every((c) => c.ok) ? 0 : 1;
  return { checks, code };
}

/**
 * `doctor`: config, store, and every system's credentials and reachability, one PASS/FAIL line
 * each (one JSON document with --json), whatever fails. Creates nothing: the store is only looked at.
 */
export async function doctorCommand(
  env: NodeJS.ProcessEnv,
  io: Io,
  json: boolean,
  verbose = false,
): Promise<number> {
  let result: { checks: Check[]; code: 0 | 1 | 2 };
  try {
    result = await runChecks(env, verbose);
  } catch (error) {
    result = { checks: [{ name: 'doctor', ok: false, detail: asRevokeError(error).message }], code: 1 };
  }
  const { checks, code } = result;
  if (json) io.out(JSON.stringify({ ok: code === 0, checks }, null, 2));
  else for (const c of checks) io.out(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(38)} ${safe(c.detail)}`);
  return code;
}
