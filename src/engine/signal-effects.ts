import { randomUUID } from 'node:crypto';
import type { EngineContext } from './context.js';
import type { NewEffect } from './store-port/index.js';
import type { StepState } from './types.js';

/** The outbox kinds of the Shared Signals transmitter (delivered by `signals/transmitter.ts`). */
export const SIGNAL_EFFECT = {
  /** One CAEP session-revoked SET (per stream) for one person in one system that ended sessions. */
  sessionRevoked: 'ssf_session_revoked',
  /** The verification SET a receiver asked for (SSF §8.1.4). */
  verification: 'ssf_verification',
  /** Push the SETs a paused push stream held, now that it is enabled again. */
  flush: 'ssf_flush',
} as const;

/** Step states in which the system ended the person's sessions (`queued` is not known to have). */
const ENDED: readonly StepState[] = ['revoked', 'partial'];

/**
 * The session-revoked effects of these finished steps, written with the outcome that causes them
 * (and again with run_finished: a key already written adds nothing, so the first `jti` stays).
 * The `jti` and `iat` are fixed here, when the effect is written: a retried delivery re-sends the
 * same SET, never one under a new `jti`. Not tied to the request's ordered effects: a slow receiver
 * never delays the results thread. None when the transmitter is off.
 */
export function sessionRevokedEffects(
  ctx: EngineContext,
  requestId: string,
  steps: readonly { key: string; state: StepState }[],
): NewEffect[] {
  if (!ctx.deps.signalsOut) return [];
  const iat = Math.floor(ctx.now().getTime() / 1000);
  return steps
    .filter((s) => ENDED.includes(s.state))
    .map((s) => ({
      kind: SIGNAL_EFFECT.sessionRevoked,
      key: `${SIGNAL_EFFECT.sessionRevoked}:${requestId}:${s.key}`,
      payload: { request: requestId, step: s.key, jti: randomUUID(), iat },
    }));
}
