import type { NewEffect } from '../store/types.js';
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
  /** End a waiting Workflow Builder step (complete or fail, exactly once). */
  workflowEnd: 'workflow_end',
} as const;

/** What a requester note is about. */
export type NoteAbout = 'needs_approval' | 'approved' | 'denied' | 'expired' | 'withdrawn';

export const approvalCardEffect = (requestId: string): NewEffect => ({
  kind: EFFECT.approvalCard,
  key: `${EFFECT.approvalCard}:${requestId}`,
  requestId,
});

export const requesterNoteEffect = (
  request: Pick<RevocationRequest, 'id' | 'requester'>,
  about: NoteAbout,
) =>
  request.requester.kind === 'slack'
    ? [
        {
          kind: EFFECT.requesterNote,
          key: `${EFFECT.requesterNote}:${request.id}:${about}`,
          requestId: request.id,
          payload: { about },
        },
      ]
    : [];

export const cardRedrawEffect = (requestId: string, why: string): NewEffect => ({
  kind: EFFECT.cardRedraw,
  key: `${EFFECT.cardRedraw}:${requestId}:${why}`,
  requestId,
});

export const workflowEndEffect = (request: Pick<RevocationRequest, 'id' | 'workflow'>): NewEffect[] =>
  request.workflow && !request.workflow.completedAt
    ? [{ kind: EFFECT.workflowEnd, key: `${EFFECT.workflowEnd}:${request.id}`, requestId: request.id }]
    : [];
