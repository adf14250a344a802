import { enabledSystems } from '../../config.js';
import { resolvePerson } from '../../engine/people.js';
import { previewPerson } from '../../engine/plan.js';
import { ATTENTION_STATES } from '../../engine/summary.js';
import type { Actor } from '../../engine/types.js';
import type { SystemId } from '../../providers/registry.js';
import { auditVerifyCommand } from '../commands/audit-log.js';
import type { CliContext } from '../context.js';
import { type Io, previewLines, safe, stepLine } from '../output.js';
import { DEMO_PEOPLE } from './world.js';

const bob: Actor = { kind: 'slack', id: DEMO_PEOPLE.bob.slackUserId, name: 'bob' };
const carol: Actor = { kind: 'slack', id: DEMO_PEOPLE.carol.slackUserId, name: 'carol' };
export const DEMO_REASON = 'Laptop stolen at the airport; ticket SEC-1234';

/** What the walk-through showed; `ok` when every system ended or queued the sessions and the audit log verified. */
export interface WalkthroughResult {
  ok: boolean;
  requestId: string;
  /** `audit verify` found the hash chain intact. */
  auditOk: boolean;
}

/**
 * One request for alice, end to end through the real engine over the demo world: the preview the
 * form shows, the request, the four-eyes rule (bob may not approve his own request), carol's
 * approval, the run (identity providers first), each system listed again, and `audit verify`.
 */
export async function walkthrough(ctx: CliContext, io: Io): Promise<WalkthroughResult> {
  const label = (s: SystemId) => ctx.providers.get(s)?.label ?? s;
  const systems = enabledSystems(ctx.config);
  const found = await resolvePerson(
    ctx.directory,
    { kind: 'user', userId: DEMO_PEOPLE.alice.slackUserId },
    false,
  );
  if (!found.ok) throw new Error(found.message);
  const alice = found.person;

  io.out('\n2. Preview — what bob sees in the form before anything happens (each system asked by email):');
  for (const line of previewLines(await ctx.engine.preview(bob, alice, systems))) io.out(`   ${line}`);

  io.out(`\n3. Request — bob asks to end alice's sessions everywhere: "${DEMO_REASON}"`);
  const asked = await ctx.engine.ask({
    source: 'slash_command',
    requester: bob,
    people: [{ kind: 'user', userId: DEMO_PEOPLE.alice.slackUserId }],
    systems,
    slackScope: 'all',
    reason: DEMO_REASON,
    origin: {},
  });
  if (!asked.ok) throw new Error(`the request was refused: ${asked.message}`);
  const { request } = asked;
  io.out(
    `   recorded ${request.id}: ${request.status}${request.plan?.approvalReason ? ` (${safe(request.plan.approvalReason)})` : ''}`,
  );
  const own = await ctx.engine.decide(request.id, bob, 'approve');
  io.out(
    `   bob approves his own request: ${own.ok ? 'ACCEPTED (unexpected)' : `refused — ${safe(own.reason)}`}`,
  );
  const approved = await ctx.engine.decide(request.id, carol, 'approve');
  if (!approved.ok) throw new Error(`carol's approval was refused: ${approved.reason}`);
  io.out(`   carol approves: ${approved.request.status}`);

  io.out('\n4. Revocation — identity providers first, then the systems behind them:');
  const final = await ctx.engine.run(request.id, {
    requestStarted: async () => undefined,
    stepFinished: async (r, step) => io.out(`   ${stepLine(step, label(step.system), r)}`),
    requestFinished: async (r) => io.out(`   => ${r.status}: ${r.summary ?? ''}`),
  });
  const steps = await ctx.engine.steps(request.id);

  const unlisted = systems.filter((s) => !ctx.providers.get(s)?.capabilities.listSessions).map(label);
  io.out(
    `\n5. Verification — each system asked again for alice${unlisted.length ? ` (${unlisted.join(', ')}: no session list to check)` : ''}:`,
  );
  for (const line of previewLines(await previewPerson(ctx.providers, systems, alice))) io.out(`   ${line}`);

  io.out('\n6. Audit log — `revoke-sessions audit verify` on the same store:');
  const lines: string[] = [];
  const audit = await auditVerifyCommand(
    ctx,
    { out: (l) => lines.push(l), err: (l) => lines.push(l) },
    false,
  );
  for (const line of lines.join('\n').split('\n')) io.out(`   ${line}`);

  const clean =
    final?.status === 'done' &&
    steps.length === systems.length &&
    steps.every((s) => !ATTENTION_STATES.includes(s.state));
  return { ok: clean && audit === 0, requestId: request.id, auditOk: audit === 0 };
}
