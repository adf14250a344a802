export { Budgets } from './budgets.js';
export { currentLane, inLane, type Lane } from './lane.js';
export {
  DEFAULT_URGENT_RESERVE,
  parseRate,
  parseReserve,
  type RateTable,
  rateTable,
  type SystemRateLimits,
} from './limits.js';
export { type CallGate, type Rate, RateBudget } from './rate-budget.js';
