import type { EngineContext } from '../context.js';
import type { PersonRef } from '../people.js';
import type { AskResult, Intake } from '../request.js';
import { type Actor, allTargets } from '../types.js';

/** A refusal of Revoke again, in the words of an ask's refusal. */
const refuse = (message: string): AskResult => ({ ok: false, code: 'invalid', message, refusedPeople: [] });

/**
 * Revoke again, after the watch found a new session: a new request for the same people and systems,
 * asked as any request is (the requester check and the approval policy apply). Everything comes
 * from the stored request, never from the button: only a finished request whose watch found a new
 * session can be revoked again, and one look's button makes one request (its idempotency key).
 */
export async function revokeAgain(
  ctx: EngineContext,
  intake: Intake,
  requestId: string,
  round: number,
  actor: Actor,
  origin: { channelId?: string | undefined },
): Promise<AskResult> {
  const original = await ctx.store.getRequest(requestId);
  if (!original) return refuse(`There is no request ${requestId}.`);
  const steps = await ctx.store.listSteps(requestId);
  const found = steps.some((s) => s.result?.watch?.some((w) => w.round === round && w.found?.length));
  if (!found) return refuse(`The watch found no new session for request ${requestId} at that look.`);
  const people: PersonRef[] = allTargets(original).flatMap((p): PersonRef[] =>
    p.slackUserId
      ? [{ kind: 'user', userId: p.slackUserId }]
      : p.email
        ? [{ kind: 'email', email: p.email }]
        : [],
  );
  const result = await intake.ask({
    source: 'slash_command',
    requester: actor,
    people,
    systems: original.systems,
    slackScope: original.slackScope,
    reason:
      `Revoke again: a new session after request ${requestId}. Earlier reason: ${original.reason}`.slice(
        0,
        2_000,
      ),
    origin,
    idempotencyKey: `revoke-again:${requestId}:${round}`,
  });
  if (result.ok && result.created)
    await ctx.audit(requestId, `${actor.kind}:${actor.id}`, 'revoke_again', {
      round,
      newRequest: result.request.id,
      status: result.request.status,
    });
  return result;
}
