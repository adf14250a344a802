import { inLane, type Lane } from './budget/index.js';
import { guardVendorCalls } from './retry.js';

/**
 * The mechanisms that scope vendor calls, for the engine (its `VendorCallScope`): the budgets' lane
 * and the retry loop's guard before every attempt.
 */
export const vendorCallScope = {
  inLane: <T>(lane: Lane, fn: () => T): T => inLane(lane, fn),
  guarded: <T>(check: () => void | Promise<void>, fn: () => T): T => guardVendorCalls(check, fn),
};
