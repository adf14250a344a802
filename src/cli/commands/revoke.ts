import { createInterface } from 'node:readline/promises';
import type { SystemId } from '../../config.js';
import { previewPerson } from '../../engine/plan.js';
import { ATTENTION_STATES } from '../../engine/summary.js';
import { allTargets, type RevocationRequest, type RevocationStep } from '../../engine/types.js';
import type { Person, SlackScope } from '../../providers/types.js';
import { mapLimit } from '../../util/limit.js';
import { type CliBase, type CliContext, configuredSystems, resolvePerson, toPersonRef } from '../context.js';
import { type Io, previewLines, safe, stepLine } from '../output.js';
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
 * store and audit log, recorded as the local OS user with the reason.
 */
export async function revokeCommand(base: CliBase, io: Io, o: RevokeOptions): Promise<number> {
  const problem = reasonProblem(o.reason);
  if (problem) {
    io.err(problem);
    return 2;
  }
  const reason = o.reason?.trim() ?? '';
  const enabled = configuredSystems(base);
  const systems = o.systems ?? enabled;
  const unknown = systems.filter((s) => !enabled.includes(s));
  if (unknown.length > 0) {
    io.err(`Not configured here: ${unknown.join(', ')}. Configured: ${enabled.join(', ') || 'none'}.`);
    return 2;
  }
  if (o.yes === false && o.dryRun === false && !o.confirm) {
    io.err('Refusing to revoke without confirmation: no terminal to ask on. Re-run with --yes.');
    return 2;
  }
  // Opened before any vendor is asked: a store that cannot be used stops the run before it starts.
  // A dry run writes nothing, so it needs none.
  const ctx = o.dryRun ? undefined : await o.openStore();
  // Bounded like the engine (vendors rate-limit): a long list of people never becomes a burst of calls.
  const people: Person[] = await mapLimit(o.targets, 4, (ref) => resolvePerson(base, ref));
  const previews = await mapLimit(people, 4, (p) => previewPerson(base.providers, systems, p));
  if (!o.json || o.dryRun) {
    people.forEach((p, i) => {
      io.err(`== ${p.email ?? p.slackUserId}`);
      for (const line of previewLines(previews[i] ?? [])) io.err(`   ${line}`);
    });
  }
  if (!ctx) {
    if (o.json) io.out(JSON.stringify({ dryRun: true, people, previews }, null, 2));
    io.err('Dry run: nothing was revoked.');
    return 0;
  }
  if (!o.yes) {
    if (!o.confirm) {
      io.err('Refusing to revoke without confirmation: no terminal to ask on. Re-run with --yes.');
      return 2;
    }
    if (
      !(await o.confirm(`Revoke the sessions above for ${people.length} person(s) in ${systems.join(', ')}?`))
    ) {
      io.err('Cancelled; nothing was revoked.');
      return 1;
    }
  }
  const results: { request: RevocationRequest; steps: RevocationStep[] }[] = [];
  // One request for everyone (bulk): one audit trail, per-person results; the bypass of approval
  // is recorded with it, in one write.
  const asked = await ctx.engine.ask({
    source: 'cli',
    requester: ctx.actor,
    people: o.targets.map(toPersonRef),
    systems,
    slackScope: o.scope,
    reason,
    origin: {},
    bypassApproval: { via: 'break-glass CLI', host: ctx.actor.name },
  });
  if (!asked.ok || asked.next !== 'run') {
    io.err(`Nothing was revoked: ${safe(asked.ok ? 'the request was not approved to run' : asked.message)}`);
    return 1;
  }
  for (const refused of asked.refusedPeople) io.err(`Left out: ${safe(refused)}`);
  const { request } = asked;
  const label = (s: SystemId) => ctx.providers.get(s)?.label ?? s;
  const who = (i: number) => {
    const p = i === 0 ? request.target : request.additionalTargets?.[i - 1];
    return p?.email ?? p?.slackUserId ?? '?';
  };
  const final = await ctx.engine.run(request.id, {
    requestStarted: async () => {
      io.err(`-- ${request.id}: revoking for ${people.length} person(s)`);
      return undefined;
    },
    stepFinished: async (_r, step) =>
      io.err(
        `   ${people.length > 1 ? `${safe(who(step.targetIndex))}  ` : ''}${stepLine(step, label(step.system), request)}`,
      ),
    requestFinished: async (r) => io.err(`   => ${r.status}: ${r.summary ?? ''}`),
  });
  const steps = await ctx.store.listSteps(request.id);
  results.push({ request: final ?? request, steps });
  if (o.json) {
    io.out(
      JSON.stringify(
        results.map((r) => ({
          id: r.request.id,
          status: r.request.status,
          summary: r.request.summary,
          target: r.request.target,
          additionalTargets: r.request.additionalTargets ?? [],
          steps: r.steps.map((s) => ({
            system: s.system,
            person: s.targetIndex,
            state: s.state,
            result: s.result,
          })),
        })),
        null,
        2,
      ),
    );
  }
  const failed = results.some((r) => r.steps.some((s) => ATTENTION_STATES.includes(s.state)));
  // Nobody found anywhere is not a success: the email may be mistyped.
  const nowhere = results.flatMap(({ request, steps }) =>
    allTargets(request).filter((_, i) => {
      const mine = steps.filter((s) => s.targetIndex === i);
      return mine.length > 0 && mine.every((s) => s.state === 'no_account');
    }),
  );
  for (const p of nowhere)
    io.err(
      `No account for ${safe(p.email ?? p.slackUserId)} in any system: nothing was revoked. Check the email.`,
    );
  return failed || nowhere.length > 0 ? 1 : 0;
}
