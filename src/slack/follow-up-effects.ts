import type { WebClient } from '@slack/web-api';
import { FOLLOW_UP } from '../engine/follow-up/effects.js';
import type { EffectHandler } from '../runtime/outbox-worker.js';
import { confirmNote, watchAlert } from './blocks/follow-up.js';
import type { SlackDeps } from './context.js';
import { postOnce } from './post-once.js';
import type { RequestOf } from './thread-effects.js';

/**
 * What the checks after a run found, told in the results thread (rendered from the store when
 * delivered, posted once): Slack's audit-log confirmations, and sessions begun after the
 * revocation with Revoke again. Without a thread the finding is in the audit log only.
 */
export function followUpEffectHandlers(
  deps: SlackDeps,
  client: () => WebClient,
  requestOf: RequestOf,
): Record<string, EffectHandler> {
  return {
    [FOLLOW_UP.confirmNote]: async (d) => {
      const request = await requestOf(d);
      if (!request.thread) return;
      const steps = (await deps.engine.steps(request.id)).filter((s) => s.system === 'slack');
      const message = confirmNote(request, steps, deps.labels('slack'));
      await postOnce(
        client(),
        deps.logger,
        d,
        { channels: [request.thread.channel], threadTs: request.thread.ts },
        message,
      );
    },
    [FOLLOW_UP.watchAlert]: async (d) => {
      const request = await requestOf(d);
      if (!request.thread) return;
      const steps = await deps.engine.steps(request.id);
      const message = watchAlert(request, steps, Number(d.effect.payload.round), (s) =>
        deps.labels(s.system),
      );
      await postOnce(
        client(),
        deps.logger,
        d,
        { channels: [request.thread.channel], threadTs: request.thread.ts },
        message,
      );
    },
  };
}
