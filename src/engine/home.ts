import type { EngineContext } from './context.js';
import type { RequestStatus, RevocationRequest, RevocationStep } from './types.js';

/** Why a finished request needs someone's attention (the Home lists it with this). */
export type AttentionWhy = 'failed' | 'outcome unknown' | 'not confirmed' | 'a session returned';

export interface AttentionItem {
  request: RevocationRequest;
  why: AttentionWhy[];
}

/** What one person's App Home shows, read from the store (the surface decides who sees which part). */
export interface HomeReads {
  /** Requests waiting for an approver, newest first. */
  pending: RevocationRequest[];
  /** The person's own recent requests, newest first. */
  mine: RevocationRequest[];
  /** Finished requests (theirs, or failed ones) that need a look, newest first. */
  attention: AttentionItem[];
}

/** How many of each list a Home shows. */
export const HOME_LIMIT = 10;

const FAILED: readonly RequestStatus[] = ['failed', 'partially_failed'];

/** Why a request's steps need attention, or nothing. */
export function attentionOf(request: RevocationRequest, steps: readonly RevocationStep[]): AttentionWhy[] {
  const why = new Set<AttentionWhy>();
  if (FAILED.includes(request.status) || steps.some((s) => s.state === 'failed')) why.add('failed');
  if (steps.some((s) => s.state === 'ambiguous')) why.add('outcome unknown');
  const c = (s: RevocationStep) => s.result?.confirmation;
  if (steps.some((s) => c(s) === 'not_confirmed' || c(s) === 'failed')) why.add('not confirmed');
  if (steps.some((s) => s.result?.watch?.some((look) => (look.found?.length ?? 0) > 0)))
    why.add('a session returned');
  return [...why];
}

/**
 * The reads of a Home: pending approvals (only when `approver`), the person's own requests, and
 * of those and the newest failed ones, the finished requests that need attention.
 */
export async function homeReads(
  ctx: EngineContext,
  slackUserId: string,
  options: { approver: boolean; requester: boolean },
): Promise<HomeReads> {
  const { store } = ctx;
  const pending = options.approver ? await store.listRequestsInStatus(['pending_approval'], HOME_LIMIT) : [];
  const mine = options.requester
    ? await store.listRequestsByRequester(`slack:${slackUserId}`, HOME_LIMIT)
    : [];
  const failed = await store.listRequestsInStatus(FAILED, HOME_LIMIT);
  const seen = new Set<string>();
  const attention: AttentionItem[] = [];
  for (const request of [...mine, ...failed]) {
    if (seen.has(request.id) || request.status === 'pending_approval') continue;
    seen.add(request.id);
    const why = attentionOf(request, await store.listSteps(request.id));
    if (why.length > 0) attention.push({ request, why });
  }
  attention.sort((a, b) => b.request.createdAt.localeCompare(a.request.createdAt));
  return { pending, mine, attention: attention.slice(0, HOME_LIMIT) };
}
