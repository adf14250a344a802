import { z } from 'zod';
import { enabledSystems, type SystemId } from '../config.js';
import { ErrorCode, RevokeError } from '../errors.js';
import { SlackApi } from '../providers/slack-admin/client.js';
import type { Person } from '../providers/types.js';
import { mapLimit } from '../util/limit.js';
import { type CliBase, resolvePerson } from './context.js';
import { type Io, safe } from './output.js';

/**
 * How long the CLI looks for Slack before going on without it: two attempts of 4 s at most (a
 * person's lookup, with the app's retry policy, would take a minute to give up).
 */
const PROBE = {
  policy: { maxAttempts: 2, baseDelayMs: 250, maxDelayMs: 500, maxTotalMs: 6_000 },
  timeoutMs: 4_000,
};

const authTest = z.looseObject({ ok: z.literal(true) });

/** Whether `error` says Slack could not be reached (network, timeout, 5xx) rather than that it refused. */
export function slackUnreachable(error: unknown): error is RevokeError {
  return (
    error instanceof RevokeError && error.system === 'slack' && error.code === ErrorCode.VendorUnavailable
  );
}

/**
 * Why Slack cannot be reached now, or undefined when it answers: one `auth.test` with the bot
 * token, bounded in time. An answer of any kind (even a refused token) is "reachable": the
 * command then says what Slack refused. https://docs.slack.dev/reference/methods/auth.test
 */
async function probe(base: CliBase): Promise<string | undefined> {
  const api = new SlackApi(base.config.slack.botToken, {
    apiUrl: base.config.slack.apiUrl,
    logger: base.logger,
    tokenVar: 'SLACK_BOT_TOKEN',
    retryPolicy: PROBE.policy,
    timeoutMs: PROBE.timeoutMs,
    budgets: base.budgets,
  });
  try {
    await api.call('auth.test', {}, authTest);
    return undefined;
  } catch (error) {
    return slackUnreachable(error) ? error.message.replace(/\.$/, '') : undefined;
  }
}

/**
 * The base without Slack: people are looked up by email in each system directly (no Slack
 * directory), and Slack is no system of this command; `why` is reported wherever Slack was wanted.
 */
export function withoutSlack(base: CliBase, why: string): CliBase {
  const providers = new Map(base.providers);
  providers.delete('slack');
  return { ...base, directory: undefined, providers, slackLeftOut: why };
}

/**
 * The base a command that looks people up works with: as configured while Slack answers; without
 * Slack with `--no-slack`, or when Slack cannot be reached (the break-glass case).
 */
export async function reachSlack(base: CliBase, noSlack: boolean): Promise<CliBase> {
  if (noSlack) return withoutSlack(base, 'left out with --no-slack');
  if (!base.directory) return base;
  const why = await probe(base);
  return why === undefined ? base : withoutSlack(base, `Slack could not be reached (${why})`);
}

/** Slack as a system of this command that is not done: when it is configured, wanted, and left out. */
export function slackNotDone(base: CliBase, wanted: readonly SystemId[] | undefined): string | undefined {
  if (base.slackLeftOut === undefined || !enabledSystems(base.config).includes('slack')) return undefined;
  return wanted === undefined || wanted.includes('slack') ? base.slackLeftOut : undefined;
}

/**
 * Each command-line person, looked up like every surface does (Slack first, while it is used);
 * when a lookup finds Slack unreachable after all, everyone is looked up again without it. At most
 * 4 lookups at a time (vendors rate-limit). Answers the base the command goes on with.
 */
export async function lookUpPeople(
  base: CliBase,
  refs: readonly string[],
): Promise<{ base: CliBase; people: Person[] }> {
  try {
    return { base, people: await mapLimit(refs, 4, (ref) => resolvePerson(base, ref)) };
  } catch (error) {
    if (!slackUnreachable(error) || base.slackLeftOut !== undefined) throw error;
    const without = withoutSlack(base, `Slack could not be reached (${error.message.replace(/\.$/, '')})`);
    return { base: without, people: await mapLimit(refs, 4, (ref) => resolvePerson(without, ref)) };
  }
}

/** Says that Slack is left out of this command, and whether that leaves a wanted system not done. */
export function sayWithoutSlack(io: Io, json: boolean, why: string, notDone: boolean): void {
  if (json) io.err(JSON.stringify({ event: 'slack_left_out', why, notDone }));
  else if (notDone)
    io.err(
      `Slack: NOT DONE — ${safe(why)}. People are looked up by email in each system directly; every other system goes on.`,
    );
  else io.err(`Note: ${safe(why)}; people are looked up by email in each system directly.`);
}
