import { asRevokeError, ErrorCode } from '../../errors.js';
import type { ResetRecord } from '../../providers/slack-admin/audit-logs.js';
import { formatDuration } from '../../util/duration.js';
import { approvedAt, containEvents } from '../containment.js';
import type { EngineContext } from '../context.js';
import { homePublishEffect, threadRedrawEffect } from '../effects.js';
import type { StepUpdate } from '../store-port/index.js';
import { finalStatus, summarize } from '../summary.js';
import type { RevocationRequest, RevocationStep, StepResult, StepState } from '../types.js';
import { confirmNoteEffect, slackConfirmEffect } from './effects.js';

/** Slack's audit log may lag the reset and clocks differ: the look starts this long before approval. */
const LOOK_BACK_MS = 5 * 60_000;

/** What one person's reset came to, per Slack's audit log (the latest entry naming them). */
function latestFor(records: readonly ResetRecord[], userId: string): ResetRecord | undefined {
  let latest: ResetRecord | undefined;
  for (const r of records) if (r.userId === userId && (!latest || r.at >= latest.at)) latest = r;
  return latest;
}

/** A step once Slack's audit log spoke (or the window closed without it). */
function settled(
  step: RevocationStep,
  record: ResetRecord | undefined,
  windowText: string | undefined,
): { state: StepState; result: StepResult } | undefined {
  const result = step.result ?? {};
  if (record?.outcome === 'succeeded')
    return {
      // A queued bulk job is done once Slack says so; a listing that still showed sessions stays partial.
      state: step.state === 'queued' ? 'revoked' : step.state,
      result: {
        ...result,
        confirmation: undefined,
        confirmationNote: undefined,
        confirmedAt: record.at,
        confirmedBy: 'slack_audit_log',
        confirmationRef: record.entryId,
      },
    };
  if (record?.outcome === 'failed')
    return {
      state: step.state === 'queued' ? 'failed' : 'partial',
      result: {
        ...result,
        confirmation: 'failed',
        confirmationNote: `Slack's audit log reports the reset failed for this person (${record.action})`,
        confirmationRef: record.entryId,
        confirmedAt: undefined,
        confirmedBy: undefined,
      },
    };
  if (windowText)
    return {
      state: step.state,
      result: {
        ...result,
        confirmation: 'not_confirmed',
        confirmationNote: `not confirmed by Slack within ${windowText}`,
      },
    };
  return undefined;
}

/**
 * One look at Slack's audit log for a request's resets (the `slack_confirm` effect): each Slack
 * step awaiting confirmation becomes confirmed (with the time Slack did it), failed for the
 * person, or — once the window closed — not confirmed. The steps, their audit record, the thread's
 * note and the next look are one write; the request's status follows what Slack said.
 */
export async function confirmSlackResets(
  ctx: EngineContext,
  requestId: string,
  round: number,
  until: string,
): Promise<void> {
  const audit = ctx.deps.followUp?.slackAudit;
  const request = await ctx.store.getRequest(requestId);
  if (!audit || !request) return;
  const steps = await ctx.store.listSteps(requestId);
  const awaiting = steps.filter((s) => s.result?.confirmation === 'awaiting' && s.account);
  // Nothing left to look for (a redelivery after the steps were written): the status still follows.
  if (awaiting.length === 0) return reviseStatus(ctx, request);
  const now = ctx.now();
  let records: ResetRecord[];
  let refused: string | undefined;
  try {
    records = await audit.reader.resets(new Date(Date.parse(approvedAt(request)) - LOOK_BACK_MS), now);
  } catch (error) {
    // A token Slack refuses will not work on the next look either: say so instead of waiting.
    const e = asRevokeError(error, 'slack');
    if (e.code !== ErrorCode.VendorAuth) throw error;
    records = [];
    refused = `not confirmed: Slack's Audit Logs API refused SLACK_AUDIT_TOKEN (${e.vendorCode ?? 'auth'}); it must be an org owner's token with auditlogs:read`;
  }
  const closed = refused !== undefined || now.toISOString() >= until;
  const windowText = closed ? formatWindow(audit.windowMs) : undefined;
  const updates: StepUpdate[] = [];
  const changed: RevocationStep[] = [];
  for (const step of awaiting) {
    const found = settled(step, latestFor(records, step.account?.id ?? ''), windowText);
    const next =
      found && refused
        ? {
            ...found,
            result: { ...found.result, confirmation: 'unavailable' as const, confirmationNote: refused },
          }
        : found;
    if (!next) continue;
    updates.push({ key: step.key, patch: next });
    changed.push({ ...step, ...next });
  }
  const again = awaiting.length > changed.length && !closed;
  const effects = [
    ...(changed.length > 0
      ? [
          confirmNoteEffect(requestId, round),
          threadRedrawEffect(requestId, `confirm:${round}`),
          homePublishEffect(requestId, `confirm:${round}`),
        ]
      : []),
    ...(again ? [slackConfirmEffect(requestId, round + 1, until, ctx.iso(audit.everyMs ?? 60_000))] : []),
  ];
  const record = {
    requestId,
    actor: 'engine',
    action: 'slack_reset_confirmation',
    data: {
      round,
      looked: awaiting.length,
      steps: changed.map((s) => ({
        key: s.key,
        person: s.targetIndex,
        state: s.state,
        confirmation: s.result?.confirmation ?? 'confirmed',
        confirmedAt: s.result?.confirmedAt ?? null,
        entry: s.result?.confirmationRef ?? null,
      })),
    },
  };
  await ctx.store.updateSteps(
    requestId,
    updates,
    changed.length > 0 ? record : undefined,
    ctx.iso(),
    undefined,
    effects,
  );
  ctx.effectsWritten();
  for (const step of changed)
    ctx.contained(containEvents(request, step).filter((e) => e.stage === 'confirmed'));
  if (changed.length > 0) await reviseStatus(ctx, request);
}

/** "15 min", "1 h": the window as the thread says it. */
function formatWindow(ms: number): string {
  const text = formatDuration(ms);
  return text.endsWith('m')
    ? `${text.slice(0, -1)} min`
    : text.endsWith('h')
      ? `${text.slice(0, -1)} h`
      : text;
}

/** A finished request's status and summary once its steps changed after the run (compare-and-set). */
async function reviseStatus(ctx: EngineContext, request: RevocationRequest): Promise<void> {
  const steps = await ctx.store.listSteps(request.id);
  const status = finalStatus(steps);
  const summary = summarize(steps);
  if (status === request.status && summary === request.summary) return;
  await ctx.store.updateRequest(
    request.id,
    { status, summary },
    ctx.iso(),
    ['done', 'partially_failed', 'failed'],
    {
      requestId: request.id,
      actor: 'engine',
      action: 'status_revised',
      data: { from: request.status, status, summary, why: 'vendor confirmation' },
    },
  );
}
