import type { Lane } from './lane.js';

/**
 * How the engine scopes the vendor calls a piece of its work makes, however deep and across awaits.
 * The engine decides the lane and the check; the mechanisms (the vendor budgets, the retry loop)
 * are below it, and the composition root passes them in.
 */
export interface VendorCallScope {
  /** Runs `fn` with every vendor call it makes in `lane`: bulk work leaves urgent work its reserved share. */
  inLane<T>(lane: Lane, fn: () => T): T;
  /**
   * Runs `fn` with `check` awaited before every attempt of every vendor call it makes (a retry is
   * an attempt too); a check that throws stops the attempt before anything is sent.
   */
  guarded<T>(check: () => void | Promise<void>, fn: () => T): T;
}
