import type { SystemId } from '../catalog.js';
import type { RevocationRequest } from '../engine/types.js';
import { sameEmail } from '../util/email.js';

/**
 * The stored idempotency key of an alert: the caller's `source` and its key, so two tools
 * that happen to pick the same key never collide. The source is URI-encoded so that no
 * (source, key) pair can spell another's (`a:b` + `c` vs `a` + `b:c`).
 */
export function scopedIdempotencyKey(source: string, key: string): string {
  return `api:${encodeURIComponent(source)}:${key}`;
}

/** What an alert asks for, as compared against the request an earlier use of its key created. */
export interface AlertAsk {
  requesterId: string;
  email?: string | undefined;
  slackUserId?: string | undefined;
  reason: string;
  systems: readonly SystemId[];
}

const sorted = (xs: readonly string[]) => [...xs].sort().join(',');

/**
 * True when the stored request is what this alert asks for: the same caller, the same person
 * (by the identifier the alert gives), the same reason and the same systems. Anything else is
 * a different alert that reused the key, and must not be answered as a replay of this one.
 */
export function sameAlert(existing: RevocationRequest, ask: AlertAsk): boolean {
  if (existing.source !== 'api' || existing.requester.id !== ask.requesterId) return false;
  if ((existing.additionalTargets?.length ?? 0) > 0) return false;
  const samePerson = ask.slackUserId
    ? existing.target.slackUserId === ask.slackUserId
    : sameEmail(existing.target.email, ask.email);
  return samePerson && existing.reason === ask.reason && sorted(existing.systems) === sorted(ask.systems);
}

/**
 * What the audit record of a refused alert keeps (the engine records it against the request that
 * holds the key, in the name of who reused it): everything the refused alert asked for, so that
 * it is not lost even though nothing ran.
 */
export function conflictData(
  ask: AlertAsk & { idempotencyKey?: string | undefined },
): Record<string, unknown> {
  return {
    idempotencyKey: ask.idempotencyKey ?? null,
    refused: {
      email: ask.email ?? null,
      slackUserId: ask.slackUserId ?? null,
      reason: ask.reason,
      systems: [...ask.systems],
    },
  };
}

/** The 409 answer: names the request that holds the key and what to do. */
export function conflictBody(existing: RevocationRequest, statusUrl: string) {
  return {
    error: 'idempotency_conflict',
    message: `This idempotency_key was already used by request ${existing.id} for a different alert; nothing was recorded. Send this alert with a new key.`,
    request_id: existing.id,
    status_url: statusUrl,
  };
}
