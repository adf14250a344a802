import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which share of a vendor budget a call may use. `urgent` — a request for one person, or one
 * from an alert — may use all of it and goes first; `bulk` — a request for several people that
 * no alert raised — leaves a reserved share free for urgent calls.
 */
export type Lane = 'urgent' | 'bulk';

const lanes = new AsyncLocalStorage<Lane>();

/** Runs `fn` with every vendor call it makes (however deep, across awaits) in `lane`. */
export function inLane<T>(lane: Lane, fn: () => T): T {
  return lanes.run(lane, fn);
}

const URGENT_SOURCES = new Set(['api', 'signal', 'universal_logout']);

/** The lane of the work running now: urgent unless a bulk request's work set it to bulk. */
export function currentLane(): Lane {
  return lanes.getStore() ?? 'urgent';
}

/** The lane of a request: urgent when it names one person or an alert (or another system's signal) raised it. */
export function laneOf(request: { source: string; people: number }): Lane {
  return URGENT_SOURCES.has(request.source) || request.people <= 1 ? 'urgent' : 'bulk';
}
