import type { SystemId } from '../config.js';
import type { ProgressSink } from './output.js';

/** One system's progress in a run. */
export interface SystemTally {
  system: SystemId;
  label: string;
  total: number;
  /** Steps in a final state. */
  done: number;
  /** Of which already final when the run started (a resumed run): not counted in the rate. */
  doneAtStart: number;
  /** A call of this system waits for its turn in the vendor's budget. */
  waiting: boolean;
}

/** `45 s`, `4 min`, `1 h 5 min`. */
export function roughly(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 90 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

/**
 * A system's progress as text: `Mattermost 57/200 4.8/s, ~30 s left`, `… waiting for
 * Mattermost's budget`, `… done`. The rate counts the steps this run finished since it started.
 */
export function systemLine(t: SystemTally, elapsedMs: number, aligned: boolean): string {
  const count = `${t.done}/${t.total}`;
  const head = aligned ? `${t.label.padEnd(13)} ${count.padStart(11)}` : `${t.label} ${count}`;
  if (t.done >= t.total) return `${head}  done`;
  const parts: string[] = [];
  const finished = t.done - t.doneAtStart;
  if (finished > 0 && elapsedMs >= 1_000) {
    const rate = finished / (elapsedMs / 1_000);
    parts.push(
      `${rate < 10 ? rate.toFixed(1) : Math.round(rate)}/s, ~${roughly((t.total - t.done) / rate)} left`,
    );
  }
  if (t.waiting) parts.push(`waiting for ${t.label}'s budget`);
  return parts.length > 0 ? `${head}  ${parts.join(' — ')}` : head;
}

/**
 * Lines kept at the bottom of a terminal and redrawn in place (ANSI: cursor up, clear to the
 * end of the screen); lines written above them scroll up as usual. Each line is cut to the
 * terminal's width, so none wraps and the redraw always moves up the right number of lines.
 */
export class LiveBlock {
  private drawn = 0;

  constructor(private readonly sink: ProgressSink) {}

  draw(above: string[], block: string[]): void {
    const width = Math.max(20, (this.sink.columns || 80) - 1);
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A\x1b[J` : '';
    for (const line of above) text += `${line}\n`;
    for (const line of block) text += `${line.length > width ? `${line.slice(0, width - 1)}…` : line}\n`;
    this.drawn = block.length;
    this.sink.write(text);
  }
}
