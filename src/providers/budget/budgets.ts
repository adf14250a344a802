import { budgetKey, DEFAULT_URGENT_RESERVE, type RateTable } from './limits.js';
import { RateBudget } from './rate-budget.js';

/**
 * Every vendor budget of the process, by key: each client asks here for the budget of a call, so
 * all the work in the process (every request, every lane) shares one budget per vendor method.
 */
export class Budgets {
  private readonly budgets = new Map<string, RateBudget>();
  private share = 1;

  constructor(
    private readonly table: RateTable = new Map(),
    /** Systems whose methods each have their own budget (Slack's tiers). */
    private readonly perMethod: ReadonlySet<string> = new Set(['slack']),
    readonly reserve = DEFAULT_URGENT_RESERVE,
    private readonly now: () => number = Date.now,
  ) {}

  /** The budget a call to `method` of `system` draws on. */
  for(system: string, method: string): RateBudget {
    const key = budgetKey(system, method, this.perMethod.has(system), this.table);
    let budget = this.budgets.get(key);
    if (!budget) {
      budget = new RateBudget(key, this.table.get(key), this.reserve, this.now);
      budget.setShare(this.share);
      this.budgets.set(key, budget);
    }
    return budget;
  }

  /** Sets this replica's share of every budget (1/n with n live replicas on one database). */
  setShare(share: number): void {
    this.share = share;
    for (const budget of this.budgets.values()) budget.setShare(share);
  }

  /** This replica's share now. */
  currentShare(): number {
    return this.share;
  }

  /** The budgets made so far (metrics, tests). */
  all(): RateBudget[] {
    return [...this.budgets.values()];
  }
}
