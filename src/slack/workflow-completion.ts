import { WebClient } from '@slack/web-api';
import type { RevocationEngine } from '../engine/engine.js';
import { ATTENTION_STATES } from '../engine/summary.js';
import type { RevocationRequest, RevocationStep } from '../engine/types.js';
import type { Logger } from '../log.js';
import { slackError } from './post-once.js';

/** What Slack answers for an execution that was ended already. */
const ENDED = ['function_execution_not_found', 'execution_not_in_running_state'];

export interface WorkflowCompletionDeps {
  /** Where the completion is recorded (with its audit record). */
  engine: Pick<RevocationEngine, 'workflowCompleted'>;
  logger: Logger;
  apiUrl: string;
}

/** The step's outputs, as declared in manifest.yml. */
export function workflowOutputs(request: RevocationRequest, steps: RevocationStep[]) {
  return {
    request_id: request.id,
    summary: request.summary ?? request.status.replace('_', ' '),
    succeeded: request.status === 'done',
    revoked_systems: steps.filter((s) => s.state === 'revoked' || s.state === 'queued').map((s) => s.system),
    failed_systems: steps.filter((s) => ATTENTION_STATES.includes(s.state)).map((s) => s.system),
  };
}

/**
 * Ends a workflow step's execution with its own short-lived token: `outputs` → completeSuccess,
 * an error text → completeError. Slack ends an execution once: after that it answers that it is
 * not found, or not running — an earlier call of ours went through (its answer lost, or the
 * process killed before recording it), or the workflow was ended otherwise. Either way there is
 * nothing left to end: answered as `already ended: …`, else undefined.
 */
export async function endStep(
  apiUrl: string,
  token: string,
  execution: string,
  end: { outputs: Record<string, unknown> } | { error: string },
): Promise<string | undefined> {
  const client = new WebClient(token, { slackApiUrl: apiUrl, retryConfig: { retries: 2 } });
  try {
    if ('outputs' in end)
      await client.functions.completeSuccess({ function_execution_id: execution, outputs: end.outputs });
    else await client.functions.completeError({ function_execution_id: execution, error: end.error });
    return undefined;
  } catch (error) {
    const code = slackError(error);
    if (!code || !ENDED.includes(code)) throw error;
    return `already ended: Slack answered ${code}`;
  }
}

/**
 * Ends a waiting Workflow Builder step exactly once: `functions.completeSuccess`
 * when the revocation ran (outputs say whether every system succeeded),
 * `functions.completeError` when it was denied, expired or failed everywhere.
 * Uses the function's own short-lived token, then forgets it.
 */
export async function completeWorkflow(
  deps: WorkflowCompletionDeps,
  request: RevocationRequest,
  steps: RevocationStep[],
): Promise<void> {
  const link = request.workflow;
  if (!link || link.completedAt || !link.botAccessToken) return;
  const execution = link.functionExecutionId;
  const failed = request.status === 'denied' || request.status === 'expired' || request.status === 'failed';
  const why =
    request.status === 'denied'
      ? `The revocation was denied${request.decidedBy ? ` by ${request.decidedBy}` : ''}; nothing was revoked.`
      : request.status === 'expired'
        ? request.decidedBy === 'system' && request.decisionNote
          ? `The request was closed: ${request.decisionNote}; nothing was revoked.`
          : 'The revocation expired without an approval; nothing was revoked.'
        : `The revocation failed in every system (${request.summary ?? 'see the results thread'}).`;
  const ended = await endStep(
    deps.apiUrl,
    link.botAccessToken,
    execution,
    failed ? { error: `${why} Request ${request.id}.` } : { outputs: workflowOutputs(request, steps) },
  );
  const outcome = failed ? 'failed' : 'completed';
  await deps.engine.workflowCompleted(request.id, execution, ended ? `${outcome} (${ended})` : outcome);
}
