import { ATTENTION_STATES } from '../engine/summary.js';
import { allTargets, type RevocationRequest, type RevocationStep } from '../engine/types.js';

/** The CLI's exit codes (README, *Break-glass CLI*; the help's last lines). */
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** Nothing was done (every system failed, nobody found), a check failed, the store could not be reached, the audit log is tampered. */
  failed: 1,
  /** Bad usage or configuration. */
  usage: 2,
  /** Partly done: some of it was done, some was not (a system failed, needs attention or could not be reached). */
  partly: 3,
  /** Interrupted (Ctrl-C): what finished is recorded, the request is left to resume. */
  interrupted: 130,
} as const;

/** Steps that did something (ended or queued sessions). */
const DID: readonly string[] = ['revoked', 'queued', 'partial'];

/** The people no system has an account for (a mistyped email is not a success). */
export function foundNowhere(request: RevocationRequest, steps: RevocationStep[]) {
  return allTargets(request).filter((_, i) => {
    const mine = steps.filter((s) => s.targetIndex === i);
    return mine.length > 0 && mine.every((s) => s.state === 'no_account');
  });
}

/**
 * The exit code of a run's outcome: 0 when every step is done and nothing was left out, 1 when
 * nothing was done anywhere, else 3 (partly done). A person found in no system, a step needing
 * attention, or a system left out (`leftOut`: Slack unreachable) each make it less than done.
 */
export function exitForRun(request: RevocationRequest, steps: RevocationStep[], leftOut: number): number {
  const nowhere = foundNowhere(request, steps).length > 0;
  const attention = steps.some(
    (s) => ATTENTION_STATES.includes(s.state) || s.state === 'pending' || s.state === 'running',
  );
  if (!attention && !nowhere && leftOut === 0) return EXIT.ok;
  return steps.some((s) => DID.includes(s.state)) ? EXIT.partly : EXIT.failed;
}

/** The exit code for a request's status as stored (a finished request shown again). */
export function exitForStatus(status: RevocationRequest['status']): number {
  if (status === 'done') return EXIT.ok;
  return status === 'partially_failed' ? EXIT.partly : EXIT.failed;
}
