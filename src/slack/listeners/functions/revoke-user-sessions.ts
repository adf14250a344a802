import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { SYSTEM_IDS } from '../../../catalog.js';
import type { JournaledAsk } from '../../../engine/engine.js';
import {
  MAX_REASON_CHARS,
  notConfiguredText,
  SLACK_USER_ID,
  unconfigured,
} from '../../../util/input-rules.js';
import { type SlackDeps, systemIds } from '../../context.js';
import { queueRecording } from '../../journaled.js';

type Args = SlackEventMiddlewareArgs<'function_executed'> & AllMiddlewareArgs;

export const STEP_CALLBACK_ID = 'revoke_user_sessions';

const userId = z.string().regex(SLACK_USER_ID, 'must be a Slack user');
const inputsSchema = z.object({
  user_id: userId,
  reason: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(MAX_REASON_CHARS, `must be under ${MAX_REASON_CHARS} characters`),
  systems: z.array(z.string()).max(10).nullish(),
  requested_by: z
    .string({ error: 'is required: fill it with "Person who used this workflow"' })
    .regex(SLACK_USER_ID, 'must be the person who used this workflow'),
});

/** The step's failure when it could not be journaled: nothing was started. */
export const NOT_JOURNALED_STEP_TEXT =
  'Nothing was revoked: the request could not be recorded right now. Run the workflow again in a moment.';

/**
 * The Workflow Builder step: validates its inputs, then journals the step as a submission in the
 * requester's name (`requested_by`) before acknowledging it — the engine's intake journal, as for
 * the form: an acknowledged step is never lost — and records it after the ack. The request always
 * needs an approver other than them; its execution id and token are kept so the step ends after
 * the decision, even across a restart. It ends in exactly one of `complete` / `fail` on every
 * path: here when its inputs are wrong; else as an outbox effect of its refusal or of the
 * request's end (see workflow-completion.ts). A step that cannot be journaled fails at once, saying
 * so (nothing was started).
 */
export function revokeUserSessionsStep(deps: SlackDeps) {
  return async ({ event, ack, fail }: Args): Promise<void> => {
    const ask = stepAsk(deps, event);
    if (typeof ask === 'string') {
      await fail({ error: ask });
      await ack();
      return;
    }
    const journaled = await deps.engine.receive(ask).then(
      (entry) => ({ entry }),
      (error: unknown) => {
        deps.logger.error(`workflow step ${event.function_execution_id} could not be journaled:`, error);
        return undefined;
      },
    );
    if (!journaled) {
      // As a form that cannot be journaled is refused in the modal: the step fails at once, saying so.
      await fail({ error: NOT_JOURNALED_STEP_TEXT });
      await ack();
      return;
    }
    await ack();
    // Undefined: Slack delivered the same step again; its first delivery is recorded.
    if (journaled.entry) queueRecording(deps, journaled.entry);
  };
}

/** What the step asks for, in the engine's terms, or why its inputs are refused (its `fail` text). */
function stepAsk(deps: SlackDeps, event: Args['event']): JournaledAsk | string {
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
  const unknown = unconfigured(wanted, enabled);
  if (unknown.length > 0 || wanted.length === 0) return notConfiguredText(unknown, enabled);
  return {
    source: 'workflow',
    requester: { kind: 'slack', id: inputs.requested_by },
    people: [{ kind: 'user', userId: inputs.user_id }],
    systems: SYSTEM_IDS.filter((s) => wanted.includes(s)),
    slackScope: 'all',
    reason: inputs.reason,
    origin: {},
    idempotencyKey: `workflow:${executionId}`,
    workflow: { functionExecutionId: executionId, botAccessToken: event.bot_access_token },
  };
}
