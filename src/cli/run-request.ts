import type { SystemId } from '../config.js';
import {
  FINAL_STATUSES,
  FINAL_STEP_STATES,
  type RevocationRequest,
  type RevocationStep,
} from '../engine/types.js';
import { systemLabel } from '../providers/registry.js';
import type { CliContext } from './context.js';
import type { Io } from './output.js';
import { progressMode, RunProgress } from './progress.js';

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<undefined>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<undefined>((r) => {
    resolve = () => r(undefined);
  });
  return { promise, resolve };
}

/** How a run the CLI started (or waited for) ended. */
export interface RunResult {
  request: RevocationRequest;
  steps: RevocationStep[];
  /** Ctrl-C: the request is left to resume (by the app, or `revoke-sessions resume`). */
  interrupted: boolean;
}

/** How often to look again while another runner holds the request. */
const POLL_MS = 1_000;
/** How often to say so meanwhile. */
const SAY_EVERY_MS = 15_000;

/** What is finished and what is left, per system: `Mattermost 57/200, Box 200/200`. */
function tally(steps: RevocationStep[]): { finished: number; perSystem: string } {
  const bySystem = new Map<SystemId, { done: number; total: number }>();
  for (const s of steps) {
    const t = bySystem.get(s.system) ?? { done: 0, total: 0 };
    t.total++;
    if (FINAL_STEP_STATES.includes(s.state)) t.done++;
    bySystem.set(s.system, t);
  }
  const finished = steps.filter((s) => FINAL_STEP_STATES.includes(s.state)).length;
  const perSystem = [...bySystem].map(([s, t]) => `${systemLabel(s)} ${t.done}/${t.total}`).join(', ');
  return { finished, perSystem };
}

/** Says what an interrupted run did, what is left, and how the rest is done. */
function sayInterrupted(io: Io, json: boolean, request: RevocationRequest, steps: RevocationStep[]): void {
  const { finished, perSystem } = tally(steps);
  const left = steps.length - finished;
  const resume = `revoke-sessions resume ${request.id}`;
  if (json) {
    io.err(
      JSON.stringify({
        event: 'interrupted',
        request: request.id,
        finished,
        left,
        total: steps.length,
        resume,
      }),
    );
    return;
  }
  io.err(`Interrupted: ${finished} of ${steps.length} step(s) finished, ${left} left (${perSystem}).`);
  if (left === 0 && FINAL_STATUSES.includes(request.status)) return;
  io.err(
    `Nothing is lost: request ${request.id} is left to resume. The Slack app resumes it at its next round (within 15 s) when it runs on this database; or finish it here: ${resume}`,
  );
}

/**
 * Runs a recorded request to its end, with its progress on stderr. Ctrl-C (SIGINT) stops it before
 * its next vendor call — the calls in flight answer and are recorded — and releases its lease,
 * then says what is done, what is left and how it continues; a second Ctrl-C hands it over at once
 * (whoever resumes it re-checks the calls that were in flight). While another runner holds the
 * request (the Slack app, another CLI), waits for that runner to finish it, or for its lease to
 * lapse and then takes it over.
 */
export async function runRequest(
  ctx: CliContext,
  io: Io,
  request: RevocationRequest,
  json: boolean,
): Promise<RunResult> {
  let interrupts = 0;
  let progress: RunProgress | undefined;
  const interrupted = deferred();
  const atOnce = deferred();
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) {
      void ctx.engine.runs.handOver('interrupted twice (Ctrl-C)').then(atOnce.resolve);
      return;
    }
    const line =
      'Ctrl-C: stopping — no new vendor calls; the calls in flight finish and are recorded (Ctrl-C again to stop at once).';
    if (progress) progress.note(line);
    else if (!json) io.err(line);
    ctx.engine.runs.stop('interrupted (Ctrl-C)');
    interrupted.resolve();
  };
  process.on('SIGINT', onSigint);
  try {
    let saidAt: number | undefined;
    for (;;) {
      progress = new RunProgress({
        io,
        mode: progressMode(io, json),
        label: (s) => ctx.providers.get(s)?.label ?? systemLabel(s),
        budgets: ctx.budgets,
      });
      // A second Ctrl-C does not wait for the calls in flight.
      const ran = await Promise.race([ctx.engine.run(request.id, progress), atOnce.promise]);
      const now = (await ctx.engine.request(request.id)) ?? request;
      const steps = await ctx.engine.steps(request.id);
      progress.end(interrupts > 0 ? steps : undefined);
      if (interrupts > 0) {
        sayInterrupted(io, json, now, steps);
        return { request: now, steps, interrupted: true };
      }
      if (ran || FINAL_STATUSES.includes(now.status))
        return { request: ran ?? now, steps, interrupted: false };
      // Not claimed: another runner holds it (its lease is renewed while it works).
      if (saidAt === undefined || Date.now() - saidAt >= SAY_EVERY_MS) {
        const { finished } = tally(steps);
        io.err(
          `${saidAt === undefined ? `Request ${now.id} is being run by another runner (the Slack app, or another CLI): waiting for it to finish it, or to take it over once its lease lapses` : 'Still held by another runner'} — ${finished} of ${steps.length} step(s) finished.`,
        );
        saidAt = Date.now();
      }
      await Promise.race([new Promise((r) => setTimeout(r, POLL_MS)), interrupted.promise]);
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}
