import { createInterface } from 'node:readline/promises';
import type { SystemId } from '../../config.js';
import { previewPerson } from '../../engine/plan.js';
import { systemLabel } from '../../providers/registry.js';
import type { SlackScope } from '../../providers/types.js';
import { mapLimit } from '../../util/limit.js';
import { type CliBase, type CliContext, configuredSystems, toPersonRef, withBase } from '../context.js';
import { EXIT, exitForRun, foundNowhere } from '../exit-codes.js';
import { type Io, previewLines, safe } from '../output.js';
import { phaseCounter, progressMode } from '../progress.js';
import { runRequest } from '../run-request.js';
import { lookUpPeople, reachSlack, sayWithoutSlack, slackNotDone } from '../slack-reach.js';
import { MAX_REASON_CHARS, MIN_REASON_CHARS } from '../usage.js';

export interface RevokeOptions {
  targets: string[];
  reason: string | undefined;
  systems?: SystemId[] | undefined;
  scope: SlackScope;
  dryRun: boolean;
  yes: boolean;
  json: boolean;
  /** Asks the operator; undefined when there is no terminal. */
  confirm?: ((question: string) => Promise<boolean>) | undefined;
  /** Leave Slack out: look people up by email in each system, and revoke nothing in Slack. */
  noSlack: boolean;
  /** Opens (or creates, like the app) the store; called once the arguments are known to be good. */
  openStore: () => Promise<CliContext>;
}

/** Why a reason is refused, or undefined when it is good. */
export function reasonProblem(reason: string | undefined): string | undefined {
  const text = reason?.trim() ?? '';
  if (text === '') return '--reason is required: it goes into the audit log.';
  if (text.replace(/\s/g, '').length < MIN_REASON_CHARS)
    return `--reason must say why, in at least ${MIN_REASON_CHARS} characters besides spaces (it goes into the audit log).`;
  if (text.length > MAX_REASON_CHARS) return `Keep --reason under ${MAX_REASON_CHARS} characters.`;
  return undefined;
}

/** Asks y/N on the terminal. */
export async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * `revoke <email|id>… --reason R`: the break-glass path. It runs at once
 * (no Slack approval is possible when Slack is down), through the same engine,
 * store and audit log, recorded as the local OS user with the reason. It never needs Slack:
 * with `--no-slack`, or when Slack cannot be reached, people are looked up by email in each
 * system, Slack is reported not done, and every other system goes on.
 */
export async function revokeCommand(base0: CliBase, io: Io, o: RevokeOptions): Promise<number> {
  const problem = reasonProblem(o.reason);
  if (problem) {
    io.err(problem);
    return EXIT.usage;
  }
  const reason = o.reason?.trim() ?? '';
  const enabled = configuredSystems(base0);
  const unknown = (o.systems ?? []).filter((s) => !enabled.includes(s));
  if (unknown.length > 0) {
    io.err(`Not configured here: ${unknown.join(', ')}. Configured: ${enabled.join(', ') || 'none'}.`);
    return EXIT.usage;
  }
  if (o.yes === false && o.dryRun === false && !o.confirm) {
    io.err('Refusing to revoke without confirmation: no terminal to ask on. Re-run with --yes.');
    return EXIT.usage;
  }
  // Opened before any vendor is asked: a store that cannot be used stops the run before it starts.
  // A dry run writes nothing, so it needs none.
  const opened = o.dryRun ? undefined : await o.openStore();
  const { base, people } = await lookUpPeople(await reachSlack(base0, o.noSlack), o.targets);
  const slackNot = slackNotDone(base, o.systems);
  if (base.slackLeftOut !== undefined) sayWithoutSlack(io, o.json, base.slackLeftOut, slackNot !== undefined);
  const notDone = slackNot === undefined ? [] : [{ system: 'slack' as const, why: slackNot }];
  const systems = (o.systems ?? enabled).filter((s) => base.providers.has(s));
  if (systems.length === 0) {
    io.err('Nothing was revoked: no system asked for can be used now.');
    return EXIT.failed;
  }
  const mode = progressMode(io, o.json);
  // Confirmed already (--yes) for several people: no preview, whose lookups the run makes again
  // (each system looks each person up as it revokes, and the results name every account): a bulk
  // is not made to spend twice its vendor calls and budget before the first revocation.
  const skipPreview = o.yes && !o.dryRun && people.length > 1;
  const looking = phaseCounter(io, mode, 'looking people up', skipPreview ? 0 : people.length);
  const previews = skipPreview
    ? []
    : await mapLimit(people, 4, async (p) => {
        const preview = await previewPerson(base.providers, systems, p);
        looking.tick();
        return preview;
      });
  looking.end();
  if (skipPreview && !o.json)
    io.err(`== ${people.length} people, confirmed with --yes: each system looks each one up as it revokes`);
  if (!skipPreview && (!o.json || o.dryRun)) {
    people.forEach((p, i) => {
      io.err(`== ${p.email ?? p.slackUserId}`);
      for (const line of previewLines(previews[i] ?? [])) io.err(`   ${line}`);
    });
  }
  if (!opened) {
    if (o.json) io.out(JSON.stringify({ dryRun: true, people, previews, notDone }, null, 2));
    io.err('Dry run: nothing was revoked.');
    return notDone.length > 0 ? EXIT.partly : EXIT.ok;
  }
  if (!o.yes) {
    if (!o.confirm) {
      io.err('Refusing to revoke without confirmation: no terminal to ask on. Re-run with --yes.');
      return EXIT.usage;
    }
    const without = notDone.length > 0 ? ' (not in Slack: it cannot be used now)' : '';
    if (
      !(await o.confirm(
        `Revoke the sessions above for ${people.length} person(s) in ${systems.join(', ')}${without}?`,
      ))
    ) {
      io.err('Cancelled; nothing was revoked.');
      return EXIT.failed;
    }
  }
  const ctx = withBase(opened, base);
  // One request for everyone (bulk): one audit trail, per-person results; the bypass of approval
  // (and a system left out) is recorded with it, in one write.
  const asked = await ctx.engine.ask({
    source: 'cli',
    requester: ctx.actor,
    people: o.targets.map(toPersonRef),
    systems,
    slackScope: o.scope,
    reason,
    origin: {},
    bypassApproval: {
      via: 'break-glass CLI',
      host: ctx.actor.name,
      ...(notDone.length > 0 ? { notDone } : {}),
    },
  });
  if (!asked.ok || asked.next !== 'run') {
    io.err(`Nothing was revoked: ${safe(asked.ok ? 'the request was not approved to run' : asked.message)}`);
    return EXIT.failed;
  }
  for (const refused of asked.refusedPeople) io.err(`Left out: ${safe(refused)}`);
  if (!o.json) io.err(`-- ${asked.request.id}: revoking for ${people.length} person(s)`);
  const { request, steps, interrupted } = await runRequest(ctx, io, asked.request, o.json);
  if (!o.json && !interrupted) {
    io.err(`   => ${request.status}: ${request.summary ?? ''}`);
    for (const { why } of notDone)
      io.err(
        `   ${systemLabel('slack').padEnd(13)} NOT DONE    ${safe(why)}: its sessions were not revoked. When Slack is back, run this again with --systems slack.`,
      );
    if (people.length > 1) io.err(`   Each person's result: revoke-sessions status ${request.id}`);
  }
  if (o.json) {
    const result = {
      id: request.id,
      status: request.status,
      summary: request.summary,
      target: request.target,
      additionalTargets: request.additionalTargets ?? [],
      steps: steps.map((s) => ({
        system: s.system,
        person: s.targetIndex,
        state: s.state,
        result: s.result,
      })),
      notDone,
      interrupted,
    };
    io.out(JSON.stringify([result], null, 2));
  }
  if (interrupted) return EXIT.interrupted;
  // Nobody found anywhere is not a success: the email may be mistyped.
  for (const p of foundNowhere(request, steps))
    io.err(
      `No account for ${safe(p.email ?? p.slackUserId)} in any system: nothing was revoked. Check the email.`,
    );
  return exitForRun(request, steps, notDone.length);
}
