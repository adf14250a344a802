import { asRevokeError } from '../errors.js';
import type { EngineContext } from './context.js';
import { systemSummaryEffect, threadRedrawEffect } from './effects.js';
import { type FencedWrites, LeaseLost } from './lease.js';
import type { RunSteps } from './observer.js';
import type { RevocationStep } from './types.js';

/**
 * The results-thread effects a bulk run writes as it goes: each system's reply once its people are
 * all done, and a redraw of the parent at most once an interval (the outbox renders it from the
 * store when it delivers, so each shows the run as it stands then). Work per finished step is
 * constant. Nothing here is needed for correctness: run_finished writes every reply again (keys
 * dedupe) and the final redraw, so a write lost to a crash or a failing store only delays what
 * Slack shows. (A one-person request's replies are written with each step's outcome.)
 */
export class BulkThreadEffects {
  private readonly summarised = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly store: FencedWrites,
    private readonly requestId: string,
  ) {}

  /** One step finished (its state is in `steps`). Throws only {@link LeaseLost}. */
  async stepFinished(step: RevocationStep, steps: RunSteps): Promise<void> {
    const { system } = step;
    if (steps.finished(system) === steps.count(system) && !this.summarised.has(system)) {
      this.summarised.add(system);
      await this.write([systemSummaryEffect(this.requestId, system)]);
    }
    this.scheduleRedraw();
  }

  /** The run is over (finished, or its lease lost): no further redraw. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleRedraw(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Unique per claim and tick: a resumed run's redraws are new effects, not its predecessor's keys.
      const why = `progress-${this.store.lease.fence}-${++this.ticks}`;
      this.write([threadRedrawEffect(this.requestId, why)]).catch(() => {});
    }, this.ctx.deps.progressIntervalMs ?? 2_000);
    this.timer.unref();
  }

  private async write(effects: Parameters<FencedWrites['addEffects']>[0]): Promise<void> {
    try {
      await this.store.addEffects(effects, this.ctx.iso());
      this.ctx.effectsWritten();
    } catch (error) {
      if (error instanceof LeaseLost) throw error;
      this.ctx.logger.warn('could not write a results-thread effect:', asRevokeError(error).message);
    }
  }
}
