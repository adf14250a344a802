import type { RunControl } from '../engine/active-runs.js';
import type { Logger } from '../log.js';

/** The longest the calls in flight are given to answer once the grace period is nearly over. */
const MAX_SETTLE_MS = 5_000;

/** What the drain stops. */
export interface DrainParts {
  runs: RunControl;
  /** Stops taking work everywhere else and waits for what was started (HTTP server, after-ack queue, outbox). */
  quiesce(): Promise<unknown>;
  logger: Logger;
}

/** What the drain left to another runner. */
export interface DrainResult {
  /** Runs told to stop before they finished: each released its lease as it ended. */
  stopped: string[];
  /** Runs still in a vendor call when the time was up: their leases were released for them. */
  handedOver: string[];
}

/** True when `work` settles within `ms`, false when the time runs out first. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The bounded drain of SIGTERM, in `graceMs` at most: no new work is taken (no run is claimed);
 * running work goes on until the last quarter of the grace period (at most its last 5 s); then the
 * runs make no new vendor call, and the calls in flight may still answer, their outcomes recorded;
 * at the end, every run still waiting on a vendor is handed over: its lease is released, so
 * another replica or the next start resumes the request at once instead of after the lease lapses.
 */
export async function drain(parts: DrainParts, graceMs: number): Promise<DrainResult> {
  const { runs, logger } = parts;
  runs.close();
  const settleMs = Math.min(MAX_SETTLE_MS, graceMs / 4);
  const done = Promise.all([parts.quiesce(), runs.idle()]);
  done.catch((error: unknown) => logger.warn('stopping: a part failed to stop cleanly:', error));
  const result: DrainResult = { stopped: [], handedOver: [] };
  if (await within(done, graceMs - settleMs)) return result;
  result.stopped = runs.running();
  if (result.stopped.length > 0) {
    logger.info(
      `stopping: ${result.stopped.length} run(s) make no new vendor call; the calls in flight have ${Math.round(settleMs)} ms to answer`,
    );
  }
  runs.stop('the process is stopping (SHUTDOWN_GRACE_SECONDS)');
  if (await within(done, settleMs)) return result;
  result.handedOver = await runs.handOver('the process stopped (SHUTDOWN_GRACE_SECONDS passed)');
  return result;
}
