import type { SystemId } from '../catalog.js';
import type { Config } from '../config.js';
import { type Membership, type MembershipChecker, unreadableGroups } from '../engine/access.js';
import type { Approvals } from '../engine/approval.js';
import type { RevocationEngine } from '../engine/engine.js';
import { laneOfRequest } from '../engine/lane.js';
import type { RevocationRequest } from '../engine/types.js';
import type { Logger } from '../log.js';
import type { SlackDirectory } from '../providers/slack-admin/directory.js';
import type { SystemHealth } from '../runtime/system-health.js';
import type { WorkQueue } from '../runtime/work/queue.js';
import type { SystemChoice } from './blocks/request-modal.js';
import type { Labels } from './blocks/results.js';

/** Everything the Slack listeners need; built once by the composition root. */
export interface SlackDeps {
  config: Config;
  /** The only way in to the store: listeners read and record through the engine. */
  engine: RevocationEngine;
  directory: SlackDirectory;
  membership: MembershipChecker;
  logger: Logger;
  /** Configured systems, in display order. */
  systems: SystemChoice[];
  labels: Labels;
  /** The one queue for work after an ack (shutdown waits on it). */
  background: WorkQueue;
  now: () => Date;
  approvals: Approvals;
  /** The systems' health for the App Home (cached doctor checks; absent: the Home says it is checking). */
  health?: SystemHealth | undefined;
}

/**
 * Queues an approved request's run (never refused); its results thread is the outbox's to show. Its
 * run slot is its lane's, by the rule its vendor calls follow: a one-person or alert request is
 * urgent (lane `runs`), any other request for several people `bulk`, which never takes the run
 * slots kept for urgent work. A request whose run already waits or runs here is not queued twice
 * (false).
 */
export function startRun(deps: SlackDeps, request: RevocationRequest): boolean {
  const key = `run:${request.id}`;
  if (deps.background.has(key)) return false;
  deps.background.run('run', () => deps.engine.run(request.id), {
    name: `request ${request.id}`,
    key,
    lane: laneOfRequest(request) === 'bulk' ? 'bulk' : 'runs',
  });
  return true;
}

/**
 * The housekeeping round's pick-up: queues the run of every request that is approved or whose
 * runner died (lease expired), each in its own lane as {@link startRun} does, so a resumed bulk
 * never runs in a slot kept for urgent work. Runs already queued here are left where they are.
 */
export async function resumeRuns(deps: SlackDeps, limit = 20): Promise<number> {
  let queued = 0;
  for (const request of await deps.engine.runnable(limit)) if (startRun(deps, request)) queued++;
  return queued;
}

/**
 * How long after a listener starts a `views.open` may still begin: Slack's trigger_id lasts 3 s,
 * and the call itself needs the rest.
 */
export const TRIGGER_BUDGET_MS = 2_500;

/**
 * When Slack's request reached the app, on the work queue's clock: under load a listener can start
 * well after the request arrived, and the trigger's 3 seconds ran from the arrival. The HTTP
 * receiver stamps `arrivedAt` (performance.now()) into the context; in Socket Mode there is no
 * stamp and the listener's start is used.
 */
export function arrivalOf(deps: SlackDeps, context: Record<string, unknown>): number {
  const now = deps.background.now();
  const arrivedAt = context.arrivedAt;
  return typeof arrivedAt === 'number' ? now - Math.max(0, performance.now() - arrivedAt) : now;
}

/** Said instead of opening a form when the app could not open it before its trigger expired. */
export const BUSY_TEXT =
  'The app is too busy to open the form right now, so nothing was started. Try again in a moment.';

export function systemIds(deps: SlackDeps): SystemId[] {
  return deps.systems.map((s) => s.id);
}

/** Why a requester check refused: not in REVOKE_REQUESTERS, or the check could not be made. */
export interface RequesterRefusal {
  /** What the person is told. */
  text: string;
  /** What the audit record says. */
  why: 'not a requester' | 'requester check failed';
}

/**
 * Undefined when `userId` may request; otherwise what to tell them. Bounded in time so a slow
 * user-group lookup cannot blow Slack's 3-second window. Fails closed and says so: a group that
 * cannot be read (or does not answer in time) is "the check failed, try again", never "allowed".
 */
export async function requesterRefusal(
  deps: SlackDeps,
  userId: string,
  timeoutMs = 2_000,
): Promise<RequesterRefusal | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Membership>((resolve) => {
    timer = setTimeout(
      () => resolve({ state: 'unknown', groups: [...deps.config.requesters.groups] }),
      timeoutMs,
    );
  });
  try {
    const m = await Promise.race([deps.membership.check(userId, deps.config.requesters), timeout]);
    if (m.state === 'member') return undefined;
    if (m.state === 'not_member') return { text: NOT_ALLOWED_TEXT, why: 'not a requester' };
    return { text: checkFailedText(m.groups), why: 'requester check failed' };
  } finally {
    clearTimeout(timer);
  }
}

/** Said when a requester check could not be made (a user group could not be read in time). */
export function checkFailedText(groups: string[]): string {
  return `Could not check whether you may use /revoke-sessions: ${unreadableGroups(groups)} in time. Nothing was started. Try again in a moment.`;
}

export const NOT_ALLOWED_TEXT =
  'You are not allowed to use /revoke-sessions. Ask your security team to add you (or a user group you are in) to REVOKE_REQUESTERS.';
