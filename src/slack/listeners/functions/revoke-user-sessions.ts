import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { SYSTEM_IDS } from '../../../config.js';
import { previewPerson } from '../../../engine/plan.js';
import { asRevokeError } from '../../../errors.js';
import { postApprovalCard } from '../../approval-flow.js';
import { type SlackDeps, startRun, systemIds } from '../../context.js';
import { resolveTarget } from '../../targets.js';

type Args = SlackEventMiddlewareArgs<'function_executed'> & AllMiddlewareArgs;

export const STEP_CALLBACK_ID = 'revoke_user_sessions';

const inputsSchema = z.object({
  user_id: z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user'),
  reason: z.string().trim().min(1, 'is required').max(1000, 'must be under 1,000 characters'),
  systems: z.array(z.string()).max(10).nullish(),
});

/**
 * The Workflow Builder step: validates its inputs, records a request that
 * always needs approval (persisting the execution id and its token so the step
 * completes after approval, even across a restart), and posts the approval
 * card. Completion happens when the request ends (see workflow-completion.ts).
 */
export function revokeUserSessionsStep(deps: SlackDeps) {
  return async ({ event, client, fail }: Args): Promise<void> => {
    const parsed = inputsSchema.safeParse(event.inputs ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      await fail({ error: `Input ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}.` });
      return;
    }
    const inputs = parsed.data;
    const enabled = systemIds(deps);
    const wanted =
      inputs.systems && inputs.systems.length > 0
        ? inputs.systems.map((s) => s.trim().toLowerCase())
        : enabled;
    const unknown = wanted.filter((s) => !enabled.includes(s as (typeof SYSTEM_IDS)[number]));
    if (unknown.length > 0 || wanted.length === 0) {
      await fail({
        error: `Systems not configured here: ${unknown.join(', ') || 'none given'}. Configured: ${enabled.join(', ') || 'none'}.`,
      });
      return;
    }
    let target: Awaited<ReturnType<typeof resolveTarget>>;
    try {
      target = await resolveTarget(deps.directory, { kind: 'user', userId: inputs.user_id });
    } catch (error) {
      await fail({ error: `Could not look the person up in Slack: ${asRevokeError(error).message}` });
      return;
    }
    if (!target.ok) {
      await fail({ error: `Nothing was revoked: ${target.message}` });
      return;
    }
    const systems = SYSTEM_IDS.filter((s) => wanted.includes(s));
    const why =
      (await deps.approvals.approvalReason('workflow', target.person)) ?? 'workflow requests need approval';
    const executionId = event.function_execution_id;
    const { request, created } = await deps.engine.submit(
      {
        source: 'workflow',
        requester: { kind: 'workflow', id: executionId, name: 'Workflow Builder step' },
        target: target.person,
        systems,
        slackScope: 'all',
        reason: inputs.reason,
        origin: {},
      },
      {
        needsApproval: true,
        approvalReason: why,
        ttlMs: deps.config.approvalTtlMs,
        idempotencyKey: `workflow:${executionId}`,
        workflow: { functionExecutionId: executionId, botAccessToken: event.bot_access_token },
      },
    );
    if (!created) return; // Slack retried the event; the first delivery is being handled
    if (request.status === 'approved') {
      startRun(deps, request);
      return;
    }
    const previews = await previewPerson(deps.engine.providers, systems, target.person);
    await postApprovalCard(deps, client, request, previews, why);
  };
}
