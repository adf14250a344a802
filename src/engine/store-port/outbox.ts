/**
 * The outbox: every effect that follows a state change (an approval card, a message to the
 * requester, a workflow step's completion — and later signals, audit streaming, re-checks) is a
 * row written in the same transaction as the change, then delivered at least once by a worker.
 * A row says what to do, not how: a kind, the request it follows, a small payload; the presenter
 * for its kind renders from the store when it delivers.
 */
export interface NewEffect {
  /** What to do, e.g. `approval_card`; the worker has one handler per kind. */
  kind: string;
  /** Unique per effect: writing the same key again adds nothing (producers may retry freely). */
  key: string;
  /** The request it follows: one request's effects are delivered in the order they were written. */
  requestId?: string | undefined;
  payload?: Record<string, unknown> | undefined;
  /** Not delivered before this time (a scheduled effect); default: at once. */
  notBefore?: string | undefined;
}

export type EffectState = 'pending' | 'done' | 'failed';

export interface Effect {
  id: number;
  kind: string;
  key: string;
  requestId: string | undefined;
  payload: Record<string, unknown>;
  state: EffectState;
  /** Deliveries begun so far (this one included, once claimed). */
  attempts: number;
  notBefore: string;
  /** What earlier attempts achieved (e.g. the message a card was posted as): a retry resumes from it. */
  progress: Record<string, unknown> | undefined;
  lastError: string | undefined;
  createdAt: string;
  settledAt: string | undefined;
}

/** How a delivery ended: done; to be tried again at a time; or failed for good (kept, visible). */
export type EffectOutcome = { done: true } | { retryAt: string; error: string } | { failed: string };

/** The outbox at a glance (metrics, readiness, doctor, the CLI). */
export interface OutboxHealth {
  pending: number;
  /** Effects that failed for good, by kind. */
  failed: { kind: string; count: number }[];
  /** `createdAt` of the oldest effect still waiting, if any. */
  oldestPendingAt: string | undefined;
}
