import type { EngineContext } from '../context.js';
import type { NewEffect } from '../store-port/index.js';
import type { RevocationRequest, RevocationStep, StepResult, StepState } from '../types.js';
import { slackConfirmEffect, watchCheckEffect } from './effects.js';
import type { FollowUpSettings } from './settings.js';

/** A step whose revocation a vendor accepted: there is something to confirm and to watch. */
const ACCEPTED: readonly StepState[] = ['revoked', 'queued', 'partial'];

/**
 * A Slack step's confirmation as it finishes: a reset (`reset` / `resetBulk`, not chosen
 * sessions) awaits Slack's audit log when SLACK_AUDIT_TOKEN is set; without it, the reply says
 * how to turn confirmation on.
 */
export function slackConfirmation(
  settings: FollowUpSettings | undefined,
  request: Pick<RevocationRequest, 'selection'>,
  step: Pick<RevocationStep, 'system'>,
  state: StepState,
  result: StepResult,
): StepResult {
  if (step.system !== 'slack' || request.selection?.slack || !result.acceptedAt || !ACCEPTED.includes(state))
    return result;
  return { ...result, confirmation: settings?.slackAudit ? 'awaiting' : 'unavailable' };
}

/** Whether the watch can look at this step again: its system lists sessions and it was revoked. */
export function watchable(ctx: EngineContext, step: RevocationStep): boolean {
  return (
    ACCEPTED.includes(step.state) &&
    step.account !== undefined &&
    ctx.providers.get(step.system)?.capabilities.listSessions === true
  );
}

/**
 * The checks a finished run schedules, written with run_finished: the first look at Slack's
 * audit log (each look schedules the next until the window closes), and every look of the watch.
 */
export function followUpEffects(
  ctx: EngineContext,
  request: RevocationRequest,
  steps: readonly RevocationStep[],
): NewEffect[] {
  const settings = ctx.deps.followUp;
  if (!settings) return [];
  const effects: NewEffect[] = [];
  const audit = settings.slackAudit;
  if (audit && steps.some((s) => s.result?.confirmation === 'awaiting'))
    effects.push(
      slackConfirmEffect(request.id, 0, ctx.iso(audit.windowMs), ctx.iso(audit.firstCheckMs ?? 30_000)),
    );
  if (steps.some((s) => watchable(ctx, s)))
    settings.watchMs.forEach((ms, round) => {
      effects.push(watchCheckEffect(request.id, round, ms, ctx.iso(ms)));
    });
  return effects;
}
