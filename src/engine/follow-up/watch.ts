import { asRevokeError } from '../../errors.js';
import type { Session } from '../../providers/types.js';
import { listSessionsOf } from '../../providers/types.js';
import type { EngineContext } from '../context.js';
import { homePublishEffect } from '../effects.js';
import type { StepUpdate } from '../store-port/index.js';
import type { RevocationStep, WatchLook } from '../types.js';
import { watchAlertEffect } from './effects.js';
import { watchable } from './schedule.js';

/**
 * The sessions of a listing that are new since the revocation: never listed before (not left by
 * the verification, not found by an earlier look) and, where the system says when a session
 * began, begun after the vendor accepted the revocation.
 */
export function newSessions(step: RevocationStep, sessions: readonly Session[]): Session[] {
  const r = step.result ?? {};
  const known = new Set([
    ...(r.listedAfter ?? []),
    ...(r.watch ?? []).flatMap((w) => (w.found ?? []).map((s) => s.id)),
  ]);
  const since = r.acceptedAt ?? step.finishedAt;
  return sessions.filter(
    (s) => !known.has(s.id) && (!s.createdAt || !since || Date.parse(s.createdAt) > Date.parse(since)),
  );
}

/**
 * One look of the watch (REVOKE_WATCH) at a finished request's people: every system that can list
 * sessions is listed again, and a session begun after the revocation is recorded in the step, in
 * the audit log (`watch_checked`) and — with a Revoke again button — in the thread, in one write.
 * A look already recorded (a redelivery) is not repeated. Background work: its listings are in
 * the bulk lane, leaving urgent requests their share of every vendor budget.
 */
export function watchCheck(
  ctx: EngineContext,
  requestId: string,
  round: number,
  afterMs: number,
): Promise<void> {
  return ctx.inLane('bulk', () => watchCheckNow(ctx, requestId, round, afterMs));
}

async function watchCheckNow(
  ctx: EngineContext,
  requestId: string,
  round: number,
  afterMs: number,
): Promise<void> {
  const request = await ctx.store.getRequest(requestId);
  if (!request) return;
  const steps = (await ctx.store.listSteps(requestId)).filter(
    (s) => watchable(ctx, s) && !(s.result?.watch ?? []).some((w) => w.round === round),
  );
  if (steps.length === 0) return;
  const updates: StepUpdate[] = [];
  const seen: { key: string; system: string; person: number; look: WatchLook }[] = [];
  for (const step of steps) {
    const provider = ctx.providers.get(step.system);
    if (!provider || !step.account) continue;
    let look: WatchLook;
    try {
      const sessions = await listSessionsOf(provider, step.account);
      const found = newSessions(step, sessions);
      look = { round, at: ctx.iso(), listed: sessions.length, ...(found.length > 0 ? { found } : {}) };
    } catch (error) {
      look = { round, at: ctx.iso(), error: asRevokeError(error, step.system).message.slice(0, 300) };
    }
    const result = { ...step.result, watch: [...(step.result?.watch ?? []), look] };
    updates.push({ key: step.key, patch: { result } });
    seen.push({ key: step.key, system: step.system, person: step.targetIndex, look });
  }
  const found = seen.filter((s) => s.look.found?.length);
  await ctx.store.updateSteps(
    requestId,
    updates,
    {
      requestId,
      actor: 'engine',
      action: 'watch_checked',
      data: {
        round,
        afterMs,
        steps: seen.map((s) => ({
          key: s.key,
          system: s.system,
          person: s.person,
          listed: s.look.listed ?? null,
          newSessions: s.look.found ?? [],
          error: s.look.error ?? null,
        })),
      },
    },
    ctx.iso(),
    undefined,
    found.length > 0
      ? [watchAlertEffect(requestId, round), homePublishEffect(requestId, `watch:${round}`)]
      : [],
  );
  if (found.length > 0) {
    ctx.effectsWritten();
    ctx.logger.warn(
      `request ${requestId}: the watch found ${found.length} new session(s) after the revocation`,
    );
  }
}
