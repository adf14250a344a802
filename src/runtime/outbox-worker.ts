import { randomUUID } from 'node:crypto';
import type { Effect, Store } from '../engine/store-port/index.js';
import type { Logger } from '../log.js';

/** What a handler may do besides its delivery: remember what it achieved, so a retry resumes from there. */
export interface Delivery {
  readonly effect: Effect;
  /** Stores what this attempt achieved (e.g. the posted message's ts) before anything else can fail. */
  saveProgress(progress: Record<string, unknown>): Promise<void>;
}

/** Delivers one kind of effect; throws to be retried, or {@link PermanentEffectError} to fail for good. */
export type EffectHandler = (delivery: Delivery) => Promise<void>;

/** A delivery that can never succeed (retrying would change nothing): the effect is failed and kept. */
export class PermanentEffectError extends Error {}

/** This deliverer lost its claim (paused past it): another one holds the effect and delivers it. */
export class EffectTakenOver extends Error {
  constructor() {
    super('the effect was taken over by another deliverer');
  }
}

export interface OutboxWorkerOptions {
  /** This deliverer's identity for claims (default: a random UUID). */
  owner?: string;
  now?: () => Date;
  /**
   * How long a claimed effect is held before another deliverer may take it over (default 30 s, as
   * a run's lease): renewed while its delivery lasts, so a dead deliverer's effects wait this long.
   */
  leaseMs?: number;
  /** How often to look for due effects when nothing kicks the worker (default 1 s). */
  pollMs?: number;
  /** Attempts before an effect fails for good (default 10). */
  maxAttempts?: number;
  /** First retry delay, doubled each attempt up to `maxBackoffMs` (defaults 1 s and 5 min). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Effects claimed at a time (default 16). */
  batch?: number;
  /** Told of every settled delivery (metrics). */
  onSettled?: (kind: string, outcome: 'done' | 'retry' | 'failed') => void;
}

/**
 * Delivers the outbox: claims due effects (one per request at a time, so a request's effects
 * happen in the order they were written), runs each kind's handler, and settles the row — done,
 * retried with backoff, or failed for good and kept in sight. At least once: a deliverer that
 * dies is replaced when its claim lapses; handlers make their effect idempotent. Never part of a
 * revocation's path: a delivery that fails only delays its own effect.
 */
export class OutboxWorker {
  readonly owner: string;
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly store: Store,
    private readonly handlers: Readonly<Record<string, EffectHandler>>,
    private readonly logger: Logger,
    private readonly options: OutboxWorkerOptions = {},
  ) {
    this.owner = options.owner ?? randomUUID();
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops looking for work and waits for the deliveries in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Something was written: deliver it now rather than at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Delivers everything due now (the poll loop's round; tests call it directly). Returns how many were settled. */
  async drain(): Promise<number> {
    let settled = 0;
    for (;;) {
      const iso = (ms = 0) => new Date(this.now().getTime() + ms).toISOString();
      const batch = await this.store.claimEffects(
        this.owner,
        iso(),
        iso(this.leaseMs),
        this.options.batch ?? 16,
      );
      if (batch.length === 0) return settled;
      await Promise.all(batch.map((e) => this.deliver(e)));
      settled += batch.length;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .then(() => undefined)
        .catch((e: unknown) => this.logger.warn('outbox: delivery round failed:', e))
        .finally(() => {
          this.running = undefined;
          const next = this.again ? 0 : (this.options.pollMs ?? 1_000);
          this.again = false;
          this.schedule(next);
        });
    }, ms);
    this.timer.unref();
  }

  private async deliver(effect: Effect): Promise<void> {
    const handler = this.handlers[effect.kind];
    const iso = () => this.now().toISOString();
    let progress = effect.progress;
    const delivery: Delivery = {
      get effect() {
        return { ...effect, progress };
      },
      saveProgress: async (p) => {
        progress = { ...(progress ?? {}), ...p };
        if (!(await this.store.saveEffectProgress(effect.id, this.owner, progress)))
          throw new EffectTakenOver();
      },
    };
    // Held while it lasts: a slow delivery (Slack retrying a 429) is not taken over under it.
    const renew = setInterval(
      () => {
        const until = new Date(this.now().getTime() + this.leaseMs).toISOString();
        this.store.renewEffectLease(effect.id, this.owner, until).catch(() => {});
      },
      Math.max(250, Math.floor(this.leaseMs / 3)),
    );
    renew.unref();
    try {
      if (!handler) throw new PermanentEffectError(`no handler for effect kind ${effect.kind}`);
      await handler(delivery);
      await this.store.settleEffect(effect.id, this.owner, { done: true }, iso());
      this.options.onSettled?.(effect.kind, 'done');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const max = this.options.maxAttempts ?? 10;
      if (error instanceof PermanentEffectError || effect.attempts >= max) {
        this.logger.error(`outbox: ${effect.kind} ${effect.key} failed for good: ${message}`);
        await this.store.settleEffect(effect.id, this.owner, { failed: message }, iso());
        this.options.onSettled?.(effect.kind, 'failed');
        return;
      }
      const base = this.options.backoffMs ?? 1_000;
      const delay = Math.min(this.options.maxBackoffMs ?? 300_000, base * 2 ** (effect.attempts - 1));
      this.logger.warn(
        `outbox: ${effect.kind} ${effect.key} attempt ${effect.attempts} failed (${message}); retrying`,
      );
      const retryAt = new Date(this.now().getTime() + delay).toISOString();
      await this.store.settleEffect(effect.id, this.owner, { retryAt, error: message }, iso());
      this.options.onSettled?.(effect.kind, 'retry');
    } finally {
      clearInterval(renew);
    }
  }
}
