import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { SYSTEM_IDS } from '../../../config.js';
import type { RevocationRequest } from '../../../engine/types.js';
import { asRevokeError } from '../../../errors.js';
import { type SlackDeps, systemIds } from '../../context.js';

type Args = SlackEventMiddlewareArgs<'function_executed'> & AllMiddlewareArgs;

export const STEP_CALLBACK_ID = 'revoke_user_sessions';

const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user');
const inputsSchema = z.object({
  user_id: userId,
  reason: z.string().trim().min(1, 'is required').max(1000, 'must be under 1,000 characters'),
  systems: z.array(z.string()).max(10).nullish(),
  requested_by: z
    .string({ error: 'is required: fill it with "Person who used this workflow"' })
    .regex(/^[UW][A-Z0-9]{2,}$/, 'must be the person who used this workflow'),
});

/** Why the step stops before anything is recorded; its message goes to `fail`. */
class StepRefused extends Error {}

/**
 * The Workflow Builder step: validates its inputs, checks that the person who ran the workflow
 * (`requested_by`) may request, records a request in their name that always needs an approver
 * other than them (persisting the execution id and its token so the step completes after
 * approval, even across a restart), and posts the approval card. It ends in exactly one of
 * `complete` / `fail` on every path: here when it cannot go on, else when the request ends
 * (see workflow-completion.ts).
 */
export function revokeUserSessionsStep(deps: SlackDeps) {
  return async (args: Args): Promise<void> => {
    // Bolt has acked the event; the step's work waits its turn in the queue (never refused).
    deps.background.enqueue({
      kind: 'workflow.step',
      name: `workflow step ${args.event.function_execution_id}`,
      task: () => runStep(deps, args),
    });
  };
}

/** The step's work after the ack: ends in exactly one of `complete` / `fail` (see above). */
async function runStep(deps: SlackDeps, { event, fail }: Args): Promise<void> {
  let recorded: RevocationRequest | undefined;
  try {
    const outcome = await record(deps, event, (r) => {
      recorded = r;
    });
    if (outcome === 'waiting') return;
    throw new StepRefused(outcome);
  } catch (error) {
    const message =
      error instanceof StepRefused
        ? error.message
        : `Nothing was revoked: the request could not be recorded or posted (${asRevokeError(error).message}).`;
    if (!(error instanceof StepRefused)) deps.logger.error('workflow step failed:', error);
    if (recorded) {
      // Recorded but not posted: close it so nobody can approve a step that already failed.
      await deps.engine.withdraw(recorded.id, 'the workflow step could not post its approval card');
      await deps.engine
        .workflowCompleted(recorded.id, event.function_execution_id, 'failed')
        .catch((e: unknown) => deps.logger.warn('could not forget the workflow token:', e));
    }
    await fail({ error: message });
  }
}

/**
 * Everything before the wait for an approver. Resolves `waiting` once the request (and, with it,
 * its approval card in the outbox) is recorded, or when Slack delivered the same event twice; else
 * with the reason to fail the step.
 */
async function record(
  deps: SlackDeps,
  event: Args['event'],
  onRecorded: (request: RevocationRequest) => void,
): Promise<'waiting' | string> {
  const parsed = inputsSchema.safeParse(event.inputs ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `Input ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}.`;
  }
  const inputs = parsed.data;
  const executionId = event.function_execution_id;
  const enabled = systemIds(deps);
  const wanted =
    inputs.systems && inputs.systems.length > 0 ? inputs.systems.map((s) => s.trim().toLowerCase()) : enabled;
  const unknown = wanted.filter((s) => !enabled.includes(s as (typeof SYSTEM_IDS)[number]));
  if (unknown.length > 0 || wanted.length === 0) {
    return `Systems not configured here: ${unknown.join(', ') || 'none given'}. Configured: ${enabled.join(', ') || 'none'}.`;
  }
  const asked = await deps.engine.ask({
    source: 'workflow',
    requester: { kind: 'slack', id: inputs.requested_by },
    people: [{ kind: 'user', userId: inputs.user_id }],
    systems: SYSTEM_IDS.filter((s) => wanted.includes(s)),
    slackScope: 'all',
    reason: inputs.reason,
    origin: {},
    idempotencyKey: `workflow:${executionId}`,
    workflow: { functionExecutionId: executionId, botAccessToken: event.bot_access_token },
  });
  if (!asked.ok) return `Nothing was revoked: ${asked.message}`;
  if (!asked.created) return 'waiting'; // Slack retried the event; the first delivery is being handled
  onRecorded(asked.request);
  // The approval card is an outbox effect of the request's write; if no channel accepts it, the
  // request is withdrawn and this step fails (another effect of that write).
  return 'waiting';
}
