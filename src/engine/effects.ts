import type { NewEffect } from './store-port/index.js';
import type { RevocationRequest } from './types.js';

/**
 * The effects the engine writes to the outbox with the state changes they follow. Each says what
 * the world must be told, not how: the presenter for its kind (Slack's) renders it from the store
 * when it is delivered. Keys make each effect once per request and event.
 */
export const EFFECT = {
  /** Post the approval card of a request waiting for an approver (its `ts` is recorded). */
  approvalCard: 'approval_card',
  /** Redraw the approval card after a decision or expiry (no buttons, the outcome). */
  cardRedraw: 'card_redraw',
  /** Tell the requester what happened to their request. */
  requesterNote: 'requester_note',
  /** Tell someone their acknowledged submission was not recorded, and why (no request follows it). */
  intakeRefused: 'intake_refused',
  /** End a waiting Workflow Builder step (complete or fail, exactly once). */
  workflowEnd: 'workflow_end',
  /** Show the run's results parent: post it (its `ts` is recorded), or redraw the card or thread it already has. */
  threadParent: 'thread_parent',
  /** One system's threaded reply for a one-person request, then the parent redrawn. */
  stepReply: 'step_reply',
  /** A bulk request's threaded reply for one system, once every person is done there. */
  systemSummary: 'system_summary',
  /** Redraw the results parent as the run stands (a bulk's progress, and the final state). */
  threadRedraw: 'thread_redraw',
  /** Publish again the App Home of the people a request concerns (its requester, the approvers). */
  homePublish: 'home_publish',
} as const;

/**
 * What a requester note is about. `recorded_late`: an acknowledged form was recorded only after a
 * restart (payload `submittedAt`); `left_out`: people the request could not name (payload `people`).
 */
export type NoteAbout =
  | 'needs_approval'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'withdrawn'
  | 'recorded_late'
  | 'left_out';

export const approvalCardEffect = (requestId: string): NewEffect => ({
  kind: EFFECT.approvalCard,
  key: `${EFFECT.approvalCard}:${requestId}`,
  requestId,
});

export const requesterNoteEffect = (
  request: Pick<RevocationRequest, 'id' | 'requester'>,
  about: NoteAbout,
  details: Record<string, unknown> = {},
) =>
  request.requester.kind === 'slack'
    ? [
        {
          kind: EFFECT.requesterNote,
          key: `${EFFECT.requesterNote}:${request.id}:${about}`,
          requestId: request.id,
          payload: { ...details, about },
        },
      ]
    : [];

/** At most this many refused people are named in a note (the audit log has them all). */
const MAX_NAMED = 20;

/**
 * The notes a request recorded from a journaled form is written with: that it was recorded only
 * after a restart, and who was left out of it. Before its approval card (its effects go in order).
 */
export function intakeNotes(
  request: Pick<RevocationRequest, 'id' | 'requester'>,
  replayedFrom: string | undefined,
  refusedPeople: readonly string[],
): NewEffect[] {
  return [
    ...(replayedFrom ? requesterNoteEffect(request, 'recorded_late', { submittedAt: replayedFrom }) : []),
    ...(refusedPeople.length > 0
      ? requesterNoteEffect(request, 'left_out', {
          count: refusedPeople.length,
          people: refusedPeople.slice(0, MAX_NAMED).map((p) => p.slice(0, 200)),
        })
      : []),
  ];
}

/**
 * A journaled submission that was refused: a workflow step is failed with the reason (its token is
 * read from the journal entry when delivered, never copied into the outbox); a form's Slack
 * requester is told why.
 */
export function intakeRefusedEffect(
  entry: { key: string; receivedAt: string; replayed: boolean },
  ask: {
    requester: { kind: string; id: string };
    origin?: { channelId?: string | undefined } | undefined;
    workflow?: { functionExecutionId: string } | undefined;
  },
  message: string,
): NewEffect[] {
  const common = {
    key: `${EFFECT.intakeRefused}:${entry.key}:${entry.receivedAt}`,
    kind: EFFECT.intakeRefused,
  };
  const said = { message: message.slice(0, 2_700), submittedAt: entry.receivedAt, replayed: entry.replayed };
  if (ask.workflow)
    return [
      { ...common, payload: { ...said, intake: entry.key, execution: ask.workflow.functionExecutionId } },
    ];
  if (ask.requester.kind !== 'slack') return [];
  return [
    { ...common, payload: { ...said, user: ask.requester.id, channel: ask.origin?.channelId ?? null } },
  ];
}

export const cardRedrawEffect = (requestId: string, why: string): NewEffect => ({
  kind: EFFECT.cardRedraw,
  key: `${EFFECT.cardRedraw}:${requestId}:${why}`,
  requestId,
});

export const workflowEndEffect = (request: Pick<RevocationRequest, 'id' | 'workflow'>): NewEffect[] =>
  request.workflow && !request.workflow.completedAt
    ? [{ kind: EFFECT.workflowEnd, key: `${EFFECT.workflowEnd}:${request.id}`, requestId: request.id }]
    : [];

/** The run's results parent, once per request (a resumed run's claim writes the same key again: nothing). */
export const threadParentEffect = (requestId: string): NewEffect => ({
  kind: EFFECT.threadParent,
  key: `${EFFECT.threadParent}:${requestId}`,
  requestId,
});

/** A one-person request's reply for one finished step. */
export const stepReplyEffect = (requestId: string, stepKey: string): NewEffect => ({
  kind: EFFECT.stepReply,
  key: `${EFFECT.stepReply}:${requestId}:${stepKey}`,
  requestId,
  payload: { step: stepKey },
});

/** A bulk request's reply for one system whose people are all done. */
export const systemSummaryEffect = (requestId: string, system: string): NewEffect => ({
  kind: EFFECT.systemSummary,
  key: `${EFFECT.systemSummary}:${requestId}:${system}`,
  requestId,
  payload: { system },
});

/** The App Homes showing a request are published again; `why` makes it once per change (`created`, `denied`…). */
export const homePublishEffect = (requestId: string, why: string): NewEffect => ({
  kind: EFFECT.homePublish,
  key: `${EFFECT.homePublish}:${requestId}:${why}`,
  requestId,
});

/** A redraw of the results parent; `why` makes it unique (a progress tick's number, or `final`). */
export const threadRedrawEffect = (requestId: string, why: string): NewEffect => ({
  kind: EFFECT.threadRedraw,
  key: `${EFFECT.threadRedraw}:${requestId}:${why}`,
  requestId,
});

/**
 * What the results thread of a finished run must show, written with run_finished: every reply
 * (keys already written add nothing, so a reply lost to a crash between its step and its effect
 * is written here), then the final redraw, then the workflow's end.
 */
export function runFinishedEffects(
  request: Pick<RevocationRequest, 'id' | 'workflow' | 'additionalTargets'>,
  steps: readonly { key: string; system: string }[],
): NewEffect[] {
  const replies = request.additionalTargets?.length
    ? [...new Set(steps.map((s) => s.system))].map((system) => systemSummaryEffect(request.id, system))
    : steps.map((s) => stepReplyEffect(request.id, s.key));
  return [
    ...replies,
    threadRedrawEffect(request.id, 'final'),
    ...workflowEndEffect(request),
    homePublishEffect(request.id, 'finished'),
  ];
}
