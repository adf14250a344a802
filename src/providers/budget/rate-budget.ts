import { RingQueue } from '../../util/ring-queue.js';
import { RateGate } from '../retry.js';
import { currentLane, type Lane } from './lane.js';

/** A vendor limit: at most `count` calls in any `perMs` window. */
export interface Rate {
  count: number;
  perMs: number;
}

/** What a call waits on before each attempt (resolving to "the answer came"), and tells about a 429 (see `withRetry`). */
export interface CallGate {
  ready(): Promise<() => void>;
  hold(ms: number, pause: Promise<void>): void;
}

const LANES: readonly Lane[] = ['urgent', 'bulk'];

/**
 * One vendor budget (one Slack method, one vendor account), shared by all the work of the
 * process. At most `rate.count` calls start in any window of `rate.perMs` (times this replica's
 * share); bulk calls leave `reserve` of it (at least one call) to urgent calls, and waiting urgent
 * calls start before waiting bulk ones. A 429 holds every call of either lane until its
 * Retry-After ends; then urgent calls go first. Without a rate, only the 429 holds apply.
 *
 * Every operation takes constant time (amortised), whatever the limit: the window is a count of
 * calls on their way plus a queue of answer times in the order they came, whose oldest entry is
 * the next to leave it; the waiting calls are queues too.
 */
export class RateBudget implements CallGate {
  /**
   * The calls that count in the window: every call on its way, and every one answered less than
   * `perMs` ago (its answer time, oldest first). Counting from the answer, not the send, keeps a
   * vendor that counts arrivals from ever seeing more than the limit, however the network delays
   * each call.
   */
  private onTheWay = 0;
  private readonly answeredAt = new RingQueue<number>();
  /** The newest answer time queued so far. */
  private lastAnswer = Number.NEGATIVE_INFINITY;
  private readonly waiting: Record<Lane, RingQueue<() => void>> = {
    urgent: new RingQueue(),
    bulk: new RingQueue(),
  };
  private readonly gate: RateGate;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private awaitingGate = false;
  private share = 1;

  constructor(
    readonly key: string,
    readonly rate: Rate | undefined,
    private readonly reserve: number,
    private readonly now: () => number = Date.now,
  ) {
    this.gate = new RateGate(now);
  }

  /** This replica's share of the budget (1 alone; 1/n with n replicas on one database). */
  setShare(share: number): void {
    this.share = Math.min(1, Math.max(0.01, share));
    this.pump();
  }

  /** How many calls of `lane` may start in one window. */
  limit(lane: Lane): number {
    if (!this.rate) return Number.POSITIVE_INFINITY;
    const all = Math.max(1, Math.floor(this.rate.count * this.share));
    if (lane === 'urgent' || all <= 1 || this.reserve <= 0) return all;
    return all - Math.min(all - 1, Math.max(1, Math.ceil(all * this.reserve)));
  }

  /** Calls started in the current window, and calls waiting per lane (metrics, tests). */
  usage(): { inWindow: number; waiting: Record<Lane, number> } {
    this.prune();
    return {
      inWindow: this.onTheWay + this.answeredAt.size,
      waiting: { urgent: this.waiting.urgent.size, bulk: this.waiting.bulk.size },
    };
  }

  /**
   * Resolves when a call in the current lane may start (counting it as started), with the function
   * to call when its answer came (or it failed).
   */
  async ready(): Promise<() => void> {
    const lane = currentLane();
    const ahead = this.waiting[lane].size > 0 || (lane === 'bulk' && this.waiting.urgent.size > 0);
    if (ahead || this.gate.held() || !this.take(lane))
      await new Promise<void>((resolve) => {
        this.waiting[lane].push(resolve);
        this.pump();
      });
    const counted = this.rate !== undefined;
    let answered = false;
    return () => {
      if (answered) return;
      answered = true;
      if (counted) {
        this.onTheWay--;
        // Answer times stay in order even if the wall clock steps back (the window then lasts longer).
        this.lastAnswer = Math.max(this.lastAnswer, this.now());
        this.answeredAt.push(this.lastAnswer);
      }
      this.pump();
    };
  }

  /** A call was told to wait `ms` (a 429) and waits `pause`: every call waits until it ends. */
  hold(ms: number, pause: Promise<void>): void {
    this.gate.hold(ms, pause);
    this.pump();
  }

  /** Starts the waiting calls the window allows (urgent first), and wakes up again when it can start more. */
  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.gate.held()) {
      if (!this.awaitingGate) {
        this.awaitingGate = true;
        void this.gate.ready().then(() => {
          this.awaitingGate = false;
          this.pump();
        });
      }
      return;
    }
    for (const lane of LANES) {
      const queue = this.waiting[lane];
      while (queue.size > 0 && this.take(lane)) queue.shift()?.();
      // Urgent calls that cannot start mean no bulk call can either (its share is smaller).
      if (queue.size > 0) break;
    }
    if (this.waiting.urgent.size + this.waiting.bulk.size === 0 || !this.rate) return;
    // The next slot frees when the earliest answered call leaves the window (or when a call on its way is answered).
    const oldest = this.answeredAt.peek();
    if (oldest === undefined) return;
    const wait = Math.max(1, oldest + this.rate.perMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, wait);
  }

  /** Counts a call of `lane` as started when the window has room for it; false when it has none. */
  private take(lane: Lane): boolean {
    if (!this.rate) return true;
    this.prune();
    if (this.onTheWay + this.answeredAt.size >= this.limit(lane)) return false;
    this.onTheWay++;
    return true;
  }

  /** Drops the answers that left the window (the oldest first: each is dropped once). */
  private prune(): void {
    if (!this.rate) return;
    const since = this.now() - this.rate.perMs;
    for (
      let oldest = this.answeredAt.peek();
      oldest !== undefined && oldest <= since;
      oldest = this.answeredAt.peek()
    )
      this.answeredAt.shift();
  }
}
