import { z } from 'zod';
import { FOLLOW_UP } from '../engine/follow-up/effects.js';
import type { EffectHandler } from './outbox-worker.js';
import { PermanentEffectError } from './outbox-worker.js';

/** What the scheduled checks need of the engine. */
export interface FollowUpEngine {
  confirmSlackResets(requestId: string, round: number, until: string): Promise<void>;
  watchCheck(requestId: string, round: number, afterMs: number): Promise<void>;
}

const confirmPayload = z.object({ request: z.string(), round: z.number().int().min(0), until: z.string() });
const watchPayload = z.object({ request: z.string(), round: z.number().int().min(0), afterMs: z.number() });

function parse<T>(schema: z.ZodType<T>, payload: unknown, kind: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new PermanentEffectError(`${kind}: malformed payload`);
  return parsed.data;
}

/**
 * The scheduled checks after a run, delivered by the outbox at their time (a restart or another
 * replica keeps the schedule: it is in the store). Neither is Slack's: they ask the vendors.
 */
export function followUpHandlers(engine: FollowUpEngine): Record<string, EffectHandler> {
  return {
    [FOLLOW_UP.slackConfirm]: async (d) => {
      const p = parse(confirmPayload, d.effect.payload, FOLLOW_UP.slackConfirm);
      await engine.confirmSlackResets(p.request, p.round, p.until);
    },
    [FOLLOW_UP.watchCheck]: async (d) => {
      const p = parse(watchPayload, d.effect.payload, FOLLOW_UP.watchCheck);
      await engine.watchCheck(p.request, p.round, p.afterMs);
    },
  };
}
