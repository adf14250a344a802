import { AsyncLocalStorage } from 'node:async_hooks';

/** The one retry policy every vendor call goes through. */
export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  /** First backoff; doubles each attempt, with full jitter. */
  baseDelayMs: number;
  /** Cap for a single backoff (not for a vendor's Retry-After). */
  maxDelayMs: number;
  /** Give up rather than wait past this much time since the first attempt. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  maxTotalMs: 60_000,
};

/**
 * How a failure should be treated: not retried, or retried (after the vendor's delay when it
 * gave one). `rateLimited` marks a 429: every call sharing the budget then waits with this one.
 */
export type RetryDecision =
  | { retry: false }
  | { retry: true; afterMs?: number | undefined; rateLimited?: boolean | undefined };

/**
 * Calls that draw on one vendor budget (a Slack method, a vendor account) wait out a 429
 * together: once one of them is told to wait (Retry-After), no call through the gate is sent
 * before that wait ends. Concurrent workers then do not each run into the limit in turn, and
 * the vendor sees no calls during the time it asked for none.
 */
export class RateGate {
  private current: { until: number; passed: Promise<void> } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Resolves once no wait announced through this gate is still running (at once when none is). */
  async ready(): Promise<void> {
    for (let hold = this.current; hold; hold = this.current) {
      await hold.passed;
      if (this.current === hold) this.current = undefined;
    }
  }

  /** Whether a wait announced through this gate is running now. */
  held(): boolean {
    return this.current !== undefined;
  }

  /**
   * A call was told to wait `ms` and is waiting (`pause`): every call through the gate waits
   * until `pause` ends too — unless a longer wait is already running, which then stands.
   */
  hold(ms: number, pause: Promise<void>): void {
    const until = this.now() + ms;
    if (this.current && this.current.until >= until) return;
    const hold = { until, passed: pause };
    this.current = hold;
    const clear = () => {
      if (this.current === hold) this.current = undefined;
    };
    pause.then(clear, clear);
  }
}

export interface RetryDeps {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Told before each retry, e.g. to log it. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /**
   * Shared with the other calls on the same budget: each attempt waits until it may start; a 429
   * closes it for all. Time spent waiting here is not counted against `maxTotalMs`: the budget
   * bounds this call's own retries, not its turn in the queue.
   */
  gate?:
    | {
        /** Resolves when the attempt may start; to a function, when it wants to be told the answer came. */
        ready(): Promise<unknown>;
        hold(ms: number, pause: Promise<void>): void;
      }
    | undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const guards = new AsyncLocalStorage<() => void | Promise<void>>();

/**
 * Runs `fn` with `check` awaited before every attempt of every vendor call it makes (however
 * deep, across awaits; a retry is an attempt too). A check that throws (or rejects) stops the
 * attempt before anything is sent: a runner that lost its lease sends nothing more.
 */
export function guardVendorCalls<T>(check: () => void | Promise<void>, fn: () => T): T {
  return guards.run(check, fn);
}

/** Thrown when the budget would be exceeded; carries the last error. */
export class RetryBudgetExceeded extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
    readonly reason: 'attempts' | 'time',
  ) {
    super(`gave up after ${attempts} attempt(s) (${reason} budget)`);
    this.name = 'RetryBudgetExceeded';
  }
}

/**
 * Runs `op` until it succeeds, `classify` says not to retry, or the policy's
 * attempt or time budget would be exceeded. Backoff is exponential with full
 * jitter; a vendor's Retry-After is honoured exactly (never shortened) — and,
 * with a {@link RateGate}, by every call sharing the gate, not only this one.
 */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  deps: RetryDeps = {},
): Promise<T> {
  const wait = deps.sleep ?? sleep;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const started = now();
  let queued = 0;
  for (let attempt = 1; ; attempt++) {
    let answered: (() => void) | undefined;
    if (deps.gate) {
      const before = now();
      const told = await deps.gate.ready();
      if (typeof told === 'function') answered = told as () => void;
      queued += now() - before;
    }
    try {
      await guards.getStore()?.();
    } catch (error) {
      answered?.();
      throw error;
    }
    try {
      const result = await op(attempt);
      answered?.();
      return result;
    } catch (error) {
      answered?.();
      const decision = classify(error);
      if (!decision.retry) throw error;
      if (attempt >= policy.maxAttempts) throw new RetryBudgetExceeded(error, attempt, 'attempts');
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = decision.afterMs !== undefined ? decision.afterMs : Math.round(random() * backoff);
      if (now() - started - queued + delayMs > policy.maxTotalMs)
        throw new RetryBudgetExceeded(error, attempt, 'time');
      deps.onRetry?.({ attempt, delayMs, error });
      const pause = wait(delayMs);
      if (decision.rateLimited) deps.gate?.hold(delayMs, pause);
      await pause;
    }
  }
}

/** Parses a Retry-After header (seconds or HTTP date) to milliseconds. */
export function parseRetryAfter(value: unknown, now: () => number = Date.now): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text === 'number' && Number.isFinite(text)) return Math.max(0, text * 1000);
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.max(0, Math.round(Number(text) * 1000));
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

/** One vendor HTTP attempt (its latency and status; undefined when no answer came) or one retry. */
export type VendorCallEvent =
  | { kind: 'attempt'; system: string; durationMs: number; status: number | undefined }
  | { kind: 'retry'; system: string };

const callListeners = new Set<(event: VendorCallEvent) => void>();

/** Subscribes to every vendor call attempt and retry in this process (metrics); returns the unsubscribe. */
export function onVendorCall(listener: (event: VendorCallEvent) => void): () => void {
  callListeners.add(listener);
  return () => callListeners.delete(listener);
}

/** Tells the listeners about a vendor call; a failing listener never affects the call. */
export function reportVendorCall(event: VendorCallEvent): void {
  for (const listener of callListeners) {
    try {
      listener(event);
    } catch {
      // metrics must never break a revocation
    }
  }
}
