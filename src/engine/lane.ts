import type { Lane } from '../providers/types.js';
import { allTargets, type NewRequest, type RequestSource } from './types.js';

export type { Lane };

/** Sources that are alerts, or another system's signal: their requests are always urgent. */
const URGENT_SOURCES: ReadonlySet<RequestSource> = new Set<RequestSource>([
  'api',
  'signal',
  'universal_logout',
]);

/** The lane of a request: urgent when it names one person or an alert (or another system's signal) raised it. */
export function laneOf(request: { source: RequestSource; people: number }): Lane {
  return URGENT_SOURCES.has(request.source) || request.people <= 1 ? 'urgent' : 'bulk';
}

/**
 * The lane of a request's work — its vendor calls and its run slot: urgent for one person or an
 * alert, bulk for any other request for several people (see {@link laneOf}).
 */
export function laneOfRequest(request: Pick<NewRequest, 'source' | 'target' | 'additionalTargets'>): Lane {
  return laneOf({ source: request.source, people: allTargets(request).length });
}
