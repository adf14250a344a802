import { AsyncLocalStorage } from 'node:async_hooks';
import type { Lane } from '../types.js';

export type { Lane };

const lanes = new AsyncLocalStorage<Lane>();

/** Runs `fn` with every vendor call it makes (however deep, across awaits) in `lane`. */
export function inLane<T>(lane: Lane, fn: () => T): T {
  return lanes.run(lane, fn);
}

/** The lane of the work running now: urgent unless a bulk request's work set it to bulk. */
export function currentLane(): Lane {
  return lanes.getStore() ?? 'urgent';
}
