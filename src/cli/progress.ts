import type { SystemId } from '../config.js';
import type { RunObserver, RunSteps } from '../engine/observer.js';
import { ATTENTION_STATES } from '../engine/summary.js';
import {
  allTargets,
  FINAL_STEP_STATES,
  type RevocationRequest,
  type RevocationStep,
} from '../engine/types.js';
import type { Budgets } from '../providers/budget/index.js';
import { type Io, safe, stepLine, stepSentence } from './output.js';
import { LiveBlock, type SystemTally, systemLine } from './progress-lines.js';

/** How progress is shown: live lines on a terminal, a line every few seconds, or a JSON event a line. */
export type ProgressMode = 'tty' | 'lines' | 'json';

/** The mode for this output: `--json` streams events; a terminal gets live lines. */
export function progressMode(io: Io, json: boolean): ProgressMode {
  return json ? 'json' : io.progress?.tty ? 'tty' : 'lines';
}

export interface ProgressOptions {
  io: Io;
  mode: ProgressMode;
  label: (system: SystemId) => string;
  /** The process's vendor budgets: a system waits for its budget while calls queue in one of them. */
  budgets: Budgets;
  now?: () => number;
  /** Without a terminal, how often a progress line is printed (default 3 s). */
  everyMs?: number;
}

/** Whether a call of `system` is waiting for its turn in one of its vendor budgets. */
function waitingForBudget(budgets: Budgets, system: SystemId): boolean {
  return budgets
    .all()
    .filter((b) => b.key === system || b.key.startsWith(`${system}:`))
    .some((b) => {
      const { urgent, bulk } = b.usage().waiting;
      return urgent + bulk > 0;
    });
}

/**
 * The CLI's view of a run, on stderr (stdout stays the result): each system's done / total, rate,
 * time left and whether it waits for its vendor's budget — live on a terminal, a line every few
 * seconds without one, one JSON event per step with `--json`. A one-person request also gets each
 * step's line as it finishes; a bulk only the steps that need attention (`status` lists them all).
 */
export class RunProgress implements RunObserver {
  private readonly tallies = new Map<SystemId, SystemTally>();
  private readonly now: () => number;
  private readonly everyMs: number;
  private readonly block: LiveBlock | undefined;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private lastLine = 0;
  private request: RevocationRequest | undefined;

  constructor(private readonly o: ProgressOptions) {
    this.now = o.now ?? Date.now;
    this.everyMs = o.everyMs ?? 3_000;
    const sink = o.io.progress;
    this.block = o.mode === 'tty' && sink ? new LiveBlock(sink) : undefined;
  }

  async requestStarted(request: RevocationRequest, steps: RevocationStep[]): Promise<void> {
    this.request = request;
    this.startedAt = this.now();
    this.lastLine = this.startedAt;
    for (const step of steps) {
      const t = this.tallies.get(step.system) ?? {
        system: step.system,
        label: this.o.label(step.system),
        total: 0,
        done: 0,
        doneAtStart: 0,
        waiting: false,
      };
      t.total++;
      if (FINAL_STEP_STATES.includes(step.state)) {
        t.done++;
        t.doneAtStart++;
      }
      this.tallies.set(step.system, t);
    }
    this.event({ event: 'started', people: allTargets(request).length, systems: this.counts() });
    this.timer = setInterval(() => this.tick(), this.o.mode === 'tty' ? 250 : 1_000);
    this.timer.unref();
    this.draw();
  }

  async stepFinished(request: RevocationRequest, step: RevocationStep, steps: RunSteps): Promise<void> {
    const t = this.tallies.get(step.system);
    if (t) t.done = steps.finished(step.system);
    const person = allTargets(request)[step.targetIndex];
    const who = person?.email ?? person?.slackUserId ?? '?';
    if (this.o.mode === 'json') {
      this.event({
        event: 'step',
        system: step.system,
        person: who,
        index: step.targetIndex,
        state: step.state,
        sentence: stepSentence(step, this.o.label(step.system), request),
        done: t?.done,
        total: t?.total,
      });
      return;
    }
    const bulk = allTargets(request).length > 1;
    if (bulk && !ATTENTION_STATES.includes(step.state)) {
      this.draw();
      return;
    }
    this.draw([`   ${bulk ? `${safe(who)}  ` : ''}${stepLine(step, this.o.label(step.system), request)}`]);
  }

  async requestFinished(request: RevocationRequest): Promise<void> {
    this.end();
    if (this.o.mode === 'json')
      this.event({ event: 'finished', status: request.status, summary: request.summary ?? '' });
  }

  /**
   * Stops the live display (the run ended, or was interrupted); the last state stays on a
   * terminal. `stored`: the steps as the store has them (an interrupted run shows no more steps,
   * though calls in flight still finished): the counts are taken from them, and no summary line
   * is printed (the caller says what is done and left).
   */
  end(stored?: RevocationStep[]): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    for (const t of this.tallies.values()) {
      if (stored)
        t.done = stored.filter((s) => s.system === t.system && FINAL_STEP_STATES.includes(s.state)).length;
      t.waiting = false;
    }
    if (this.block) this.draw();
    else if (this.o.mode === 'lines' && this.total() > 1 && !stored)
      this.o.io.err(`   ${this.summaryLine()}`);
  }

  /** Each system's steps: how many, and how many are finished. */
  counts(): { system: SystemId; done: number; total: number }[] {
    return [...this.tallies.values()].map(({ system, done, total }) => ({ system, done, total }));
  }

  /** One line above the live display (or on stderr). */
  note(line: string): void {
    if (this.o.mode === 'json') return;
    if (this.block) this.draw([line]);
    else this.o.io.err(line);
  }

  private total(): number {
    return [...this.tallies.values()].reduce((n, t) => n + t.total, 0);
  }

  private tick(): void {
    const changed = this.refreshWaiting();
    if (this.block) {
      this.draw();
      return;
    }
    if (this.o.mode === 'json') {
      for (const t of changed) this.event({ event: 'budget', system: t.system, waiting: t.waiting });
      return;
    }
    if (this.now() - this.lastLine < this.everyMs) return;
    this.lastLine = this.now();
    this.o.io.err(`   progress: ${this.summaryLine()}`);
  }

  /** Reads every system's budget wait; answers the systems whose wait began or ended. */
  private refreshWaiting(): SystemTally[] {
    const changed: SystemTally[] = [];
    for (const t of this.tallies.values()) {
      const waiting = t.done < t.total && waitingForBudget(this.o.budgets, t.system);
      if (waiting !== t.waiting) changed.push(t);
      t.waiting = waiting;
    }
    return changed;
  }

  private summaryLine(): string {
    const elapsed = this.now() - this.startedAt;
    return [...this.tallies.values()].map((t) => systemLine(t, elapsed, false)).join(' · ');
  }

  private draw(above: string[] = []): void {
    if (!this.block) {
      for (const line of above) this.o.io.err(line);
      return;
    }
    const elapsed = this.now() - this.startedAt;
    this.block.draw(
      above,
      [...this.tallies.values()].map((t) => `   ${systemLine(t, elapsed, true)}`),
    );
  }

  private event(fields: Record<string, unknown>): void {
    if (this.o.mode === 'json') this.o.io.err(JSON.stringify({ ...fields, request: this.request?.id }));
  }
}

/**
 * Counts a phase before the run (looking people up) on stderr: live on a terminal, a line every
 * few seconds without one, nothing with `--json` or for one item.
 */
export function phaseCounter(io: Io, mode: ProgressMode, what: string, total: number, everyMs = 3_000) {
  if (mode === 'json' || total < 2) return { tick: () => {}, end: () => {} };
  const block = mode === 'tty' && io.progress ? new LiveBlock(io.progress) : undefined;
  let done = 0;
  let last = Date.now();
  const line = () => `   ${what}: ${done}/${total}`;
  block?.draw([], [line()]);
  const timer = setInterval(
    () => {
      if (block) block.draw([], [line()]);
      else if (Date.now() - last >= everyMs) {
        last = Date.now();
        io.err(line());
      }
    },
    block ? 250 : 1_000,
  );
  timer.unref();
  return {
    tick: () => {
      done++;
    },
    end: () => {
      clearInterval(timer);
      block?.draw([], [line()]);
    },
  };
}
