import type { WebClient } from '@slack/web-api';
import type { SystemId } from '../catalog.js';
import { EFFECT } from '../engine/effects.js';
import type { RevocationRequest, RevocationStep, ThreadRef } from '../engine/types.js';
import { type EffectHandler, PermanentEffectError } from '../runtime/outbox-worker.js';
import { parentMessage } from './blocks/results.js';
import { stepReply, systemSummaryReply } from './blocks/step-replies.js';
import type { SlackDeps } from './context.js';
import { destinations, postOnce } from './post-once.js';

/** Reads the request an effect follows (failing for good when it is gone). */
export type RequestOf = (d: Parameters<EffectHandler>[0]) => Promise<RevocationRequest>;

/**
 * The results thread, delivered from the outbox: one parent per run (posted once, or the approval
 * card it already has), one reply per system (per person and system for one person; per system
 * for a bulk), the parent redrawn as the run stands. Each renders from the store when delivered,
 * so a redraw is never stale and a retry shows the latest state; posts are made once (see
 * `postOnce`). Without a thread (no channel took its parent) the replies have nowhere to go: the
 * results are in the audit log, and they are done with nothing posted.
 */
export function threadEffectHandlers(
  deps: SlackDeps,
  client: () => WebClient,
  requestOf: RequestOf,
): Record<string, EffectHandler> {
  const redraw = async (thread: ThreadRef, request: RevocationRequest, steps?: RevocationStep[]) => {
    const message = parentMessage(request, steps ?? (await deps.engine.steps(request.id)), deps.labels);
    await client().chat.update({ channel: thread.channel, ts: thread.ts, ...message } as never);
  };
  const reply = async (
    d: Parameters<EffectHandler>[0],
    thread: ThreadRef,
    message: { text: string; blocks: unknown[] },
  ) => {
    await postOnce(client(), deps.logger, d, { channels: [thread.channel], threadTs: thread.ts }, message);
  };
  return {
    [EFFECT.threadParent]: async (d) => {
      const request = await requestOf(d);
      const existing = request.thread ?? request.approvalCard;
      if (existing) {
        // A resumed run's thread, or the approval card, which becomes the results parent.
        if (!request.thread) await deps.engine.threadPosted(request.id, existing);
        await redraw(existing, request);
        return;
      }
      const channels = destinations(request, deps.config.approvalChannel);
      if (channels.length === 0) {
        // A CLI or API request with no approval channel configured: nowhere to show it.
        deps.logger.info(
          `request ${request.id} has no Slack channel for its results; they are in the audit log`,
        );
        return;
      }
      const steps = await deps.engine.steps(request.id);
      const posted = await postOnce(
        client(),
        deps.logger,
        d,
        { channels },
        parentMessage(request, steps, deps.labels),
      );
      if (posted) await deps.engine.threadPosted(request.id, posted);
      else
        deps.logger.error(
          `request ${request.id}: no channel accepted the results thread; results are in the audit log`,
        );
    },
    [EFFECT.stepReply]: async (d) => {
      const request = await requestOf(d);
      if (!request.thread) return;
      const steps = await deps.engine.steps(request.id);
      const step = steps.find((s) => s.key === d.effect.payload.step);
      if (!step)
        throw new PermanentEffectError(`request ${request.id} has no step ${String(d.effect.payload.step)}`);
      await reply(d, request.thread, stepReply(request, step, deps.labels(step.system)));
      await redraw(request.thread, request, steps);
    },
    [EFFECT.systemSummary]: async (d) => {
      const request = await requestOf(d);
      if (!request.thread) return;
      const system = d.effect.payload.system as SystemId;
      const steps = await deps.engine.steps(request.id);
      await reply(d, request.thread, systemSummaryReply(request, system, steps, deps.labels(system)));
    },
    [EFFECT.threadRedraw]: async (d) => {
      const request = await requestOf(d);
      if (request.thread) await redraw(request.thread, request);
    },
  };
}
