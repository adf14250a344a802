import type { Person } from '../../providers/types.js';
import type { Store } from '../store-port/index.js';
import type { RequestStatus } from '../types.js';

/** A second reset within this long is called out (SIEM rules on repeated resets look at a day). */
export const REPEAT_WINDOW_MS = 86_400_000;

/** Requests that revoked (or are revoking) someone: a denied or expired one revoked nothing. */
const REVOKING: readonly RequestStatus[] = ['approved', 'running', 'done', 'partially_failed'];

/**
 * The newest request that revoked this person in the 24 h before `now`, when there is one (people
 * known by their Slack ID; others cannot be matched reliably across requests).
 */
export async function recentRevocation(
  store: Pick<Store, 'listRequestsForTarget'>,
  person: Pick<Person, 'slackUserId'>,
  now: Date,
): Promise<{ requestId: string; at: string } | undefined> {
  if (!person.slackUserId) return undefined;
  const since = now.getTime() - REPEAT_WINDOW_MS;
  for (const r of await store.listRequestsForTarget(person.slackUserId, 10)) {
    if (Date.parse(r.createdAt) < since) break;
    if (REVOKING.includes(r.status)) return { requestId: r.id, at: r.decidedAt ?? r.createdAt };
  }
  return undefined;
}
