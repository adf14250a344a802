import type { NewEffect } from '../store-port/index.js';

/**
 * The effects that follow a run, to know what happened rather than assume it. The checks are
 * scheduled (`notBefore`) and belong to no request's queue (`requestId` unset, the request is in
 * the payload): a check waiting for its time never holds up the request's thread. What they find
 * is told in the thread by an effect of the request's own queue.
 */
export const FOLLOW_UP = {
  /** Read Slack's audit log for the resets of a request (payload `request`, `round`, `until`). */
  slackConfirm: 'slack_confirm',
  /** List the people's sessions again to catch a return (payload `request`, `round`, `afterMs`). */
  watchCheck: 'watch_check',
  /** Tell the thread what Slack's audit log confirmed (payload `round`). */
  confirmNote: 'confirm_note',
  /** Tell the thread of a session created after the revocation, with Revoke again (payload `round`). */
  watchAlert: 'watch_alert',
} as const;

/** A look at Slack's audit log for request `requestId`, at `notBefore`. */
export const slackConfirmEffect = (
  requestId: string,
  round: number,
  until: string,
  notBefore: string,
): NewEffect => ({
  kind: FOLLOW_UP.slackConfirm,
  key: `${FOLLOW_UP.slackConfirm}:${requestId}:${round}`,
  payload: { request: requestId, round, until },
  notBefore,
});

/** The watch's look number `round` (0-based), `afterMs` after the run finished. */
export const watchCheckEffect = (
  requestId: string,
  round: number,
  afterMs: number,
  notBefore: string,
): NewEffect => ({
  kind: FOLLOW_UP.watchCheck,
  key: `${FOLLOW_UP.watchCheck}:${requestId}:${round}`,
  payload: { request: requestId, round, afterMs },
  notBefore,
});

export const confirmNoteEffect = (requestId: string, round: number): NewEffect => ({
  kind: FOLLOW_UP.confirmNote,
  key: `${FOLLOW_UP.confirmNote}:${requestId}:${round}`,
  requestId,
  payload: { round },
});

export const watchAlertEffect = (requestId: string, round: number): NewEffect => ({
  kind: FOLLOW_UP.watchAlert,
  key: `${FOLLOW_UP.watchAlert}:${requestId}:${round}`,
  requestId,
  payload: { round },
});
