import { logFields } from '../log.js';
import type { Person } from '../providers/types.js';
import { containEvents } from './containment.js';
import type { EngineContext } from './context.js';
import { stepReplyEffect } from './effects.js';
import { slackConfirmation } from './follow-up/schedule.js';
import { type FencedWrites, RunStopped } from './lease.js';
import { sessionRevokedEffects } from './signal-effects.js';
import { type BulkPhase, runProviderStep } from './step.js';
import type { NewAuditRecord } from './store-port/index.js';
import { FINAL_STEP_STATES, type RevocationRequest, type RevocationStep } from './types.js';

/**
 * Runs one system's step for one person, recording its start (with step_started) before the first
 * vendor call and its outcome (with step_finished, and session_not_owned for refused chosen
 * sessions) after — each in one write, fenced by the run's lease. A step already in a final state
 * is returned as is (never repeated). Throws `LeaseLost` (having written nothing more) when
 * the run lost its lease: checked before the vendor calls, and the writes are fenced.
 */
export async function runStep(
  ctx: EngineContext,
  store: FencedWrites,
  sleep: (ms: number) => Promise<void>,
  request: RevocationRequest,
  step: RevocationStep,
  person: Person,
  bulk?: BulkPhase,
): Promise<RevocationStep> {
  if (FINAL_STEP_STATES.includes(step.state)) return step;
  const system = step.system;
  const provider = ctx.providers.get(system);
  // A bulk phase already recorded this attempt as running before its external call.
  const interrupted = step.state === 'running' && !bulk?.started;
  const attempts = bulk?.started ? step.attempts : step.attempts + 1;
  const startedAt = bulk?.started ?? ctx.iso();
  if (!bulk?.started) {
    // The step's start and its step_started record are one write.
    await store.updateSteps(
      request.id,
      [{ key: step.key, patch: { state: 'running', attempts, startedAt } }],
      {
        requestId: request.id,
        actor: 'engine',
        action: 'step_started',
        data: { system, person: step.targetIndex, attempts, interrupted },
      },
      startedAt,
    );
  }
  // The last look at the lease before this step's vendor calls (each attempt is checked too).
  store.lease.check();
  const outcome = provider
    ? await runProviderStep(
        {
          logger: ctx.logger,
          sleep,
          verifyRecheckMs: ctx.deps.verifyRecheckMs ?? 2_000,
          now: () => ctx.iso(),
          stopped: () => store.lease.lost,
        },
        provider,
        request,
        person,
        interrupted,
        bulk,
      )
    : {
        state: 'failed' as const,
        result: {
          error: { code: 'not_configured', message: `${system} is no longer configured on this server.` },
        },
        account: undefined,
      };
  const finishedAt = ctx.iso();
  const { state, account } = outcome;
  const result = slackConfirmation(ctx.deps.followUp, request, step, state, outcome.result);
  // Told to stop meanwhile: a failure may be a call the run refused to send, so the step is left
  // unfinished (the next runner re-checks it; a real failure is simply tried again there).
  if (state === 'failed' && store.lease.stopped)
    throw new RunStopped(request.id, 'a call was refused: the run was told to stop');
  // The outcome and its audit record are written together: a crash cannot leave a finished step unaudited.
  const records: NewAuditRecord[] = [];
  if (result.refusedSessions?.length) {
    // Chosen sessions this account does not own (now): refused, and the attempt is on record.
    records.push({
      requestId: request.id,
      actor: 'engine',
      action: 'session_not_owned',
      data: {
        system,
        person: step.targetIndex,
        account: account ? { id: account.id, login: account.login } : null,
        sessionIds: result.refusedSessions,
        requestedBy: `${request.requester.kind}:${request.requester.id}`,
      },
    });
  }
  records.push({
    requestId: request.id,
    actor: 'engine',
    action: 'step_finished',
    data: {
      system,
      person: step.targetIndex,
      state,
      account: account ? { id: account.id, login: account.login } : null,
      result,
    },
  });
  await store.finishStep(
    request.id,
    step.key,
    { state, result, finishedAt, ...(account ? { account } : {}) },
    records,
    finishedAt,
    // A one-person request's reply in the results thread follows the outcome's own write (a bulk's
    // replies are one per system, written by the runner as each system completes); so does the
    // Shared Signals event that tells the rest of the estate.
    [
      ...(request.additionalTargets?.length ? [] : [stepReplyEffect(request.id, step.key)]),
      ...sessionRevokedEffects(ctx, request.id, [{ key: step.key, state }]),
    ],
  );
  ctx.effectsWritten();
  const finished = { ...step, state, attempts, result, account, startedAt, finishedAt };
  // A Slack reset awaiting its audit log is confirmed there (its listing covers only some workspaces).
  ctx.contained(
    containEvents(request, finished).filter(
      (e) => e.stage === 'accepted' || result.confirmation !== 'awaiting',
    ),
  );
  ctx.logger.info(
    `request ${request.id}: ${step.key} ${state}${result.error ? ` — ${result.error.code}: ${result.error.message}` : ''}`,
    logFields({ request_id: request.id, system: step.system }),
  );
  return finished;
}
