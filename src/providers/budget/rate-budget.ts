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

/** A call counted in the window: from when it starts until `perMs` after its answer came. */
interface Slot {
  answeredAt: number;
}

const LANES: readonly Lane[] = ['urgent', 'bulk'];

/**
 * One vendor budget (one Slack method, one vendor account), shared by all the work of the
 * process. At most `rate.count` calls start in any window of `rate.perMs` (times this replica's
 * share); bulk calls leave `reserve` of it (at least one call) to urgent calls, and waiting urgent
 * calls start before waiting bulk ones. A 429 holds every call of either lane until its
 * Retry-After ends; then urgent calls go first. Without a rate, only the 429 holds apply.
 */
export class RateBudget implements CallGate {
  /**
   * The calls that count in the window: every call on its way (answeredAt = Infinity) and every one
   * answered less than `perMs` ago. Counting from the answer, not the send, keeps a vendor that counts
   * arrivals from ever seeing more than the limit, however the network delays each call.
   */
  private sent: Slot[] = [];
  private readonly waiting: Record<Lane, ((slot: Slot) => void)[]> = { urgent: [], bulk: [] };
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
      inWindow: this.sent.length,
      waiting: { urgent: this.waiting.urgent.length, bulk: this.waiting.bulk.length },
    };
  }

  /**
   * Resolves when a call in the current lane may start (counting it as started), with the function
   * to call when its answer came (or it failed).
   */
  async ready(): Promise<() => void> {
    const lane = currentLane();
    const ahead = this.waiting[lane].length > 0 || (lane === 'bulk' && this.waiting.urgent.length > 0);
    const slot =
      (!ahead && !this.gate.held() && this.take(lane)) ||
      (await new Promise<Slot>((resolve) => {
        this.waiting[lane].push(resolve);
        this.pump();
      }));
    let answered = false;
    return () => {
      if (answered) return;
      answered = true;
      slot.answeredAt = this.now();
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
      for (let slot = queue.length > 0 && this.take(lane); slot; slot = queue.length > 0 && this.take(lane))
        queue.shift()?.(slot);
      // Urgent calls that cannot start mean no bulk call can either (its share is smaller).
      if (queue.length > 0) break;
    }
    if (this.waiting.urgent.length + this.waiting.bulk.length === 0 || !this.rate) return;
    // The next slot frees when the earliest answered call leaves the window (or when a call on its way is answered).
    const oldest = Math.min(...this.sent.map((s) => s.answeredAt));
    if (!Number.isFinite(oldest)) return;
    const wait = Math.max(1, oldest + this.rate.perMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, wait);
  }

  private take(lane: Lane): Slot | undefined {
    const slot = { answeredAt: Number.POSITIVE_INFINITY };
    if (!this.rate) return slot;
    this.prune();
    if (this.sent.length >= this.limit(lane)) return undefined;
    this.sent.push(slot);
    return slot;
  }

  private prune(): void {
    if (!this.rate) return;
    const since = this.now() - this.rate.perMs;
    if (this.sent.some((s) => s.answeredAt <= since))
      this.sent = this.sent.filter((s) => s.answeredAt > since);
  }
}
